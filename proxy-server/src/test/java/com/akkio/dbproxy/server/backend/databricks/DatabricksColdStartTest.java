package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse that auto-stopped: the readiness probe reports it and never starts it; the first query's session
 * starts it (as a real warehouse's does) and waits for the start beyond the pool's 5 s connection timeout, up to
 * {@code warehouse_start_timeout_seconds}, and past that bound fails with {@code 57P03 WAREHOUSE_NOT_STARTED}. The
 * emulator listens on 127.0.0.22:443.
 */
@LiveServerTest
@SlowTest
class DatabricksColdStartTest {
    private static final String IP = "127.0.0.22";

    private static String settings(int startTimeoutSeconds) {
        return "    warehouse_start_timeout_seconds: " + startTimeoutSeconds;
    }

    /**
     * The first query of the test, once the warehouse runs: a JVM's first driver connection loads the driver and its
     * SDK, which can take longer than the pool's 5 s on a busy machine.
     */
    private static void warmUp(DatabricksFixture dbx) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = dbx.acme()) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void theFirstQueryAfterAnAutoStopWaitsForTheStartWhichOnlyItCaused(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, settings(60))) {
            warmUp(dbx);
            dbx.emulator.warehouseStartTakes(Duration.ofSeconds(12)); // over twice the pool's connection timeout
            dbx.emulator.warehouseState("STOPPED");
            for (int probe = 0; probe < 3; probe++) {
                var ready = dbx.admin("/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("wh-acme is STOPPED");
            }
            assertThat(dbx.emulator.warehouseStarts()).as("readiness never starts a warehouse").isEmpty();

            long start = System.nanoTime();
            try (Connection c = dbx.acme("?timeout_ms=120000")) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            }
            System.out.printf("first query after an auto-stop (start takes 12 s): %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(dbx.emulator.warehouseStarts()).extracting(s -> s.warehouse() + ":" + s.cause())
                    .as("the query's session started the primary, and the backup was not started too")
                    .containsExactly("wh-acme:session");
            assertThat(dbx.emulator.requests()).as("sessions were refused while it started")
                    .anySatisfy(r -> assertThat(r.path()).isEqualTo("/api/2.0/sql/warehouses/wh-acme/sessions"));
            assertThat(dbx.admin("/ready").statusCode()).isEqualTo(200);
            assertThat(startRecords(dbx)).as("the start is audited: tenant, warehouse, outcome, how long it took")
                    .singleElement().satisfies(r -> {
                        assertThat(r.get("tenant").asText()).isEqualTo("acme");
                        assertThat(r.get("backend").asText()).isEqualTo("dbx");
                        assertThat(r.get("warehouse_id").asText()).isEqualTo("wh-acme");
                        assertThat(r.get("decision").asText()).isEqualTo("allow");
                        assertThat(r.get("code").asText()).isEqualTo("WAREHOUSE_STARTED");
                        assertThat(r.get("duration_ms").asLong()).isPositive();
                        assertThat(r.get("request_id").asText()).isNotEmpty();
                    });
        }
    }

    /** The audit log's {@code warehouse_start} records. */
    private static java.util.List<com.fasterxml.jackson.databind.JsonNode> startRecords(DatabricksFixture dbx)
            throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(dbx.auditLog)) {
            com.fasterxml.jackson.databind.JsonNode r = json.readTree(line);
            if (r.get("event").asText().equals("warehouse_start")) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void aStartLongerThanTheBoundIsAClearErrorWithAStableCode(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, settings(8))) {
            warmUp(dbx);
            dbx.emulator.warehouseStartTakes(Duration.ofSeconds(120));
            dbx.emulator.warehouseState("STOPPED");
            assertThatThrownBy(() -> {
                try (Connection c = dbx.acme("?timeout_ms=120000")) {
                    scalar(c, "SELECT count(*) FROM orders");
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("57P03");
                assertThat(e.getMessage()).contains("WAREHOUSE_NOT_STARTED").contains("'dbx'")
                        .contains("warehouse_start_timeout_seconds");
            });
            assertThat(startRecords(dbx)).as("a wait that ended at the bound is audited too").isNotEmpty()
                    .allSatisfy(r -> {
                        assertThat(r.get("tenant").asText()).isEqualTo("acme");
                        assertThat(r.get("warehouse_id").asText()).isEqualTo("wh-acme");
                        assertThat(r.get("decision").asText()).isEqualTo("error");
                        assertThat(r.get("code").asText()).isEqualTo("WAREHOUSE_NOT_STARTED");
                    });
        }
    }

    @Test
    void withoutStartOnDemandAQueryNeverStartsAStoppedWarehouse(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, "    start_on_demand: false")) {
            warmUp(dbx);
            dbx.emulator.warehouseState("STOPPED");
            for (int attempt = 0; attempt < 2; attempt++) { // the pooled connection, then a new one
                assertThatThrownBy(() -> {
                    try (Connection c = dbx.acme("?timeout_ms=120000")) {
                        scalar(c, "SELECT count(*) FROM orders");
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("57P03");
                    assertThat(e.getMessage()).contains("WAREHOUSE_NOT_STARTED").contains("is STOPPED")
                            .contains("start_on_demand is false").doesNotContain("wh-acme");
                });
            }
            assertThat(dbx.emulator.warehouseStarts()).isEmpty();
            assertThat(startRecords(dbx)).isEmpty();
        }
    }
}

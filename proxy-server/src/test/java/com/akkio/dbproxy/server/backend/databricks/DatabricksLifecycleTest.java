package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.backend.databricks.emulator.DatabricksEmulator;
import com.akkio.dbproxy.server.backend.databricks.emulator.EmulatedStatements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A statement's life on a warehouse, through the real databricks-jdbc driver and the proxy: statements that run for
 * a while (the emulator holds each RUNNING for 60 s) stopped on the warehouse by the tenant's query timeout, by the
 * client jar's {@code Statement.cancel()} and by a PostgreSQL CancelRequest; bound parameters; the warehouse's
 * SQLSTATE; throttling with Retry-After; the driver's user agent. The emulator listens on 127.0.0.21:443.
 */
@LiveServerTest
@SlowTest
class DatabricksLifecycleTest {
    private static final String IP = "127.0.0.21";
    /** A JVM's first driver connection loads the driver and its SDK: longer than 5 s on a busy machine. */
    private static final String POOL = "    pool: { max_size: 4, connection_timeout_ms: 30000, max_lifetime_seconds: 60 }";
    private static final String LONG_QUERY = "SELECT count(*) FROM orders WHERE order_id > 3";

    /** The warehouse's record of the one run of {@link #LONG_QUERY}, once it has ended (within 60 s). */
    private static EmulatedStatements.Outcome endedLongQuery(DatabricksEmulator emulator) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            var runs = emulator.statementOutcomes().stream().filter(o -> o.sql().startsWith("SELECT") && o.sql().contains("order_id > 3")).toList();
            assertThat(runs).hasSize(1);
            EmulatedStatements.Outcome o = runs.get(0);
            if (!o.state().equals("PENDING") && !o.state().equals("RUNNING") || System.nanoTime() > deadline) {
                return o;
            }
            Thread.sleep(50);
        }
    }

    private static void assertStoppedOnTheWarehouse(EmulatedStatements.Outcome o, long askedNanos, String how) {
        assertThat(o.state()).as(how).isEqualTo("CANCELED");
        assertThat(o.workFinished()).as("the query never ran to its end").isFalse();
        System.out.printf("%s: the warehouse stopped the statement %d ms after the proxy was asked (the stop itself"
                + " %d ms after the warehouse's cancel request)%n", how,
                TimeUnit.NANOSECONDS.toMillis(o.stoppedNanos() - askedNanos), o.stopMillis());
    }

    @Test
    void theTenantsQueryTimeoutStopsTheStatementOnTheWarehouse(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 3, POOL);
             Connection c = dbx.acme("?timeout_ms=120000")) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.statementsRunFor(Duration.ofSeconds(60));
            long start = System.nanoTime();
            assertThatThrownBy(() -> scalar(c, LONG_QUERY)).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("57014");
                assertThat(e.getMessage()).contains("QUERY_TIMEOUT");
            });
            assertStoppedOnTheWarehouse(endedLongQuery(dbx.emulator), start + TimeUnit.SECONDS.toNanos(3),
                    "query timeout (3 s)");
            dbx.emulator.statementsRunFor(Duration.ZERO);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).as("the connection goes on").isEqualTo(250);
        }
    }

    private static void cancelsAfterASecond(Statement s, long[] askedAt) {
        CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(1_000);
                askedAt[0] = System.nanoTime();
                s.cancel();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A statement of {@code c} cancelled a second after it started stops on the warehouse, and {@code c} goes on. */
    private static void aCancelStopsTheStatementOnTheWarehouse(DatabricksFixture dbx, Connection c, String how)
            throws Exception {
        try (Statement s = c.createStatement()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.statementsRunFor(Duration.ofSeconds(60));
            long[] askedAt = new long[1];
            cancelsAfterASecond(s, askedAt);
            assertThatThrownBy(() -> s.executeQuery(LONG_QUERY)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("57014"));
            assertStoppedOnTheWarehouse(endedLongQuery(dbx.emulator), askedAt[0], how);
            dbx.emulator.statementsRunFor(Duration.ZERO);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).as("the connection goes on").isEqualTo(250);
        }
    }

    @Test
    void theClientJarsStatementCancelStopsTheStatementOnTheWarehouse(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 120, POOL);
             Connection c = dbx.acme("?timeout_ms=180000")) {
            aCancelStopsTheStatementOnTheWarehouse(dbx, c, "client jar Statement.cancel()");
        }
    }

    @Test
    void aPostgresCancelRequestStopsTheStatementOnTheWarehouse(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 120, POOL);
             Connection c = dbx.acmeOverPostgres()) {
            aCancelStopsTheStatementOnTheWarehouse(dbx, c, "pgjdbc CancelRequest");
        }
    }

    /**
     * The client jar's bound parameters reach the warehouse as databricks-jdbc 3.4.5 sends them, and the warehouse's
     * SQLSTATE reaches clients of both front ends. (PostgreSQL clients' {@code $1} markers:
     * {@link DatabricksPostgresParametersTest}.)
     */
    @Test
    void boundParametersReachTheWarehouseAndItsSqlStateReachesTheClient(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL);
             Connection jar = dbx.acme(); Connection pg = dbx.acmeOverPostgres()) {
            try (PreparedStatement p = jar.prepareStatement(
                    "SELECT count(*) FROM orders WHERE order_id <= ? AND tenant_tag = ?")) {
                p.setInt(1, 10);
                p.setString(2, "acme");
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(10);
                }
            }
            assertThat(dbx.emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/statements")
                            && r.body().startsWith("{\"statement\":\"SELECT") && r.body().contains("order_id <= ?"))
                    .singleElement().satisfies(r -> assertThat(r.body()).contains("\"parameters\":["
                            + "{\"type\":\"INT\",\"value\":\"10\",\"ordinal\":1},"
                            + "{\"type\":\"STRING\",\"value\":\"acme\",\"ordinal\":2}]"));
            for (Connection c : new Connection[] {jar, pg}) {
                assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM orders WHERE CAST(tenant_tag AS INT) > 0"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("22018");
                            assertThat(e.getMessage()).contains("CAST_INVALID_INPUT");
                        });
                assertThat(scalar(c, "SELECT count(*) FROM orders")).as("the connection goes on").isEqualTo(250);
            }
        }
    }

    @Test
    void aThrottledWarehouseIsRetriedAfterItsRetryAfterWithoutAFailedQuery(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL);
             Connection c = dbx.acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.throttleStatements(2, 429, 1);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.throttleStatements(1, 503, 1);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            assertThat(dbx.emulator.statementOutcomes()).filteredOn(o -> o.sql().contains("orders"))
                    .as("each statement ran once").hasSize(3);
        }
    }

    @Test
    void theDriverIdentifiesItselfAsAkkioWithTheProxysVersion(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL);
             Connection c = dbx.acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            String version = com.akkio.dbproxy.server.config.ProxyVersion.get();
            assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");
            assertThat(dbx.emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/"))
                    .isNotEmpty().allSatisfy(r -> assertThat(r.header("User-Agent"))
                            .contains("akkio/" + version).doesNotContain("akkio/version"));
        }
    }

    @Test
    void anExpiredSessionIsReplacedAndTheStatementThatNeverRanRunsOnceOnTheNewOne(@TempDir Path dir)
            throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL);
             Connection jar = dbx.acme(); Connection pg = dbx.acmeOverPostgres()) {
            for (Connection c : new Connection[] {jar, pg}) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
                long sessions = dbx.emulator.count("/api/2.0/sql/warehouses/wh-acme/sessions");
                long runs = dbx.emulator.statementOutcomes().size();
                dbx.emulator.expireSessions();
                assertThat(scalar(c, "SELECT count(*) FROM orders WHERE order_id > 7")).isEqualTo(243);
                assertThat(dbx.emulator.count("/api/2.0/sql/warehouses/wh-acme/sessions")).as("one new session")
                        .isEqualTo(sessions + 1);
                assertThat(dbx.emulator.statementOutcomes().subList((int) runs, dbx.emulator.statementOutcomes()
                        .size())).filteredOn(o -> o.sql().startsWith("SELECT count(*)"))
                        .as("the refused statement ran once, on the new session").singleElement()
                        .satisfies(o -> assertThat(o.state()).isEqualTo("SUCCEEDED"));
                assertThat(scalar(c, "SELECT count(*) FROM orders")).as("and the connection goes on").isEqualTo(250);
            }
        }
    }

    @Test
    void sessionsOpenInTheTenantsCatalogAndSchemaSoTheWorkspaceDefaultNeedsNoGrant(@TempDir Path dir)
            throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL)) {
            dbx.emulator.grantOnlySchemas(java.util.Set.of("acme_prod.sales"));
            try (Connection jar = dbx.acme(); Connection pg = dbx.acmeOverPostgres()) {
                assertThat(scalar(jar, "SELECT count(*) FROM orders")).isEqualTo(250);
                assertThat(scalar(pg, "SELECT count(*) FROM orders")).isEqualTo(250);
            }
            assertThat(dbx.emulator.requests()).filteredOn(r -> r.path().endsWith("/sessions"))
                    .isNotEmpty().allSatisfy(r -> assertThat(r.body())
                            .contains("\"catalog\":\"acme_prod\"").contains("\"schema\":\"sales\""));
        }
    }
}

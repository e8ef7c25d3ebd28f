package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.frontend.flight.FlightFixture;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flight SQL bulk ingest on a Databricks backend (Arrow Java's FlightSqlClient → the proxy's Flight front end →
 * databricks-jdbc → the workspace emulator): the backend imports no Arrow, so the rows go in as multi-row INSERTs
 * (the row path of {@code BulkIngest}). An ingest over {@code max_write_rows} writes nothing and is audited exactly as
 * on DuckDB's Arrow path (and as a write over the cap from a query on the other front ends): decision {@code error},
 * code {@code 54000}.
 */
@LiveServerTest
class DatabricksFlightIngestTest {
    @TempDir
    static Path dir;
    static DatabricksFixture dbx;
    static ProxyServer flight;

    @BeforeAll
    static void start() throws Exception {
        dbx = new DatabricksFixture(dir, "127.0.0.46", 3600, true, 30_000);
        dbx.emulator.setUp("CREATE SCHEMA acme_prod.akkio_out");
        dbx.emulator.setUp("CREATE TABLE acme_prod.akkio_out.scores (id BIGINT, label VARCHAR)");
        dbx.acmePolicy("write: [acme_prod.akkio_out.*]\nstatements: [query, insert, create_table]\n"
                + "max_write_rows: 100\n");
        // the fixture's proxy has no Flight front end: a second one on the same workspace, with its own audit log
        String yaml = Files.readString(dir.resolve("proxy.yaml"))
                .replace("postgres: { enabled: true, port: 0 } }",
                        "postgres: { enabled: true, port: 0 }, flight: { enabled: true, port: 0 } }")
                .replace("audit: { path: audit.jsonl }", "audit: { path: flight-audit.jsonl }");
        assertThat(yaml).contains("flight: { enabled: true").contains("flight-audit.jsonl");
        flight = ProxyServer.start(ConfigLoader.load(Files.writeString(dir.resolve("proxy-flight.yaml"), yaml)), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (flight != null) {
            flight.close();
        }
        dbx.close();
    }

    private static VectorSchemaRoot rows(BufferAllocator allocator, int rows) {
        return FlightFixture.labelled(allocator, rows, i -> "row " + i);
    }

    @Test
    void anIngestOverMaxWriteRowsWritesNothingAndIsAuditedAsAnErrorWith54000() throws Exception {
        try (FlightFixture client = FlightFixture.connect(flight.flightPort());
             VectorSchemaRoot sixty = rows(client.allocator, 60);
             VectorSchemaRoot hundredFifty = rows(client.allocator, 150)) {
            CallOption acme = client.login("acme");
            assertThat(client.ingest(acme, sixty, "scores", FlightFixture.APPEND)).isEqualTo(60);
            assertThatThrownBy(() -> client.ingest(acme, hundredFifty, "scores", FlightFixture.APPEND))
                    .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("WRITE_ROWS_EXCEEDED")
                    .hasMessageContaining("max_write_rows");
            try (var warehouse = dbx.warehouse()) {
                assertThat(scalar(warehouse, "SELECT count(*) FROM acme_prod.akkio_out.scores")).isEqualTo(60);
            }
            assertThat(Files.readAllLines(dir.resolve("flight-audit.jsonl"))).filteredOn(l ->
                    l.contains("\"event\":\"complete\"") && l.contains("\"statement_type\":\"insert\""))
                    .anyMatch(l -> l.contains("\"decision\":\"allow\"") && l.contains("\"rows\":60"))
                    .anyMatch(l -> l.contains("\"decision\":\"error\",\"code\":\"54000\""));
        }
    }
}

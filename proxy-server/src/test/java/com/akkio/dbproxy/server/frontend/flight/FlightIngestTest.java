package com.akkio.dbproxy.server.frontend.flight;

import static com.akkio.dbproxy.server.Queries.scalar;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.APPEND;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.CREATE;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.REPLACE;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.batches;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.demoWithPolicyLine;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.into;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code CommandStatementIngest} (what ADBC's C and Go Flight SQL drivers send for bulk ingest; here with Arrow Java's
 * {@code FlightSqlClient.executeIngest}) is governed as the CREATE and INSERT it amounts to: into the write-back
 * schema it creates, appends and replaces, audited with its rows; a table the tenant may not write is refused by
 * the write rule, and an ingest over {@code max_write_rows} leaves nothing behind, even when the limit is passed in
 * a later batch than the first, and one past the tenant's write quota is refused. On DuckDB the rows go in through
 * its Arrow import (many batches, the table's column types those of the Arrow schema).
 */
@LiveServerTest
class FlightIngestTest {
    @Test
    void anIngestCreatesAppendsAndReplacesAWriteBackTableAuditedWithItsRows(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             VectorSchemaRoot thousand = rows(flight.allocator, 1000);
             Connection acme = proxy.acme()) {
            CallOption login = flight.login("acme");
            assertThat(flight.ingest(login, thousand, "ingested", CREATE)).isEqualTo(1000);
            assertThat(flight.ingest(login, thousand, "ingested", APPEND)).isEqualTo(1000);
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.ingested")).isEqualTo(2000);
            try (Statement s = acme.createStatement(); ResultSet rs = s.executeQuery("SELECT label, CAST(happened_at"
                    + " AS VARCHAR), amount FROM main.akkio_out.ingested WHERE id = 999 LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("row 999");
                assertThat(rs.getString(2)).isEqualTo("2024-01-01 00:00:00.000999");
                assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("9.99");
            }
            // create mode: the table exists, so the backend refuses the CREATE; nothing is added
            assertThatThrownBy(() -> flight.ingest(login, thousand, "ingested", CREATE))
                    .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("already exists");
            try (VectorSchemaRoot ten = rows(flight.allocator, 10)) {
                assertThat(flight.ingest(login, ten, "ingested", REPLACE)).isEqualTo(10);
            }
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.ingested")).isEqualTo(10);
            List<String> audit = Files.readAllLines(proxy.auditLog);
            assertThat(audit).anyMatch(l -> l.contains("\"event\":\"complete\"")
                    && l.contains("\"statement_type\":\"insert\"") && l.contains("\"rows\":1000"))
                    .anyMatch(l -> l.contains("\"statement_type\":\"create_or_replace\""));
        }
    }

    @Test
    void anIngestIntoATableTheTenantMayNotWriteIsRefusedByTheWriteRule(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             VectorSchemaRoot root = rows(flight.allocator, 5);
             Connection acme = proxy.acme()) {
            CallOption login = flight.login("acme");
            assertThatThrownBy(() -> flight.sql.executeIngest(root, new FlightSqlClient.ExecuteIngestOptions(
                    "orders", APPEND, "main", "sales", Map.of()), login)).isInstanceOf(FlightRuntimeException.class)
                    .hasMessageContaining("rule:");
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void anIngestOverMaxWriteRowsLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path config = demoWithPolicyLine(dir, "max_write_rows", "max_write_rows: 100", "acme");
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().config(d -> config).start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             VectorSchemaRoot root = rows(flight.allocator, 150);
             Connection acme = proxy.acme()) {
            CallOption login = flight.login("acme");
            assertThatThrownBy(() -> flight.ingest(login, root, "too_many", CREATE))
                    .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("WRITE_ROWS_EXCEEDED")
                    .hasMessageContaining("max_write_rows");
            try (ResultSet tables = acme.getMetaData().getTables("main", "akkio_out", "too_many", null)) {
                assertThat(tables.next()).isFalse();
            }
            // recorded as the core records a write past the cap from a query, and as the row path records it
            // (DatabricksFlightIngestTest): an error with its SQLState, not a policy denial
            assertThat(Files.readAllLines(proxy.auditLog)).filteredOn(l -> l.contains("\"event\":\"complete\"")
                    && l.contains("\"statement_type\":\"insert\"")).singleElement().satisfies(l -> assertThat(l)
                    .contains("\"decision\":\"error\",\"code\":\"54000\""));
        }
    }

    @Test
    void aLargeIngestOfManyBatchesKeepsEveryRowAndTheArrowColumnTypes(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             ArrowStreamReader nineBatches = batches(flight.allocator, 9, 10_000);
             Connection acme = proxy.acme()) {
            CallOption login = flight.login("acme");
            assertThat(flight.sql.executeIngest(nineBatches, into("large", CREATE), login)).isEqualTo(90_000);
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.large")).isEqualTo(90_000);
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.large WHERE id = 9999 AND label = 'row 9999'"
                    + " AND amount = 99.99 AND happened_at = TIMESTAMP '2024-01-01 00:00:00.009999'")).isEqualTo(9);
            try (ResultSet columns = acme.getMetaData().getColumns("main", "akkio_out", "large", null)) {
                StringBuilder types = new StringBuilder();
                while (columns.next()) {
                    types.append(columns.getString("COLUMN_NAME")).append(' ').append(columns.getString("TYPE_NAME"))
                            .append(';');
                }
                assertThat(types.toString())
                        .isEqualTo("id BIGINT;label VARCHAR;happened_at TIMESTAMP;amount DECIMAL(12,2);");
            }
            assertThat(Files.readAllLines(proxy.auditLog)).anyMatch(l -> l.contains("\"event\":\"complete\"")
                    && l.contains("\"statement_type\":\"insert\"") && l.contains("\"rows\":90000"));
        }
    }

    @Test
    void anIngestPassingMaxWriteRowsInALaterBatchWritesNothing(@TempDir Path dir) throws Exception {
        Path config = demoWithPolicyLine(dir, "max_write_rows", "max_write_rows: 100", "acme");
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().config(d -> config).start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             VectorSchemaRoot sixty = rows(flight.allocator, 60);
             ArrowStreamReader threeBatches = batches(flight.allocator, 3, 60);
             Connection acme = proxy.acme()) {
            CallOption login = flight.login("acme");
            assertThat(flight.ingest(login, sixty, "kept", CREATE)).isEqualTo(60);
            assertThatThrownBy(() -> flight.sql.executeIngest(threeBatches, into("kept", APPEND), login))
                    .isInstanceOf(FlightRuntimeException.class)
                    .hasMessageContaining("WRITE_ROWS_EXCEEDED").hasMessageContaining("max_write_rows");
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.kept")).isEqualTo(60);
            // the tenant's pooled connections are left working
            assertThat(flight.ingest(login, sixty, "kept", APPEND)).isEqualTo(60);
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.kept")).isEqualTo(120);
        }
    }

    @Test
    void anIngestIsRefusedOnceTheWriteBackTablesHoldTheWriteQuota(@TempDir Path dir) throws Exception {
        Path config = demoWithPolicyLine(dir, "write_quota", "write_quota: { max_rows: 100 }",
                "acme");
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().config(d -> config).start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             VectorSchemaRoot hundredFifty = rows(flight.allocator, 150);
             Connection acme = proxy.acme()) {
            CallOption login = flight.login("acme");
            assertThat(flight.ingest(login, hundredFifty, "quota", CREATE)).isEqualTo(150);
            assertThatThrownBy(() -> flight.ingest(login, hundredFifty, "quota", APPEND))
                    .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("WRITE_QUOTA_EXCEEDED")
                    .hasMessageContaining("write_quota.max_rows");
            assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out.quota")).isEqualTo(150);
        }
    }
}

package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.audit.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 5, the storage quota on a Databricks backend, end to end (client jar and pgjdbc → proxy →
 * databricks-jdbc → the workspace emulator): {@code write_quota: { max_bytes }} is measured before each write from
 * Delta's metadata (DESCRIBE DETAIL's sizeInBytes of each write-back table), so writes go through until the tables
 * hold the quota and the next one is refused with WRITE_QUOTA_EXCEEDED, audited with its reason.
 */
@LiveServerTest
class DatabricksStorageQuotaTest {
    @TempDir
    static Path dir;
    static DatabricksFixture dbx;

    @BeforeAll
    static void start() throws Exception {
        dbx = new DatabricksFixture(dir, "127.0.0.33", 3600, true, 30_000);
        dbx.emulator.setUp("CREATE SCHEMA acme_prod.akkio_out");
        dbx.emulator.setUp("CREATE SCHEMA acme_prod.other");
        // not a write-back table: its bytes do not count
        dbx.emulator.setUp("CREATE TABLE acme_prod.other.big AS SELECT i AS n FROM range(100000) t(i)");
    }

    @AfterAll
    static void stop() throws Exception {
        dbx.close();
    }

    private static void policy(String quota) throws Exception {
        dbx.acmePolicy("write: [acme_prod.akkio_out.*]\nstatements: [query, insert, create_table, merge]\n"
                + "max_write_rows: 100\n" + quota + "\n");
        dbx.proxy.reload();
    }

    private static long exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.execute(sql) ? -1 : st.getUpdateCount();
        }
    }

    /** DESCRIBE DETAIL of a write-back table, straight from the emulator (what the proxy measures). */
    private static long sizeInBytes(String table) throws SQLException {
        try (Connection c = dbx.warehouse(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("DESCRIBE DETAIL `acme_prod`.`akkio_out`.`" + table + "`")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong("sizeInBytes");
        }
    }

    @Test
    void describeDetailAnswersWithDeltasDocumentedColumnsAndASizeThatGrowsWithTheRows() throws Exception {
        dbx.emulator.setUp("CREATE TABLE acme_prod.akkio_out.detail AS SELECT i AS n FROM range(10) t(i)");
        try (Connection c = dbx.warehouse(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("DESCRIBE DETAIL `acme_prod`.`akkio_out`.`detail`")) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnLabel(i) + " " + md.getColumnTypeName(i).toLowerCase());
            }
            assertThat(columns).contains("format string", "id string", "name string", "location string",
                    "numFiles bigint", "sizeInBytes bigint", "minReaderVersion int", "minWriterVersion int");
            assertThat(columns).anyMatch(s -> s.startsWith("partitionColumns array"))
                    .anyMatch(s -> s.startsWith("createdAt timestamp"))
                    .anyMatch(s -> s.startsWith("properties map"));
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("format")).isEqualTo("delta");
            assertThat(rs.getString("name")).isEqualTo("acme_prod.akkio_out.detail");
            assertThat(rs.getLong("numFiles")).isEqualTo(1);
            assertThat(rs.getLong("sizeInBytes")).isPositive();
            assertThat(rs.next()).isFalse();
        }
        long ten = sizeInBytes("detail");
        dbx.emulator.setUp("INSERT INTO acme_prod.akkio_out.detail SELECT i FROM range(10, 20) t(i)");
        assertThat(sizeInBytes("detail")).isGreaterThan(ten);
        assertThatThrownBy(() -> sizeInBytes("no_such_table")).isInstanceOf(SQLException.class);
        dbx.emulator.setUp("DROP TABLE acme_prod.akkio_out.detail");
    }

    @Test
    void writesGoThroughUntilTheWriteBackTablesHoldTheQuotaThenTheNextIsRefusedOnBothFrontEnds() throws Exception {
        policy("write_quota: { max_bytes: 4000, cache_seconds: 3600 }");
        String refusedSql = "INSERT INTO akkio_out.q VALUES (1)";
        try (Connection c = dbx.acme(); Connection pg = dbx.acmeOverPostgres()) {
            exec(c, "CREATE TABLE akkio_out.q (order_id BIGINT)");
            int writes = 0;
            // each write adds 100 rows; a long cache does not let a write pass on a figure older than the last write
            while (sizeInBytes("q") < 4000) {
                Connection client = writes % 2 == 0 ? c : pg;
                assertThat(exec(client, "INSERT INTO akkio_out.q SELECT order_id FROM orders WHERE order_id <= 100"))
                        .isEqualTo(100);
                writes++;
                assertThat(writes).as("writes before the quota is held").isLessThan(50);
            }
            long held = sizeInBytes("q");
            assertThat(writes).as("more than one write went through before the quota was held").isGreaterThan(1);
            for (Connection client : List.of(c, pg)) {
                assertThatThrownBy(() -> exec(client, refusedSql)).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("53400");
                    assertThat(e.getMessage()).contains("WRITE_QUOTA_EXCEEDED")
                            .contains("hold " + held + " bytes").contains("quota is 4000 bytes")
                            .contains("write_quota.max_bytes").doesNotContain("acme_prod");
                });
            }
            assertThatThrownBy(() -> exec(c, "CREATE TABLE akkio_out.q2 AS SELECT 1 AS one"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("53400"));
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.q")).as("refused writes were not run")
                    .isEqualTo(100L * writes);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).as("queries still run").isEqualTo(250);
        }
        assertThat(Files.readString(dbx.auditLog)).contains("\"sql_sha256\":\"" + Sha256.hex(refusedSql)
                + "\",\"decision\":\"deny\",\"code\":\"WRITE_QUOTA_EXCEEDED\"");
        dbx.emulator.setUp("DROP TABLE acme_prod.akkio_out.q");
    }

    @Test
    void aQuotaThatCannotBeMeasuredRefusesTheWriteWithoutRunningIt() throws Exception {
        policy("write_quota: { max_bytes: 1000000, cache_seconds: 0 }");
        try (Connection c = dbx.acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            // the warehouse fails every statement: the measurement before the write among them
            dbx.emulator.failStatements("INTERNAL_ERROR", "the warehouse is broken", "XX000");
            try {
                assertThatThrownBy(() -> exec(c, "CREATE TABLE akkio_out.m (n INT)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("53400");
                            assertThat(e.getMessage()).contains("WRITE_QUOTA_EXCEEDED")
                                    .contains("could not be measured").contains("write_quota.max_bytes").doesNotContain("acme_prod");
                        });
            } finally {
                dbx.emulator.failStatements(null, null, null);
            }
        }
        assertThat(dbx.emulator.statementOutcomes()).noneMatch(o -> o.sql().contains("`m`"));
    }
}

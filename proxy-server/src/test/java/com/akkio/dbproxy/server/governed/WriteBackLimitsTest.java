package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SqlStates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 5, end to end: acme's write-back bounded by {@code max_write_rows} (1,000 here) and
 * {@code write_quota} (2,500 rows here), through the client jar and through pgjdbc; dropping and replacing its own
 * outputs allowed by the demo policy's statement kinds, and globex's policy still allowing neither.
 */
@LiveServerTest
class WriteBackLimitsTest {
    @TempDir
    Path dir;
    private DemoProxy proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = DemoProxy.builder().unthrottled().config(d -> {
            Path config = DemoConfig.copy(d.resolve("conf"));
            Path acme = config.resolveSibling("policies/acme.yaml");
            Files.writeString(acme, Files.readString(acme)
                    .replaceFirst("(?m)^max_write_rows: .*$", "max_write_rows: 1000")
                    .replaceFirst("(?m)^write_quota: .*$", "write_quota: { max_rows: 2500 }"));
            return config;
        }).start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
    }

    private Connection pg(String tenant) throws SQLException {
        return SqlStates.connect("jdbc:postgresql://127.0.0.1:" + proxy.pgPort() + "/main?sslmode=disable",
                DemoProxy.credentials(tenant, tenant + "-secret"));
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, "akkio_out", table, null)) {
            return rs.next();
        }
    }

    @Test
    void aCreateTableAsOverMaxWriteRowsFailsWithTheRuleAndCreatesNothingThroughTheClientJar() throws Exception {
        try (Connection c = proxy.acme()) {
            assertThatThrownBy(() -> exec(c, "CREATE TABLE akkio_out.blob1 AS SELECT i, repeat('x', 1000) || i AS s"
                    + " FROM range(1500000) AS t(i)")).isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("54000");
                        assertThat(e.getErrorCode()).isEqualTo(1501);
                        assertThat(e.getMessage()).contains("WRITE_ROWS_EXCEEDED: ")
                                .contains("more than 1000 rows").contains("max_write_rows").contains("nothing was written")
                                .doesNotContain("acme_prod").doesNotContain("akkio_write");
                    });
            assertThat(exists(c, "blob1")).isFalse();
            exec(c, "CREATE TABLE akkio_out.exact AS SELECT i FROM range(1000) AS t(i)");
            assertThat(count(c, "SELECT count(*) FROM akkio_out.exact")).isEqualTo(1000);
            assertThatThrownBy(() -> exec(c, "INSERT INTO akkio_out.exact SELECT order_id FROM orders UNION ALL SELECT 0"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage())
                            .contains("WRITE_ROWS_EXCEEDED: "));
            assertThat(count(c, "SELECT count(*) FROM akkio_out.exact")).isEqualTo(1000);
        }
    }

    @Test
    void anInsertOverMaxWriteRowsAbortsTheTransactionItRunsInThroughPgjdbc() throws Exception {
        try (Connection c = pg("acme")) {
            exec(c, "CREATE TABLE akkio_out.t (i BIGINT)");
            c.setAutoCommit(false);
            exec(c, "INSERT INTO akkio_out.t VALUES (1)");
            assertThatThrownBy(() -> exec(c, "INSERT INTO akkio_out.t SELECT i FROM range(1001) AS r(i)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("54000");
                        assertThat(e.getMessage()).contains("WRITE_ROWS_EXCEEDED").contains("max_write_rows");
                    });
            c.rollback();
            c.setAutoCommit(true);
            assertThat(count(c, "SELECT count(*) FROM akkio_out.t")).isZero();
            exec(c, "INSERT INTO akkio_out.t SELECT order_id FROM orders WHERE order_id <= 1000");
            assertThat(count(c, "SELECT count(*) FROM akkio_out.t")).isEqualTo(1000);
        }
    }

    @Test
    void writesStopAtTheQuotaAndDroppingTheTenantsOwnTablesFreesIt() throws Exception {
        try (Connection c = pg("acme")) {
            exec(c, "CREATE TABLE akkio_out.q1 AS SELECT i FROM range(1000) AS t(i)");
            exec(c, "CREATE TABLE akkio_out.q2 AS SELECT i FROM range(1000) AS t(i)");
            exec(c, "CREATE TABLE akkio_out.q3 AS SELECT i FROM range(600) AS t(i)");
            assertThatThrownBy(() -> exec(c, "INSERT INTO akkio_out.q3 VALUES (1)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("53400");
                        assertThat(e.getMessage()).contains("WRITE_QUOTA_EXCEEDED").contains("2600 rows")
                                .contains("write_quota.max_rows");
                    });
            assertThat(count(c, "SELECT count(*) FROM akkio_out.q3")).isEqualTo(600);
            exec(c, "DROP TABLE akkio_out.q1");
            exec(c, "INSERT INTO akkio_out.q3 VALUES (1)");
            assertThat(count(c, "SELECT count(*) FROM akkio_out.q3")).isEqualTo(601);
        }
        try (Connection c = proxy.acme()) {
            exec(c, "CREATE OR REPLACE TABLE akkio_out.q2 AS SELECT 1 AS one");
            assertThat(count(c, "SELECT count(*) FROM akkio_out.q2")).isEqualTo(1);
        }
        assertThat(Files.readString(dir.resolve("audit.jsonl"))).contains("\"code\":\"WRITE_QUOTA_EXCEEDED\"");
    }

    @Test
    void globexMayNeitherDropNorReplaceAndAcmeMayDropOnlyItsWriteBackTables() throws Exception {
        try (Connection g = pg("globex")) {
            for (String sql : new String[] {"DROP TABLE orders", "CREATE OR REPLACE TABLE orders AS SELECT 1 AS x"}) {
                assertThatThrownBy(() -> exec(g, sql)).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getMessage()).contains("STATEMENT_KIND_DENIED"));
            }
        }
        try (Connection a = proxy.acme()) {
            assertThatThrownBy(() -> exec(a, "DROP TABLE sales.orders")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getMessage()).contains("OBJECT_NOT_WRITABLE: "));
            assertThat(count(a, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }
}

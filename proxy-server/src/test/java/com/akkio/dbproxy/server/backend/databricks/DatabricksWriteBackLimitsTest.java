package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.audit.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 5, on a Databricks backend, end to end (client jar and pgjdbc → proxy → databricks-jdbc → the
 * workspace emulator): a write whose rows come from a query is bounded by {@code max_write_rows} (100 here; acme's
 * orders hold 250 rows) in the warehouse itself, failing whole rather than truncated, however the query is written;
 * a MERGE's source likewise; {@code write_quota} counts the rows each write reported and refuses writes once the window's quota is spent.
 */
@LiveServerTest
class DatabricksWriteBackLimitsTest {
    @TempDir
    static Path dir;
    static DatabricksFixture dbx;

    @BeforeAll
    static void start() throws Exception {
        // a generous pool wait: opening a warehouse session on a loaded machine can take seconds
        dbx = new DatabricksFixture(dir, "127.0.0.31", 3600, true, 30_000);
        dbx.emulator.setUp("CREATE SCHEMA acme_prod.akkio_out");
    }

    @AfterAll
    static void stop() throws Exception {
        dbx.close();
    }

    /** acme may write back to akkio_out, at most 100 rows a statement, with this quota line (or none). */
    private static void policy(String quota) throws Exception {
        dbx.acmePolicy("write: [acme_prod.akkio_out.*]\n"
                + "statements: [query, insert, create_table, create_or_replace, merge]\nmax_write_rows: 100\n"
                + quota + "\n");
        dbx.proxy.reload();
    }

    private static long exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.execute(sql) ? -1 : st.getUpdateCount();
        }
    }

    private static void assertOverTheCap(SQLException e) {
        assertThat(e.getSQLState()).isEqualTo("54000");
        assertThat(e.getErrorCode()).isEqualTo(1501);
        assertThat(e.getMessage()).contains("WRITE_ROWS_EXCEEDED: ").contains("more than 100 rows")
                .contains("max_write_rows").contains("nothing was written").doesNotContain("acme_prod")
                .doesNotContain("akkio_write").doesNotContain("raise_error");
    }

    @Test
    void aQuerySourcedWriteOverTheCapFailsWholeAndOneWithinItIsWrittenAndAuditedWithItsRows() throws Exception {
        policy("");
        try (Connection c = dbx.acme()) {
            assertThatThrownBy(() -> exec(c, "CREATE TABLE akkio_out.big AS SELECT order_id FROM orders"))
                    .isInstanceOfSatisfying(SQLException.class, DatabricksWriteBackLimitsTest::assertOverTheCap);
            assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM akkio_out.big"))
                    .as("a failed CREATE TABLE … AS creates no table").isInstanceOf(SQLException.class);
            exec(c, "CREATE TABLE akkio_out.capped (order_id BIGINT)");
            assertThatThrownBy(() -> exec(c, "INSERT INTO akkio_out.capped SELECT order_id FROM orders"))
                    .isInstanceOfSatisfying(SQLException.class, DatabricksWriteBackLimitsTest::assertOverTheCap);
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.capped")).isZero();

            String within = "INSERT INTO akkio_out.capped SELECT order_id FROM orders WHERE order_id <= 100";
            assertThat(exec(c, within)).isEqualTo(100);
            assertThat(exec(c, "CREATE TABLE akkio_out.small AS SELECT order_id FROM orders WHERE order_id <= 40"))
                    .isEqualTo(40);
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.capped")).isEqualTo(100);
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.small")).isEqualTo(40);
            assertThat(Files.readString(dbx.auditLog)).contains("\"sql_sha256\":\"" + Sha256.hex(within)
                    + "\",\"decision\":\"allow\",\"code\":\"ALLOWED\",\"rows\":100");
        }
        assertThat(dbx.emulator.statementOutcomes()).filteredOn(o -> o.sql().startsWith("CREATE TABLE `acme_prod`"
                + ".`akkio_out`.`big`")).singleElement().satisfies(o -> {
                    assertThat(o.state()).isEqualTo("FAILED");
                    assertThat(o.sql()).contains("QUALIFY CASE WHEN count(*) OVER () > 100 THEN raise_error(");
                });
    }

    @Test
    void pgjdbcGetsTheSameRuleAndTheSameCounts() throws Exception {
        policy("");
        try (Connection c = dbx.acmeOverPostgres()) {
            exec(c, "CREATE TABLE akkio_out.pg (order_id BIGINT)");
            assertThatThrownBy(() -> exec(c, "INSERT INTO akkio_out.pg SELECT order_id FROM orders WHERE order_id > 0"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("54000");
                        assertThat(e.getMessage()).contains("WRITE_ROWS_EXCEEDED").contains("max_write_rows");
                    });
            assertThat(exec(c, "INSERT INTO akkio_out.pg SELECT order_id FROM orders WHERE order_id <= 99"))
                    .isEqualTo(99);
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.pg")).isEqualTo(99);
        }
    }

    /** Ways to write more rows than the cap past it: CTEs, set operations, subqueries, LIMITs, VALUES in a query. */
    @Test
    void ctesUnionsSubqueriesLimitTricksAndValuesInsideASelectCannotDodgeTheCap() throws Exception {
        policy("");
        String values = IntStream.rangeClosed(1, 150).mapToObj(i -> "(" + i + ")").collect(Collectors.joining(", "));
        List<String> attempts = List.of(
                "INSERT INTO akkio_out.dodge WITH c AS (SELECT order_id FROM orders) SELECT * FROM c",
                "WITH c AS (SELECT order_id FROM orders) INSERT INTO akkio_out.dodge SELECT * FROM c",
                "INSERT INTO akkio_out.dodge SELECT order_id FROM orders WHERE order_id <= 60"
                        + " UNION ALL SELECT order_id FROM orders WHERE order_id <= 60",
                "INSERT INTO akkio_out.dodge (SELECT order_id FROM orders WHERE order_id <= 60)"
                        + " UNION ALL (SELECT order_id FROM orders WHERE order_id <= 60)",
                "INSERT INTO akkio_out.dodge SELECT * FROM (SELECT order_id FROM orders) AS x",
                "INSERT INTO akkio_out.dodge SELECT order_id FROM orders LIMIT 1000",
                "INSERT INTO akkio_out.dodge SELECT order_id FROM orders ORDER BY order_id LIMIT 101",
                "INSERT INTO akkio_out.dodge SELECT a FROM (VALUES " + values + ") AS v(a)",
                "INSERT INTO akkio_out.dodge SELECT order_id FROM orders /* ) AS akkio_write_source LIMIT 1000 */",
                "CREATE OR REPLACE TABLE akkio_out.dodge AS SELECT order_id FROM orders",
                "MERGE INTO akkio_out.dodge AS t USING orders AS s ON t.order_id = s.order_id"
                        + " WHEN NOT MATCHED THEN INSERT (order_id) VALUES (s.order_id)");
        try (Connection c = dbx.acme()) {
            exec(c, "CREATE TABLE akkio_out.dodge (order_id BIGINT)");
            for (String sql : attempts) {
                assertThatThrownBy(() -> exec(c, sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
                        DatabricksWriteBackLimitsTest::assertOverTheCap);
                assertThat(scalar(c, "SELECT count(*) FROM akkio_out.dodge")).as(sql).isZero();
            }
            assertThat(exec(c, "INSERT INTO akkio_out.dodge SELECT a FROM (VALUES (1), (2), (3)) AS v(a)"))
                    .isEqualTo(3);
            exec(c, "MERGE INTO akkio_out.dodge AS t USING (SELECT order_id FROM orders WHERE order_id <= 5) AS s"
                    + " ON t.order_id = s.order_id WHEN NOT MATCHED THEN INSERT (order_id) VALUES (s.order_id)");
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.dodge")).as("a MERGE within the cap").isEqualTo(5);
        }
    }

    @Test
    void theQuotaCountsTheRowsOfEveryWriteAndRefusesWritesOnceTheWindowsQuotaIsSpent() throws Exception {
        policy("write_quota: { max_rows: 150, window_seconds: 3600 }");
        try (Connection c = dbx.acme(); Connection pg = dbx.acmeOverPostgres()) {
            exec(c, "CREATE TABLE akkio_out.q1 AS SELECT order_id FROM orders WHERE order_id <= 60");
            assertThat(exec(pg, "INSERT INTO akkio_out.q1 SELECT order_id FROM orders WHERE order_id <= 60"))
                    .isEqualTo(60);
            // databricks-jdbc answers a statement beginning with WITH with a result: its num_affected_rows counts
            exec(c, "WITH c AS (SELECT order_id FROM orders WHERE order_id <= 5) INSERT INTO akkio_out.q1"
                    + " SELECT * FROM c");
            assertThat(exec(c, "INSERT INTO akkio_out.q1 SELECT order_id FROM orders WHERE order_id <= 30"))
                    .as("checked before it runs: the write that ends the window over the quota is run")
                    .isEqualTo(30);
            for (Connection client : List.of(c, pg)) {
                assertThatThrownBy(() -> exec(client, "INSERT INTO akkio_out.q1 VALUES (1)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("53400");
                            assertThat(e.getMessage()).contains("WRITE_QUOTA_EXCEEDED").contains("written 155 rows")
                                    .contains("150 rows per 3600 s").contains("write_quota.max_rows");
                        });
            }
            assertThatThrownBy(() -> exec(c, "CREATE TABLE akkio_out.q2 AS SELECT 1 AS one"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("53400"));
            assertThat(scalar(c, "SELECT count(*) FROM akkio_out.q1")).as("refused writes were not run")
                    .isEqualTo(155);
        }
        assertThat(Files.readString(dbx.auditLog)).contains("\"code\":\"WRITE_QUOTA_EXCEEDED\"");
    }
}

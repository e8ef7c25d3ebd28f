package com.akkio.dbproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 5: the bounds of write-back in the policy. {@code max_write_rows} fails a write at row max + 1 in the
 * backend (never truncates it) or denies a VALUES list over it; replacing and dropping are statement kinds of their
 * own, denied unless the policy lists them, and only ever on writable objects.
 */
class WriteBackRulesTest {
    private final PolicyEngine engine = new PolicyEngine();

    private static TenantPolicy acme(long maxWriteRows, StatementKind... more) {
        return DemoPolicies.acmeBuilder(Dialect.DUCKDB).allow(more).maxWriteRows(maxWriteRows).decisionCache(0).build();
    }

    @Test
    void aWriteFromAQueryIsRewrittenToFailAtTheRowAfterTheLimit() {
        Decision d = engine.decide(acme(5), "CREATE TABLE akkio_out.t AS SELECT order_id FROM orders");
        assertTrue(d.isAllowed(), d::toString);
        assertEquals("CREATE TABLE \"acme_prod\".\"akkio_out\".\"t\" AS SELECT * FROM (SELECT * FROM (SELECT order_id"
                + " FROM \"acme_prod\".\"sales\".\"orders\") AS akkio_write_source LIMIT 6) AS akkio_write_capped"
                + " QUALIFY CASE WHEN row_number() OVER () > 5 THEN error('WRITE_ROWS_EXCEEDED: the statement would"
                + " write more than 5 rows (rule: max_write_rows); nothing was written') ELSE true END",
                d.rewrittenSql());
        assertTrue(PolicyEngine.writeCapped(d));
        assertFalse(d.rowCapApplied(), "max_rows caps what a query returns, not what a write adds");
        assertEquals(List.of(QualifiedName.parse("acme_prod.sales.orders")), d.reads());
    }

    @Test
    void insertSelectAndSetOperationsAndCtesAreCappedAlike() {
        for (String sql : List.of("INSERT INTO akkio_out.t SELECT order_id FROM orders",
                "INSERT INTO akkio_out.t (SELECT 1 UNION ALL SELECT 2)",
                "INSERT INTO akkio_out.t SELECT 1 UNION ALL SELECT 2",
                "INSERT INTO akkio_out.t WITH c AS (SELECT order_id FROM orders) SELECT * FROM c",
                "INSERT OR REPLACE INTO akkio_out.t SELECT order_id FROM orders")) {
            Decision d = engine.decide(acme(7, StatementKind.INSERT_OR_REPLACE), sql);
            assertTrue(d.isAllowed(), () -> sql + ": " + d);
            assertTrue(d.rewrittenSql().contains("AS akkio_write_source LIMIT 8) AS akkio_write_capped QUALIFY CASE WHEN"
                    + " row_number() OVER () > 7 THEN error('WRITE_ROWS_EXCEEDED: "), () -> sql + ": " + d.rewrittenSql());
        }
    }

    /** Databricks SQL: VALUES lists are counted, a query source is wrapped in the text (DatabricksWriteCapTest). */
    @Test
    void databricksCountsValuesListsAndCapsAQuerySource() {
        TenantPolicy policy = DemoPolicies.acmeBuilder(Dialect.DATABRICKS).maxWriteRows(2).build();
        assertEquals(DenyCode.WRITE_ROWS_EXCEEDED,
                engine.decide(policy, "INSERT INTO akkio_out.t VALUES (1), (2), (3)").code());
        Decision d = engine.decide(policy, "INSERT INTO akkio_out.t SELECT order_id FROM orders");
        assertTrue(d.isAllowed(), d::toString);
        assertTrue(PolicyEngine.writeCapped(d), d.rewrittenSql());
    }

    @Test
    void aValuesListOverTheLimitIsDeniedAndOneWithinItIsLeftAlone() {
        Decision over = engine.decide(acme(2), "INSERT INTO akkio_out.t VALUES (1), (2), (3)");
        assertEquals(DenyCode.WRITE_ROWS_EXCEEDED, over.code(), over::toString);
        assertTrue(over.reason().contains("writes 3 rows") && over.reason().contains("max_write_rows"), over.reason());
        assertEquals("54000", DenyCode.WRITE_ROWS_EXCEEDED.sqlState());
        Decision within = engine.decide(acme(2), "INSERT INTO akkio_out.t VALUES (1), (2)");
        assertEquals("INSERT INTO \"acme_prod\".\"akkio_out\".\"t\" VALUES (1), (2)", within.rewrittenSql());
        assertFalse(PolicyEngine.writeCapped(within));
    }

    @Test
    void writesThatAddNoRowsFromAQueryAreNotRewritten() {
        for (String sql : List.of("CREATE TABLE akkio_out.t (a INT)", "CREATE TABLE akkio_out.t AS SELECT 1 AS a",
                "INSERT INTO akkio_out.t DEFAULT VALUES", "CREATE VIEW akkio_out.v AS SELECT * FROM orders")) {
            Decision d = engine.decide(acme(1), sql);
            assertTrue(d.isAllowed(), () -> sql + ": " + d);
            assertFalse(d.rewrittenSql().contains("akkio_write"), d.rewrittenSql());
        }
    }

    @Test
    void replacingAndDroppingAreDeniedUnlessThePolicyListsThem() {
        TenantPolicy plain = acme(100);
        for (String sql : List.of("CREATE OR REPLACE TABLE akkio_out.t AS SELECT 1 AS a",
                "CREATE OR REPLACE VIEW akkio_out.v AS SELECT 1 AS a", "INSERT OR REPLACE INTO akkio_out.t VALUES (1)",
                "REPLACE INTO akkio_out.t VALUES (1)", "INSERT INTO akkio_out.t VALUES (1) ON CONFLICT DO UPDATE SET a = 2",
                "DROP TABLE akkio_out.t", "DROP VIEW akkio_out.v")) {
            Decision d = engine.decide(plain, sql);
            assertEquals(DenyCode.STATEMENT_KIND_DENIED, d.code(), () -> sql + ": " + d);
        }
        TenantPolicy listing = acme(100, StatementKind.CREATE_OR_REPLACE, StatementKind.INSERT_OR_REPLACE,
                StatementKind.DROP);
        assertEquals(StatementKind.CREATE_OR_REPLACE,
                engine.decide(listing, "CREATE OR REPLACE TABLE akkio_out.t AS SELECT 1 AS a").kind());
        assertEquals(StatementKind.CREATE_OR_REPLACE,
                engine.decide(listing, "CREATE OR REPLACE VIEW akkio_out.v AS SELECT 1 AS a").kind());
        assertEquals(StatementKind.INSERT_OR_REPLACE,
                engine.decide(listing, "INSERT INTO akkio_out.t VALUES (1) ON CONFLICT DO UPDATE SET a = 2").kind());
        assertEquals(StatementKind.DROP, engine.decide(listing, "DROP TABLE IF EXISTS akkio_out.t").kind());
        assertTrue(engine.decide(listing, "DROP TABLE akkio_out.t").isAllowed());
    }

    @Test
    void listedReplaceAndDropStillReachOnlyWritableObjects() {
        TenantPolicy listing = acme(100, StatementKind.CREATE_OR_REPLACE, StatementKind.INSERT_OR_REPLACE,
                StatementKind.DROP);
        for (String sql : List.of("DROP TABLE orders", "DROP TABLE globex_prod.akkio_out.t",
                "CREATE OR REPLACE TABLE sales.orders AS SELECT 1 AS a", "INSERT OR REPLACE INTO orders VALUES (1)")) {
            assertEquals(DenyCode.OBJECT_NOT_WRITABLE, engine.decide(listing, sql).code(), sql);
        }
        assertEquals(DenyCode.UNSUPPORTED_CONSTRUCT, engine.decide(listing, "DROP SCHEMA acme_prod.akkio_out").code());
    }

    @Test
    void onConflictDoNothingOnlyAddsRowsAndIsAPlainInsert() {
        Decision d = engine.decide(acme(100), "INSERT INTO akkio_out.t VALUES (1) ON CONFLICT DO NOTHING");
        assertEquals(StatementKind.INSERT, d.kind(), d::toString);
    }

    @Test
    void maxWriteRowsBelowOneIsAConfigurationError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoPolicies.acmeBuilder(Dialect.DUCKDB).maxWriteRows(0).build());
        assertTrue(e.getMessage().startsWith("max_write_rows"), e.getMessage());
    }

    @Test
    void theBackendsMessageForAWriteOverTheLimitGivesTheRuleBack() {
        String reason = PolicyEngine.writeRowsExceeded("Invalid Input Error: WRITE_ROWS_EXCEEDED: the statement would"
                + " write more than 5 rows (rule: max_write_rows); nothing was written\n\nLINE 1: ...");
        assertEquals("the statement would write more than 5 rows (rule: max_write_rows); nothing was written", reason);
        assertNull(PolicyEngine.writeRowsExceeded("Catalog Error: Table with name x does not exist!"));
        assertNull(PolicyEngine.writeRowsExceeded(null));
    }

    /** The rewrite runs on DuckDB itself: over the limit nothing is written, within it every row in its order. */
    @Test
    void duckDbWritesNothingOverTheLimitAndEveryRowInOrderWithinIt() throws SQLException {
        TenantPolicy policy = acme(1_000);
        String over = engine.decide(policy,
                "CREATE TABLE akkio_out.big AS SELECT i FROM range(5000) AS r(i)").rewrittenSql();
        String within = engine.decide(policy,
                "CREATE TABLE akkio_out.small AS SELECT i FROM range(1000) AS r(i) ORDER BY i DESC").rewrittenSql();
        String insertOver = engine.decide(policy,
                "INSERT INTO akkio_out.small SELECT i FROM range(1001) AS r(i)").rewrittenSql();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement st = c.createStatement()) {
                st.execute("ATTACH ':memory:' AS acme_prod");
                st.execute("CREATE SCHEMA acme_prod.akkio_out");
            }
            SQLException e = assertThrows(SQLException.class, () -> run(c, over));
            assertTrue(PolicyEngine.writeRowsExceeded(e.getMessage()) != null, e.getMessage());
            assertEquals(0L, count(c, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'big'"));
            run(c, within);
            List<Long> firstRows = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT i FROM acme_prod.akkio_out.small LIMIT 3")) {
                while (rs.next()) {
                    firstRows.add(rs.getLong(1));
                }
            }
            assertEquals(List.of(999L, 998L, 997L), firstRows);
            assertThrows(SQLException.class, () -> run(c, insertOver));
            assertEquals(1000L, count(c, "SELECT count(*) FROM acme_prod.akkio_out.small"));
        }
    }

    /** A MERGE that can insert has its source wrapped; run on DuckDB, one over the limit writes nothing. */
    @Test
    void duckDbMergesNothingFromASourceOverTheLimit() throws SQLException {
        TenantPolicy policy = acme(100, StatementKind.MERGE);
        String merge = "MERGE INTO akkio_out.m AS t USING (SELECT i FROM range(%d) AS r(i)) AS s ON t.i = s.i"
                + " WHEN MATCHED THEN UPDATE SET i = s.i WHEN NOT MATCHED THEN INSERT (i) VALUES (s.i)";
        Decision over = engine.decide(policy, merge.formatted(101));
        assertTrue(PolicyEngine.writeCapped(over), over::toString);
        Decision within = engine.decide(policy, merge.formatted(100));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement st = c.createStatement()) {
                st.execute("ATTACH ':memory:' AS acme_prod");
                st.execute("CREATE SCHEMA acme_prod.akkio_out");
                st.execute("CREATE TABLE acme_prod.akkio_out.m (i BIGINT)");
            }
            SQLException e = assertThrows(SQLException.class, () -> run(c, over.rewrittenSql()));
            assertTrue(PolicyEngine.writeRowsExceeded(e.getMessage()) != null, e.getMessage());
            assertEquals(0L, count(c, "SELECT count(*) FROM acme_prod.akkio_out.m"));
            run(c, within.rewrittenSql());
            assertEquals(100L, count(c, "SELECT count(*) FROM acme_prod.akkio_out.m"));
        }
    }

    private static void run(Connection c, String sql) throws SQLException {
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
}

package com.akkio.dbproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 5, on Databricks SQL: {@code max_write_rows} for writes whose rows come from a query. The rewrite is
 * the tenant's own text, so the write cap's wrapper is put around the query's text; the statement then fails in the
 * warehouse ({@code raise_error}) when the query yields more than the limit, and Delta writes nothing of a failed
 * statement. Every allowed write from a query carries exactly the wrapper, whatever the query is made of.
 */
class DatabricksWriteCapTest {
    private static final String CHECK = "QUALIFY CASE WHEN count(*) OVER () > 5 THEN raise_error('WRITE_ROWS_EXCEEDED:"
            + " the statement would write more than 5 rows (rule: max_write_rows); nothing was written') ELSE true END";
    private final PolicyEngine engine = new PolicyEngine();

    private static TenantPolicy acme(long maxWriteRows) {
        return DemoPolicies.acmeBuilder(Dialect.DATABRICKS).allow(StatementKind.CREATE_OR_REPLACE,
                StatementKind.INSERT_OR_REPLACE, StatementKind.MERGE).maxWriteRows(maxWriteRows).decisionCache(0)
                .build();
    }

    @Test
    void aCreateTableAsAndAnInsertSelectHaveTheirQueryWrappedToFailPastTheLimit() {
        Decision ctas = engine.decide(acme(5), "CREATE TABLE akkio_out.t AS SELECT order_id FROM orders");
        assertTrue(ctas.isAllowed(), ctas::toString);
        assertEquals("CREATE TABLE `acme_prod`.`akkio_out`.`t` AS SELECT * FROM (SELECT * FROM (SELECT order_id FROM"
                + " `acme_prod`.`sales`.`orders`) AS akkio_write_source LIMIT 6) AS akkio_write_capped " + CHECK,
                ctas.rewrittenSql());
        assertTrue(PolicyEngine.writeCapped(ctas));
        Decision insert = engine.decide(acme(5), "insert into main.akkio_out.t (id)\n  select order_id\n"
                + "  from orders -- the tenant's own comment\n  where amount > 10;");
        assertEquals("insert into `acme_prod`.`akkio_out`.`t` (id)\n  SELECT * FROM (SELECT * FROM (select order_id\n"
                + "  from `acme_prod`.`sales`.`orders`  \n  where amount > 10) AS akkio_write_source LIMIT 6) AS"
                + " akkio_write_capped " + CHECK, insert.rewrittenSql());
    }

    /**
     * What a tenant might write to get more rows past the cap: each is wrapped whole, or denied (CLONE, which copies
     * a table's rows without a query, is denied; so are forms the parser does not read, such as BY NAME).
     */
    @Test
    void ctesUnionsSubqueriesLimitsAndValuesInsideAQueryCannotDodgeTheCap() {
        List<String> writes = List.of(
                "INSERT INTO akkio_out.t WITH c AS (SELECT order_id FROM orders) SELECT * FROM c",
                "WITH c AS (SELECT order_id FROM orders) INSERT INTO akkio_out.t SELECT * FROM c",
                "INSERT INTO akkio_out.t SELECT order_id FROM orders UNION ALL SELECT order_id FROM orders",
                "INSERT INTO akkio_out.t (SELECT order_id FROM orders) UNION ALL (SELECT 1)",
                "INSERT INTO akkio_out.t (SELECT order_id FROM orders)",
                "INSERT INTO akkio_out.t ((SELECT order_id FROM orders))",
                "INSERT INTO akkio_out.t SELECT * FROM (SELECT order_id FROM orders LIMIT 1) x, orders",
                "INSERT INTO akkio_out.t SELECT order_id FROM orders LIMIT 1000000",
                "INSERT INTO akkio_out.t SELECT order_id FROM orders LIMIT 3 UNION ALL SELECT order_id FROM orders",
                "INSERT INTO akkio_out.t SELECT order_id FROM orders ORDER BY 1 LIMIT ALL",
                "INSERT INTO akkio_out.t SELECT * FROM (VALUES (1), (2), (3), (4), (5), (6), (7)) AS v(a)",
                "INSERT INTO akkio_out.t SELECT explode(sequence(1, 1000000))",
                "INSERT INTO akkio_out.t SELECT 1 FROM orders",
                "INSERT INTO akkio_out.t SELECT * FROM range(1000000)",
                "INSERT INTO akkio_out.t SELECT order_id FROM orders /* ) AS akkio_write_source LIMIT 6 */",
                "INSERT INTO akkio_out.t SELECT 'QUALIFY CASE WHEN' AS a FROM orders",
                "INSERT OVERWRITE akkio_out.t SELECT order_id FROM orders",
                "INSERT OVERWRITE TABLE akkio_out.t SELECT order_id FROM orders",
                "INSERT INTO TABLE akkio_out.t SELECT order_id FROM orders",
                "CREATE TABLE akkio_out.t AS (SELECT order_id FROM orders)",
                "CREATE TABLE akkio_out.t USING DELTA AS SELECT order_id FROM orders",
                "CREATE OR REPLACE TABLE akkio_out.t AS SELECT order_id FROM orders",
                "CREATE TABLE IF NOT EXISTS akkio_out.t AS SELECT order_id FROM orders",
                "CREATE TABLE akkio_out.t AS WITH c AS (SELECT order_id FROM orders) SELECT * FROM c",
                "CREATE TABLE akkio_out.t AS SELECT order_id FROM orders TABLESAMPLE (100 PERCENT)",
                "CREATE TABLE akkio_out.t AS SELECT * FROM orders a LEFT ANTI JOIN orders b ON a.order_id = b.order_id",
                "INSERT INTO akkio_out.t SELECT order_id FROM orders "
                        + "QUALIFY CASE WHEN count(*) OVER () > 5 THEN NULL ELSE true END",
                "REPLACE TABLE akkio_out.t AS SELECT order_id FROM orders",
                "INSERT INTO akkio_out.t TABLE orders",
                "INSERT INTO akkio_out.t BY NAME SELECT order_id FROM orders",
                "INSERT INTO akkio_out.t REPLACE WHERE id > 1 SELECT order_id FROM orders",
                "CREATE TABLE akkio_out.t AS VALUES (1), (2), (3), (4), (5), (6), (7)",
                "CREATE TABLE akkio_out.t DEEP CLONE orders",
                "CREATE TABLE akkio_out.t SHALLOW CLONE orders",
                "CREATE OR REPLACE TABLE akkio_out.t CLONE orders",
                "INSERT INTO akkio_out.t FROM orders SELECT order_id");
        int allowed = 0;
        for (String sql : writes) {
            Decision d = engine.decide(acme(5), sql);
            if (d.isAllowed()) {
                allowed++;
                assertTrue(PolicyEngine.writeCapped(d) && d.rewrittenSql().endsWith(") AS akkio_write_capped " + CHECK),
                        () -> sql + " -> " + d.rewrittenSql());
                assertEquals(1, occurrences(d.rewrittenSql(), "AS akkio_write_capped"), d.rewrittenSql());
            }
        }
        assertTrue(allowed >= 20, "most of these are ordinary writes and allowed: " + allowed);
    }

    /** A MERGE inserts at most one row per source row: its source is wrapped, as a table under its alias. */
    @Test
    void aMergeThatCanInsertHasItsSourceWrappedAndOneThatCannotIsLeftAlone() {
        String wrapped = "SELECT * FROM (SELECT * FROM (SELECT * FROM `acme_prod`.`sales`.`orders`) AS"
                + " akkio_write_source LIMIT 6) AS akkio_write_capped " + CHECK;
        Decision table = engine.decide(acme(5), "MERGE INTO akkio_out.t AS t USING orders AS s ON t.id = s.order_id"
                + " WHEN NOT MATCHED THEN INSERT (id) VALUES (s.order_id)");
        assertEquals("MERGE INTO `acme_prod`.`akkio_out`.`t` AS t USING (" + wrapped + ") AS s ON t.id = s.order_id"
                + " WHEN NOT MATCHED THEN INSERT (id) VALUES (s.order_id)", table.rewrittenSql());
        Decision query = engine.decide(acme(5), "MERGE INTO akkio_out.t t USING (SELECT * FROM orders"
                + " TABLESAMPLE (50 PERCENT)) s ON t.id = s.order_id WHEN MATCHED THEN UPDATE SET id = s.order_id"
                + " WHEN NOT MATCHED THEN INSERT (id) VALUES (s.order_id)");
        assertEquals("MERGE INTO `acme_prod`.`akkio_out`.`t` t USING (SELECT * FROM (SELECT * FROM (SELECT * FROM"
                + " `acme_prod`.`sales`.`orders` TABLESAMPLE (50 PERCENT)) AS akkio_write_source LIMIT 6) AS"
                + " akkio_write_capped " + CHECK + ") s ON t.id = s.order_id WHEN MATCHED THEN UPDATE SET id ="
                + " s.order_id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.order_id)", query.rewrittenSql());
        assertTrue(PolicyEngine.writeCapped(table) && PolicyEngine.writeCapped(query));
        Decision updates = engine.decide(acme(5), "MERGE INTO akkio_out.t t USING orders s ON t.id = s.order_id"
                + " WHEN MATCHED THEN DELETE");
        assertTrue(updates.isAllowed() && !updates.rewrittenSql().contains("akkio_write"), updates::toString);
        assertEquals(DenyCode.UNSUPPORTED_CONSTRUCT, engine.decide(acme(5), "MERGE INTO akkio_out.t t USING orders"
                + " ON t.id = orders.order_id WHEN NOT MATCHED THEN INSERT (id) VALUES (orders.order_id)").code());
    }

    @Test
    void valuesListsAreCountedAndOneRowOfConstantsIsLeftAlone() {
        assertEquals(DenyCode.WRITE_ROWS_EXCEEDED,
                engine.decide(acme(2), "INSERT INTO akkio_out.t VALUES (1), (2), (3)").code());
        for (String sql : List.of("INSERT INTO akkio_out.t VALUES (1), (2)", "INSERT INTO akkio_out.t SELECT 1, 'a'",
                "CREATE TABLE akkio_out.t (a INT)", "CREATE VIEW akkio_out.v AS SELECT * FROM orders")) {
            Decision d = engine.decide(acme(2), sql);
            assertTrue(d.isAllowed() && !d.rewrittenSql().contains("akkio_write"), () -> sql + " -> " + d);
        }
    }

    @Test
    void theWarehousesErrorGivesTheRuleBackButAStatementQuotedInAnErrorDoesNot() {
        String raised = "[USER_RAISED_EXCEPTION] WRITE_ROWS_EXCEEDED: the statement would write more than 5 rows"
                + " (rule: max_write_rows); nothing was written SQLSTATE: P0001";
        assertEquals("the statement would write more than 5 rows (rule: max_write_rows); nothing was written",
                PolicyEngine.writeRowsExceeded(raised));
        assertNull(PolicyEngine.writeRowsExceeded("[PARSE_SYNTAX_ERROR] Syntax error at or near 'x'. == SQL =="
                + " INSERT INTO t SELECT * FROM (SELECT * FROM (x) AS akkio_write_source LIMIT 6) AS"
                + " akkio_write_capped QUALIFY CASE WHEN count(*) OVER () > 5 THEN raise_error('WRITE_ROWS_EXCEEDED:"
                + " the statement would write more than 5 rows (rule: max_write_rows); nothing was written') ELSE"
                + " true END"));
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}

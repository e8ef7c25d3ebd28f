package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Which result columns are a table's columns: said for plain one-table SELECTs, never guessed for the rest. */
class ResultColumnsTest {
    private static Optional<ResultColumns> of(String sql) {
        return ResultColumns.of(sql, Dialect.DUCKDB);
    }

    @Test
    void plainColumnsRenamedOrQualifiedAreTheTablesAndExpressionsAreNot() {
        ResultColumns r = of("SELECT o.order_id, tenant_tag AS t, amount * 2 AS amount, \"O\".customer_id"
                + " FROM \"acme_prod\".\"sales\".\"orders\" o LIMIT 10").orElseThrow();
        assertThat(r.table()).isEqualTo(new QualifiedName("acme_prod", "sales", "orders"));
        assertThat(r.columnOf(0, 4, "order_id")).isEqualTo("order_id");
        assertThat(r.columnOf(1, 4, "t")).isEqualTo("tenant_tag");
        assertThat(r.columnOf(2, 4, "amount")).as("computed, whatever its label").isNull();
        assertThat(r.columnOf(3, 4, "customer_id")).isEqualTo("customer_id");
        assertThat(r.columnOf(0, 5, "order_id")).as("a result of another shape").isNull();
    }

    @Test
    void starMapsEveryResultColumnByItsLabel() {
        ResultColumns r = of("SELECT * FROM acme_prod.sales.orders WHERE order_id < 3").orElseThrow();
        assertThat(r.columnOf(3, 5, "ordered_at")).isEqualTo("ordered_at");
    }

    @Test
    void joinsSetOperationsSubqueriesAndUnqualifiedTablesSayNothing() {
        assertThat(of("SELECT o.order_id FROM acme_prod.sales.orders o JOIN acme_prod.sales.customers c"
                + " ON o.customer_id = c.customer_id")).isEmpty();
        assertThat(of("SELECT order_id FROM acme_prod.sales.orders UNION SELECT 1")).isEmpty();
        assertThat(of("SELECT x FROM (SELECT order_id AS x FROM acme_prod.sales.orders) s")).isEmpty();
        assertThat(of("SELECT order_id FROM orders")).isEmpty();
        assertThat(of("SELECT *, 1 AS one FROM acme_prod.sales.orders")).isEmpty();
        assertThat(of("SELECT 1")).isEmpty();
        assertThat(of("not sql at all")).isEmpty();
        ResultColumns other = of("SELECT c.name FROM acme_prod.sales.orders o").orElseThrow();
        assertThat(other.columnOf(0, 1, "name")).as("qualified with another table's name").isNull();
    }

    /**
     * The engine tells a decision's result columns from the tree its rewrite was deparsed from, so that the proxy does
     * not parse the rewrite again: that must be exactly what parsing the rewrite tells, for every statement of the
     * corpora (as its own text and with a literal changed, which a shape's template decides), both dialects.
     */
    @Test
    void aDecisionTellsTheResultColumnsItsRewriteParsedAgainWouldTell() {
        int plain = 0;
        int allowed = 0;
        for (Dialect dialect : Dialect.values()) {
            for (TenantPolicy policy : List.of(DemoPolicies.acme(dialect), DemoPolicies.globex(dialect))) {
                PolicyEngine engine = new PolicyEngine();
                for (String sql : FastSelectTest.corpus()) {
                    for (String text : List.of(sql, sql, sql.replace(" 1", " 7"), sql.replace("'", "'x"))) {
                        Decision d = engine.decide(policy, text);
                        if (d.isAllowed()) {
                            allowed++;
                            Optional<ResultColumns> parsed = ResultColumns.of(d.rewrittenSql(), dialect);
                            assertThat(d.resultColumns()).as("%s, %s: %s", dialect, policy.tenant(), text)
                                    .isEqualTo(parsed);
                            plain += parsed.isPresent() ? 1 : 0;
                        }
                    }
                }
            }
        }
        System.out.printf("result columns told by decisions: %d allowed, %d plain%n", allowed, plain);
        assertThat(plain).isGreaterThan(100);
    }
}

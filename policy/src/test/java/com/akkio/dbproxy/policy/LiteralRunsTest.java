package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * Long literal lists after IN are parsed folded ({@link LiteralRuns}): the tree must be the ordinary parse's, and every
 * decision the one the re-parse alone makes, allowed or denied.
 */
class LiteralRunsTest {
    private static final TenantPolicy ACME = FuzzOracle.ACME;

    private static String numbers(int n) {
        return IntStream.range(0, n).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    private static String strings(int n) {
        return IntStream.range(0, n).mapToObj(i -> "'v''" + i + "'").collect(Collectors.joining(","));
    }

    private static final List<String> STATEMENTS = List.of(
            "SELECT order_id FROM orders WHERE order_id IN (" + numbers(40) + ")",
            "select o.order_id from main.sales.orders o where o.status not in (" + strings(50) + ") order by 1",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(33) + ") AND customer_id IN (" + numbers(64)
                    + ") LIMIT 5",
            "SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM customers WHERE customer_id IN ("
                    + numbers(100) + "))",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(40) + ") UNION SELECT * FROM orders",
            "SELECT * FROM orders o JOIN globex_prod.sales.orders g USING (order_id) WHERE o.order_id IN ("
                    + numbers(40) + ")",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(40) + ", order_id)",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(40) + ", 1.5)",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(40) + ") -- trailing comment",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(40) + ",)",
            "SELECT * FROM orders WHERE order_id IN (" + numbers(40) + "); DROP TABLE orders");

    @Test
    void aFoldedParseHasTheTreeOfTheOrdinaryParse() throws Exception {
        String sql = STATEMENTS.get(2);
        SqlParser.Parsed folded = SqlParser.parse(sql, Dialect.DUCKDB, true);
        SqlParser.Parsed ordinary = SqlParser.parse(sql, Dialect.DUCKDB);
        assertThat(folded.folded()).isTrue();
        assertThat(ordinary.folded()).isFalse();
        assertThat(folded.statements().toString()).isEqualTo(ordinary.statements().toString());
        assertThat(folded.tokens()).extracting(t -> t.image)
                .isEqualTo(ordinary.tokens().stream().map(t -> t.image).toList());
    }

    @Test
    void shortListsStringsWithPrefixesAndDatabricksTextsAreNotFolded() throws Exception {
        assertThat(SqlParser.parse("SELECT 1 FROM t WHERE a IN (" + numbers(LiteralRuns.MIN_RUN - 1) + ")",
                Dialect.DUCKDB, true).folded()).isFalse();
        assertThat(SqlParser.parse("SELECT 1 FROM t WHERE a IN (" + numbers(40) + ", E'x')", Dialect.DUCKDB,
                true).folded()).isFalse();
        assertThat(SqlParser.parse("SELECT 1 FROM t WHERE a IN (" + numbers(40) + ")", Dialect.DATABRICKS,
                true).folded()).isFalse();
        // inside brackets the parser's lookahead reads a long list otherwise (TPC-DS q8): never folded there
        assertThat(SqlParser.parse("SELECT 1 FROM t WHERE (a IN (" + numbers(40) + "))", Dialect.DUCKDB,
                true).folded()).isFalse();
        assertThat(SqlParser.parse("SELECT * FROM (SELECT 1 FROM t WHERE a IN (" + numbers(40) + ")) s",
                Dialect.DUCKDB, true).folded()).isFalse();
        assertThat(SqlParser.parse("SELECT * FROM t WHERE a IN (1, 2) AND b IN (" + numbers(40) + ")",
                Dialect.DUCKDB, true).folded()).isTrue();
    }

    @Test
    void everyStatementWithALongListIsDecidedAsTheReparseDecidesIt() {
        PolicyEngine engine = new PolicyEngine();
        long folded = LiteralRuns.FOLDED.sum();
        int allowed = 0;
        for (String sql : STATEMENTS) {
            Decision withFolding = engine.decide(ACME, sql);
            Decision byReparse = PolicyEngine.decideByReparse(ACME, sql);
            ShapeTemplateTest.assertSameDecision(withFolding, byReparse, sql);
            assertThat(withFolding.reason()).as("reason: %s", sql).isEqualTo(byReparse.reason());
            allowed += withFolding.isAllowed() ? 1 : 0;
        }
        assertThat(allowed).as("allowed and denied statements both").isBetween(3, STATEMENTS.size() - 3);
        // folded: every list of 32 or more plain literals outside brackets (7 statements; not the subquery's list,
        // nor the lists ending in a name, a decimal or a comma), whether the decision stood or was made again
        assertThat(LiteralRuns.FOLDED.sum() - folded).as("folded parses").isEqualTo(7);
    }

    @Test
    void theHostileInListIsAllowedWithEveryElementSentAsWritten() {
        String sql = "SELECT order_id FROM orders WHERE order_id IN (" + "1,".repeat(47_500) + "2)";
        long folded = LiteralRuns.FOLDED.sum();
        long proven = RewriteProof.PROVEN.sum();
        Decision d = new PolicyEngine().decide(ACME, sql);
        assertThat(LiteralRuns.FOLDED.sum() - folded).as("parsed folded").isEqualTo(1);
        assertThat(RewriteProof.PROVEN.sum() - proven).as("the folded decision proven").isEqualTo(1);
        assertThat(d.isAllowed()).isTrue();
        assertThat(d.rewrittenSql()).contains("IN (1, 1, 1").endsWith("1, 2) LIMIT 10000");
        assertThat(d.rewrittenSql().split(",", -1)).hasSize(47_501);
    }
}

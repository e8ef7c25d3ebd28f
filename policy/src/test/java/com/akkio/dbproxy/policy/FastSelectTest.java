package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link FastSelect} must build JSqlParser's own tree, field by field and with the same token spans, for every text it
 * reads, and read the common analytic statements (else it is no faster); and the grammar, when it reads the tokens
 * {@link FastLexer} cut, must build the tree it builds from its own lexer's. Differential over the corpora the engine
 * is tested with, their mutations, and LLM-style analytics, in both dialects; {@link TreeComparison} compares.
 */
class FastSelectTest {
    /** Statements as an application's LLM writes them against the demo world. */
    static final List<String> ANALYTICS = List.of(
            "SELECT c.country_code, count(*) AS orders, sum(o.amount) AS revenue FROM main.sales.orders o"
                    + " JOIN customers c ON o.customer_id = c.customer_id WHERE o.ordered_at >= TIMESTAMP '2025-01-01'"
                    + " GROUP BY c.country_code ORDER BY revenue DESC",
            "SELECT * FROM orders WHERE customer_id = ?",
            "SELECT order_id, amount FROM sales.orders WHERE amount > 100 ORDER BY amount DESC LIMIT 10",
            "SELECT customer_id, count(DISTINCT order_id) AS n, avg(amount) AS avg_amount FROM orders"
                    + " GROUP BY customer_id HAVING count(*) > 5 ORDER BY n DESC, customer_id LIMIT 20",
            "SELECT o.order_id, o.amount * 1.2 AS gross, c.country_code FROM orders AS o LEFT JOIN customers AS c"
                    + " ON c.customer_id = o.customer_id WHERE c.country_code IN ('US', 'GB', 'DE') AND o.amount"
                    + " BETWEEN 10 AND 500",
            "SELECT country_code, CASE WHEN sum(amount) > 1000 THEN 'high' WHEN sum(amount) > 100 THEN 'mid'"
                    + " ELSE 'low' END AS band FROM orders o JOIN customers c USING (customer_id) GROUP BY"
                    + " country_code",
            "SELECT DISTINCT country_code FROM customers WHERE country_code IS NOT NULL ORDER BY 1",
            "SELECT customer_id, max(ordered_at) AS last_order, min(ordered_at) AS first_order FROM orders"
                    + " WHERE ordered_at < DATE '2025-06-01' AND (amount > 10 OR customer_id = 3) GROUP BY 1",
            "SELECT count(*) FROM orders WHERE tenant_tag LIKE 'ac%' AND customer_id NOT IN (1, 2, 3)",
            "SELECT round(sum(amount) / count(*), 2) AS mean, -1 AS minus_one, 'a' || 'b' AS ab FROM orders",
            "SELECT date_trunc('month', ordered_at) AS month, sum(amount) AS total FROM orders GROUP BY"
                    + " date_trunc('month', ordered_at) ORDER BY month",
            "SELECT c.country_code, sum(o.amount) FROM orders o, customers c WHERE o.customer_id = c.customer_id"
                    + " GROUP BY c.country_code;",
            "SELECT o.* FROM orders o WHERE o.amount <> 0 AND o.customer_id != 7 AND o.amount <= 9.5",
            "SELECT \"order_id\", amount % 3 AS m FROM main.sales.orders WHERE NOT amount IS NULL",
            "SELECT order_id FROM orders WHERE customer_id IN (SELECT customer_id FROM customers)",
            "SELECT count(*) OVER (PARTITION BY customer_id) FROM orders",
            "SELECT c.name, cc.name AS country, count(*) AS n FROM customers c JOIN shared.geo.countries cc"
                    + " ON cc.country_code = c.country_code GROUP BY c.name, cc.name ORDER BY n DESC LIMIT 5",
            "SELECT name, type, data, level FROM t WHERE name LIKE 'A%' AND NOT type = 'x' OR level >= 2",
            "SELECT year(ordered_at) AS year, month(ordered_at) AS month, sum(amount) AS value FROM orders"
                    + " GROUP BY 1, 2 ORDER BY 1, 2",
            "SELECT t.value, t.key, t.date FROM t WHERE NOT t.value IN (1, 2) AND t.key IS NULL",
            "WITH recent AS (SELECT customer_id, sum(amount) AS total FROM orders WHERE ordered_at >="
                    + " DATE '2025-03-01' GROUP BY customer_id), top AS (SELECT * FROM recent ORDER BY total DESC"
                    + " LIMIT 10) SELECT c.country_code, t.total FROM top t JOIN customers c ON c.customer_id ="
                    + " t.customer_id",
            "SELECT s.country_code, s.n FROM (SELECT country_code, count(*) AS n FROM customers GROUP BY"
                    + " country_code) s WHERE s.n > (SELECT avg(amount) FROM orders) ORDER BY s.n DESC",
            "SELECT customer_id, order_id, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn,"
                    + " sum(amount) OVER (PARTITION BY customer_id) AS customer_total, rank() OVER (ORDER BY"
                    + " ordered_at) AS r FROM orders",
            "SELECT amount - 1 || 'x' AS a, 2 * amount + 1 AS b, (amount + 1) * 2 AS c, -amount AS d FROM orders"
                    + " WHERE (amount > 1 OR amount < 0) AND NOT (customer_id = 1)",
            "SELECT CAST(amount AS DECIMAL(7, 2)) AS a, cast(ordered_at AS DATE) AS d, CAST(customer_id AS INT) + 1"
                    + " AS c FROM orders WHERE CAST(ordered_at AS DATE) BETWEEN CAST('2025-01-01' AS DATE) AND"
                    + " (CAST('2025-01-01' AS DATE) + INTERVAL 30 days) AND amount > CAST(9 AS decimal(15,4))",
            "SELECT ((amount + 1) * 2) / (3 - (customer_id % 2)) AS x FROM orders WHERE ((amount > 1 AND"
                    + " customer_id = 2) OR (amount < 0)) AND ((customer_id IN (1, 2)))",
            "SELECT o.order_id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.customer_id ="
                    + " o.customer_id) AND NOT EXISTS (SELECT * FROM customers c2 WHERE c2.country_code = 'US')",
            "SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM customers EXCEPT SELECT 3 ORDER BY 1"
                    + " LIMIT 10",
            "SELECT country_code, count(*) FROM (SELECT country_code FROM customers INTERSECT DISTINCT SELECT"
                    + " country_code FROM shared.geo.countries) x GROUP BY ROLLUP (country_code)",
            "SELECT substr(country_code, 1, 1) AS c, substring(name, 2) AS n, coalesce(sum(amount), 0) AS total,"
                    + " grouping(country_code) AS g FROM customers GROUP BY country_code",
            "SELECT sum(t.amount) FROM ((SELECT amount FROM orders WHERE amount > 5) UNION ALL (SELECT amount FROM"
                    + " orders WHERE amount < 0)) t",
            "WITH a AS (SELECT customer_id FROM orders UNION SELECT customer_id FROM customers) SELECT count(*)"
                    + " FROM a WHERE customer_id IN (SELECT customer_id FROM orders INTERSECT SELECT customer_id"
                    + " FROM customers)",
            "SELECT sum((amount + 1)), avg(((amount) - 1) / 2), ordered_at - INTERVAL '2' hours FROM orders",
            "SELECT order_id FROM orders WHERE ordered_at >= CAST('2025-06-01' AS DATE) - INTERVAL 30 DAY AND"
                    + " ordered_at < DATE '2025-06-01' + INTERVAL '1' MONTH ORDER BY amount DESC NULLS LAST,"
                    + " customer_id NULLS FIRST",
            "SELECT date_trunc('month', ordered_at) AS month, count(*) AS n FROM orders WHERE NOT (amount < 0 OR"
                    + " customer_id IS NULL) GROUP BY 1 ORDER BY month",
            "SELECT customer_id, sum(amount) OVER (PARTITION BY customer_id ORDER BY ordered_at ROWS BETWEEN"
                    + " UNBOUNDED PRECEDING AND CURRENT ROW) AS running, avg(amount) OVER (ORDER BY ordered_at ROWS"
                    + " BETWEEN 6 PRECEDING AND CURRENT ROW) AS avg7, sum(amount) OVER (ORDER BY ordered_at RANGE"
                    + " BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest, count(*) OVER (ORDER BY amount ROWS 2"
                    + " PRECEDING) AS n, CAST(customer_id AS STRING) AS id FROM orders");

    /**
     * Texts at the edges of what the reader takes (the grammar reads most of them another way, or refuses them):
     * kept in the corpus, and seeds of its mutants.
     */
    static final List<String> EDGES = List.of(
            "SELECT * EXCEPT (SELECT 1) FROM orders",
            "SELECT * EXCEPT SELECT 1",
            "SELECT o.* EXCEPT (amount) FROM orders o UNION SELECT 1",
            "SELECT amount FROM orders ORDER BY amount UNION SELECT 1",
            "SELECT amount FROM orders UNION ALL (SELECT 1) ORDER BY 1",
            "SELECT amount FROM orders UNION ALL SELECT 1 LIMIT 5",
            "SELECT amount FROM orders LIMIT 5 UNION SELECT 1",
            "SELECT amount FROM orders UNION ALL BY NAME SELECT 1 MINUS SELECT 2",
            "SELECT amount FROM orders MINUS SELECT 2",
            "SELECT CAST(amount AS DOUBLE PRECISION), CAST(amount AS VARCHAR(10)), CAST(amount AS DECIMAL(7, 2)"
                    + " FORMAT 'x'), CAST(amount AS INT[]) FROM orders",
            "SELECT CAST(ordered_at AS TIMESTAMP WITH TIME ZONE), CAST(ordered_at AS DATE ), CAST(a = 1 AS int),"
                    + " CAST(a AS DECIMAL(99999999999, 2)), cast FROM orders",
            "SELECT INTERVAL 5 DAY, INTERVAL -5 days, INTERVAL '5' x, INTERVAL 5 + 1, INTERVAL (5) days FROM orders",
            "SELECT substring(name FROM 2 FOR 3), substr(name IN ('a'), 1), trim(name), substr() FROM customers",
            "SELECT ((SELECT 1)) + 1, ((SELECT 1) UNION (SELECT 2)), ((1)) FROM orders",
            "SELECT * FROM ((SELECT 1) UNION ALL (SELECT 2) ORDER BY 1) t, ((SELECT 3)) u",
            "WITH a AS ((SELECT 1) UNION (SELECT 2)), b AS ((SELECT 1)) SELECT * FROM a",
            "SELECT EXISTS (SELECT 1) = true, NOT EXISTS (SELECT 1), EXISTS ((SELECT 1) UNION (SELECT 2)) FROM orders",
            "SELECT sum((amount, 1)), f((amount)), count((amount)) FROM orders GROUP BY (amount)",
            "SELECT coalesce, grouping FROM orders GROUP BY GROUPING SETS ((amount), (customer_id))",
            "SELECT sum(amount) OVER (ORDER BY amount ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW),"
                    + " sum(amount) OVER (ORDER BY amount ROWS CURRENT ROW), sum(amount) OVER (ROWS UNBOUNDED"
                    + " FOLLOWING), sum(amount) OVER (ORDER BY amount GROUPS 1 PRECEDING), amount PRECEDING FROM orders",
            "SELECT sum(amount) OVER (ORDER BY amount RANGE BETWEEN INTERVAL 1 days PRECEDING AND CURRENT ROW),"
                    + " CAST(amount AS STRING(5)), CAST(amount AS BOOLEAN) FROM orders",
            "SELECT * FROM orders WHERE NOT (amount) = 1 AND NOT (amount, 1) IN ((1, 1)) OR NOT (SELECT 1) = 1 AND"
                    + " NOT ((amount > 1)) AND NOT (amount > 1) IS NULL AND NOT NOT (amount > 1)",
            "SELECT month, year + 1, day(ordered_at), month.x, t.month, hour FROM orders t ORDER BY month, year DESC",
            "SELECT INTERVAL 1 DAY(3), INTERVAL '1:2' HOUR TO MINUTE, INTERVAL '1' SECOND(2, 3), INTERVAL 2 DAY x,"
                    + " INTERVAL 2 DAY AS y FROM orders",
            "SELECT amount FROM orders ORDER BY amount NULLS, customer_id DESC NULLS FIRST WITH ROLLUP",
            "SELECT first, last, nulls, amount nulls FROM orders ORDER BY first NULLS LAST",
            // the isolation levels (CS, UR, RS, RR) are one keyword to the lexer and names to the grammar, but not
            // after WITH at the end (TPC-DS: catalog_sales cs)
            "SELECT cs.order_id, cs, ur.amount rs FROM orders cs JOIN customers ur ON cs.customer_id = ur.customer_id"
                    + " WHERE cs.amount > rr GROUP BY cs.order_id ORDER BY rs",
            "SELECT cs(amount), cs.* , rr FROM orders AS cs WITH UR",
            "SELECT amount FROM orders cs WITH cs",
            "SELECT INTERVAL 1 cs, INTERVAL '1' rs FROM orders",
            "SELECT a FROM (SELECT amount a FROM orders) cs, customers rs UNION SELECT cs FROM ur",
            // a date part as a qualified column's name (TPC-DS: t_s_firstyear.year), and where it is not one
            "SELECT o.year, o.month + 1 AS m, o.day.x FROM orders o WHERE o.year = 2001 AND o.month(1) > 0",
            "SELECT t.year(amount), year, t.year FROM orders t ORDER BY t.year",
            // a signed string: the grammar links the string to its primary's node too (found by 100,000 mutants)
            "SELECT -'x', - 'y' || 'z', -1, -amount FROM orders WHERE -'1' < amount");

    /** The statements of every corpus the engine is tested with, {@link #ANALYTICS} and {@link #EDGES}. */
    static List<String> corpus() {
        List<String> all = new ArrayList<>(ANALYTICS);
        all.addAll(EDGES);
        all.addAll(FuzzOracle.policyTestStatements());
        all.addAll(DatabricksCorpusTest.statements());
        all.addAll(FuzzOracle.tpcdsQueries());
        return all;
    }

    /**
     * The differences found between the two readings of {@code sql}, as written and with long IN lists folded
     * ({@link LiteralRuns}); counts into {@code read} what the reader took.
     */
    private static void compare(String sql, Dialect dialect, int[] read, List<String> findings) {
        compare(sql, dialect, false, read, findings);
        if (dialect == Dialect.DUCKDB) {
            compare(sql, dialect, true, new int[1], findings);
        }
    }

    private static void compare(String sql, Dialect dialect, boolean fold, int[] read, List<String> findings) {
        Object byGrammar;
        Object byReader;
        try {
            byGrammar = SqlParser.parse(sql, dialect, fold, false);
        } catch (SqlParser.SyntaxError | RuntimeException e) {
            byGrammar = e.getClass();
        }
        try {
            byReader = SqlParser.parse(sql, dialect, fold, true);
        } catch (SqlParser.SyntaxError | RuntimeException e) {
            byReader = e.getClass();
        }
        if (!(byGrammar instanceof SqlParser.Parsed grammar) || !(byReader instanceof SqlParser.Parsed reader)) {
            if (!byGrammar.equals(byReader)) {
                findings.add(dialect + ": " + byGrammar + " vs " + byReader + ": " + sql);
            }
            return;
        }
        if (FastSelect.parse(reader.tokens()) != null) {
            read[0]++;
        }
        // compared whether the reader took it or the grammar read FastLexer's tokens (or its own)
        String difference = TreeComparison.difference(grammar.statements(), reader.statements());
        if (difference == null && !grammar.statements().toString().equals(reader.statements().toString())) {
            difference = "deparsed " + grammar.statements() + " vs " + reader.statements();
        }
        if (difference == null && grammar.folded() != reader.folded()) {
            difference = "folded " + grammar.folded() + " vs " + reader.folded();
        }
        if (difference != null) {
            findings.add(dialect + (fold ? ", folded: " : ": ") + difference + ": " + sql);
        }
    }

    @Test
    void everyCorpusStatementTheReaderTakesIsTheGrammarsTree() {
        List<String> findings = new ArrayList<>();
        int[] read = {0};
        List<String> corpus = corpus();
        for (String sql : corpus) {
            compare(sql, Dialect.DUCKDB, read, findings);
            compare(sql, Dialect.DATABRICKS, read, findings);
        }
        System.out.printf("fast reader: %d of %d corpus readings taken, %d findings%n", read[0], corpus.size() * 2,
                findings.size());
        assertThat(findings).isEmpty();
    }

    @Test
    void mutatedStatementsTheReaderTakesAreTheGrammarsTrees() {
        List<String> seeds = corpus();
        Random random = new Random(Long.getLong("akkio.fuzz.seed", 20261206L));
        int rounds = Integer.getInteger("akkio.fast.mutations", 20_000);
        List<String> findings = new ArrayList<>();
        int[] read = {0};
        for (int i = 0; i < rounds && findings.size() < 20; i++) {
            String seed = i % 2 == 0 ? ANALYTICS.get(random.nextInt(ANALYTICS.size()))
                    : seeds.get(random.nextInt(seeds.size()));
            String sql = MutationFuzzTest.mutate(seed, seeds, random);
            compare(sql, i % 4 < 2 ? Dialect.DUCKDB : Dialect.DATABRICKS, read, findings);
        }
        System.out.printf("fast reader: %d of %d mutants taken, %d findings%n", read[0], rounds, findings.size());
        assertThat(findings).isEmpty();
        assertThat(read[0]).as("mutants the reader took").isGreaterThan(rounds / 20);
    }

    @Test
    void theCommonAnalyticShapesAreReadWithoutTheGrammar() throws SqlParser.SyntaxError {
        int taken = 0;
        for (String sql : ANALYTICS) {
            if (FastSelect.parse(SqlParser.parse(sql, Dialect.DUCKDB, false, true).tokens()) != null) {
                taken++;
            } else {
                System.out.println("left to the grammar: " + sql);
            }
        }
        assertThat(taken).as("analytic statements read without the grammar").isGreaterThanOrEqualTo(
                ANALYTICS.size() * 2 / 3);
    }

    /**
     * The reader builds names without JSqlParser's constructors (NameNodes) unless a name holds a dot, which those
     * constructors split; both kinds, in every place a name is built, must give the grammar's tree.
     */
    @Test
    void namesWithAndWithoutDotsInThemAreTheGrammarsNodes() throws SqlParser.SyntaxError {
        List<String> statements = List.of(
                "SELECT \"a.b\" FROM t",
                "SELECT t.\"a.b\", \"x.y\".c, \"x.y\".\"c.d\" FROM \"x.y\" JOIN u USING (\"k.l\")",
                "SELECT s.t.c, \"s.t\".u.c, s.\"t.u\".c FROM s.t JOIN \"s.t\".u ON s.t.c = u.c",
                "SELECT c FROM \"t.u\" WHERE c > 1",
                "SELECT x.* FROM \"a.b\" x JOIN y USING (k)",
                "SELECT \"x.y\".* FROM \"x.y\"",
                "SELECT a.b.c.d FROM a.b.c");
        List<String> findings = new ArrayList<>();
        int[] read = {0};
        for (String sql : statements) {
            compare(sql, Dialect.DUCKDB, read, findings);
        }
        assertThat(findings).isEmpty();
        assertThat(read[0]).as("statements the reader took").isGreaterThanOrEqualTo(statements.size() - 1);
    }
}

package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Statements that differ only in literal values are decided from their shape's template: the decision must always be
 * the one a full parse gives, for any literal content, and a template must never let a statement's structure change.
 */
class ShapeTemplateTest {
    /** Characters a string slot may hold, the ones that mean something to a lexer outside a string included. */
    private static final String STRING_CHARS = "abcXYZ019 %_-:/.,;()*\"`$#@!?{}[]=<>|&^~+";

    private final PolicyEngine engine = new PolicyEngine();

    private static Decision fresh(TenantPolicy.Builder policy, String sql) {
        return new PolicyEngine().decide(policy.decisionCache(0).build(), sql);
    }

    private static boolean hasTemplate(TenantPolicy policy, String sql) {
        LiteralShape shape = policy.memo().refined(LiteralShape.of(sql, policy.dialect()));
        return shape != null && policy.memo().template(shape.key()) != null;
    }

    static void assertSameDecision(Decision actual, Decision expected, String sql) {
        assertThat(actual.isAllowed()).as("allowed: %s", sql).isEqualTo(expected.isAllowed());
        assertThat(actual.code()).as("code: %s", sql).isEqualTo(expected.code());
        assertThat(actual.kind()).as("kind: %s", sql).isEqualTo(expected.kind());
        assertThat(actual.rewrittenSql()).as("rewritten: %s", sql).isEqualTo(expected.rewrittenSql());
        assertThat(actual.reads()).as("reads: %s", sql).isEqualTo(expected.reads());
        assertThat(actual.writes()).as("writes: %s", sql).isEqualTo(expected.writes());
        assertThat(actual.rowCapApplied()).as("row cap: %s", sql).isEqualTo(expected.rowCapApplied());
        assertThat(actual.resultColumns()).as("result columns: %s", sql).isEqualTo(expected.resultColumns());
    }

    @Test
    void theThirdStatementOfAShapeIsDecidedFromItsTemplateAsAFullParseWould() {
        TenantPolicy acme = DemoPolicies.acme();
        String shape = "SELECT c.country_code, sum(o.amount) FROM orders o JOIN customers c USING (customer_id)"
                + " WHERE o.order_id <> %d AND c.country_code IN ('%s', 'FR') GROUP BY 1 ORDER BY 2 DESC LIMIT 10";
        engine.decide(acme, shape.formatted(1, "DE"));
        assertThat(hasTemplate(acme, shape.formatted(1, "DE"))).as("seen once: no template yet").isFalse();
        engine.decide(acme, shape.formatted(2, "US"));
        assertThat(hasTemplate(acme, shape.formatted(3, "GB"))).isTrue();
        String third = shape.formatted(31337, "it is -- not /* a comment; DROP TABLE x");
        Decision d = engine.decide(acme, third);
        assertSameDecision(d, fresh(DemoPolicies.acmeBuilder(Dialect.DUCKDB), third), third);
        assertThat(d.rewrittenSql()).contains("o.order_id <> 31337",
                "('it is -- not /* a comment; DROP TABLE x', 'FR')",
                "\"acme_prod\".\"sales\".\"orders\"").endsWith("LIMIT 10");
    }

    @Test
    void rowBoundsStayInTheKeySoTheCapSeesEveryValue() {
        TenantPolicy acme = DemoPolicies.acme();
        for (int i = 0; i < 3; i++) {
            engine.decide(acme, "SELECT * FROM orders WHERE order_id > " + i + " LIMIT 5");
        }
        assertThat(hasTemplate(acme, "SELECT * FROM orders WHERE order_id > 7 LIMIT 5")).isTrue();
        for (String over : List.of("SELECT * FROM orders WHERE order_id > 7 LIMIT 50000",
                "SELECT * FROM orders WHERE order_id > 7 LIMIT (50000)",
                "SELECT * FROM orders WHERE order_id > 7 OFFSET 3 ROWS FETCH FIRST 50000 ROWS ONLY",
                "SELECT TOP 50000 * FROM orders WHERE order_id > 7")) {
            Decision d = engine.decide(acme, over);
            assertSameDecision(d, fresh(DemoPolicies.acmeBuilder(Dialect.DUCKDB), over), over);
            assertThat(d.rowCapApplied()).as(over).isTrue();
            assertThat(d.rewrittenSql()).as(over).contains("10000");
        }
        // a bound the lexer cannot see as one (an expression) is found by the parser and kept in the key
        for (int i = 0; i < 5; i++) {
            engine.decide(acme, "SELECT * FROM orders WHERE order_id > " + i + " LIMIT 1 * 5");
        }
        assertThat(hasTemplate(acme, "SELECT * FROM orders WHERE order_id > 9 LIMIT 1 * 5")).isTrue();
        String over = "SELECT * FROM orders WHERE order_id > 9 LIMIT 1 * 50000";
        assertThat(hasTemplate(acme, over)).isFalse();
        assertSameDecision(engine.decide(acme, over), fresh(DemoPolicies.acmeBuilder(Dialect.DUCKDB), over), over);
    }

    @Test
    void aSetOperationSentAsWrittenForItsOwnLimitIsTemplatedWithThatLimitInTheKey() {
        for (Dialect dialect : Dialect.values()) {
            TenantPolicy acme = DemoPolicies.acme(dialect);
            String shape = "SELECT order_id FROM orders WHERE order_id > %d UNION ALL"
                    + " SELECT order_id FROM orders WHERE amount < %d LIMIT %s";
            engine.decide(acme, shape.formatted(1, 10, "5"));
            engine.decide(acme, shape.formatted(2, 20, "5"));
            assertThat(hasTemplate(acme, shape.formatted(3, 30, "5"))).as(dialect.name()).isTrue();
            String third = shape.formatted(3, 30, "5");
            Decision d = engine.decide(acme, third);
            assertSameDecision(d, fresh(DemoPolicies.acmeBuilder(dialect), third), third);
            assertThat(d.rewrittenSql()).as(dialect.name()).endsWith("LIMIT 5").doesNotContain(RowCap.WRAP_ALIAS);
            for (String over : List.of(shape.formatted(4, 40, "50000"), shape.formatted(4, 40, "?"),
                    shape.formatted(4, 40, "(5)"), shape.formatted(4, 40, "5 OFFSET 1"))) {
                Decision capped = engine.decide(acme, over);
                assertSameDecision(capped, fresh(DemoPolicies.acmeBuilder(dialect), over), over);
                assertThat(capped.rewrittenSql()).as(over).contains(RowCap.WRAP_ALIAS).endsWith("LIMIT 10000");
            }
        }
    }

    @Test
    void slotsTheParserDoesNotReadAsValuesStayInTheKeyOfARefinedShape() {
        TenantPolicy.Builder builder = DemoPolicies.acmeBuilder(Dialect.DATABRICKS);
        TenantPolicy acme = builder.build();
        String shape = "SELECT CAST(amount AS DECIMAL(%d, 2)) AS amount, 'x' AS `%s` FROM orders WHERE order_id = %d";
        for (int i = 0; i < 3; i++) {
            engine.decide(acme, shape.formatted(12, "a", i));
            assertThat(hasTemplate(acme, shape.formatted(12, "a", 7))).as("sighting %d", i + 1).isFalse();
        }
        engine.decide(acme, shape.formatted(12, "a", 3));
        assertThat(hasTemplate(acme, shape.formatted(12, "a", 7))).isTrue();
        assertThat(hasTemplate(acme, shape.formatted(15, "a", 7))).as("another type argument").isFalse();
        for (String sql : List.of(shape.formatted(12, "a", 31337), shape.formatted(15, "a", 7),
                "SELECT CAST(amount AS DECIMAL(12, 2)) AS amount, 'it''s' AS `a` FROM orders WHERE order_id = 7")) {
            assertSameDecision(engine.decide(acme, sql), fresh(builder, sql), sql);
        }
        for (String alias : List.of("a", "b", "c", "d", "e")) {
            engine.decide(acme, "SELECT order_id AS '" + alias + "' FROM orders WHERE order_id = 1");
        }
        assertThat(hasTemplate(acme, "SELECT order_id AS 'z' FROM orders WHERE order_id = 1")).isFalse();
    }

    @Test
    void typedLiteralsStayInTheKeyAndTheRestOfTheShapeIsTemplated() {
        TenantPolicy acme = DemoPolicies.acme();
        String shape = "SELECT count(*) FROM orders WHERE ordered_at >= TIMESTAMP '%s' AND order_id <> %d"
                + " AND ordered_at < DATE '2026-01-01' + INTERVAL '1' DAY";
        engine.decide(acme, shape.formatted("2025-01-01", 1));
        engine.decide(acme, shape.formatted("2025-01-01", 2));
        assertThat(hasTemplate(acme, shape.formatted("2025-01-01", 3))).isTrue();
        assertThat(hasTemplate(acme, shape.formatted("2025-02-01", 3))).as("another timestamp, another key").isFalse();
        String other = shape.formatted("2025-02-01", 3);
        assertSameDecision(engine.decide(acme, other), fresh(DemoPolicies.acmeBuilder(Dialect.DUCKDB), other), other);
    }

    @Test
    void identifiersQuotedTextAndPrefixedStringsAreNeverSlots() {
        assertThat(LiteralShape.of("SELECT * FROM orders1", Dialect.DUCKDB)).isNull();
        assertThat(LiteralShape.of("SELECT \"col 1\", `t2`, E'\\x41', x'41', r'1', 1e5, 0x1F, .5, 1L FROM t",
                Dialect.DATABRICKS)).isNull();
        assertThat(LiteralShape.of("SELECT 1 -- 2\n/* 3 '4' */", Dialect.DUCKDB).slotCount()).isEqualTo(1);
        assertThat(LiteralShape.of("SELECT 'it''s', 'a\\', 'b'", Dialect.DUCKDB).slotCount())
                .as("DuckDB: a backslash is a character; only the content without one becomes a slot").isEqualTo(1);
        assertThat(LiteralShape.of("SELECT '\u0001', 1", Dialect.DUCKDB)).as("the key's own marker").isNull();
        LiteralShape a = LiteralShape.of("SELECT * FROM t1 WHERE x = 1", Dialect.DUCKDB);
        LiteralShape b = LiteralShape.of("SELECT * FROM t2 WHERE x = 1", Dialect.DUCKDB);
        assertThat(a.key()).isNotEqualTo(b.key());
    }

    @Test
    void aNewColumnAliasIsASlotAndStatementsThatDifferOnlyInItAreDecidedFromOneTemplate() {
        for (Dialect dialect : Dialect.values()) {
            TenantPolicy.Builder builder = DemoPolicies.acmeBuilder(dialect);
            TenantPolicy acme = builder.build();
            PolicyEngine own = new PolicyEngine();
            String shape = "SELECT c.country_code, count(*) AS %s, sum(o.amount) AS total FROM orders o JOIN customers"
                    + " c ON o.customer_id = c.customer_id GROUP BY c.country_code ORDER BY total DESC";
            own.decide(acme, shape.formatted("n1"));
            own.decide(acme, shape.formatted("n2"));
            String third = shape.formatted("orders_Per_Country_2025");
            assertThat(hasTemplate(acme, third)).as(dialect.name()).isTrue();
            Decision d = own.decide(acme, third);
            assertThat(own.decisions(DecisionSource.TEMPLATE)).as(dialect.name()).isEqualTo(1);
            assertSameDecision(d, fresh(builder, third), third);
            assertThat(d.rewrittenSql()).contains("AS orders_Per_Country_2025,").contains("AS total");
            LiteralShape key = LiteralShape.of(third, dialect);
            assertThat(key.slotCount()).as("total is named again by ORDER BY: not a slot").isEqualTo(1);
        }
    }

    @Test
    void anAliasThatAnyWordOfTheStatementNamesOrThatAReaderTakesForAKeywordIsNeverASlot() {
        String sql = "SELECT count(*) AS %s, max(amount) FROM orders WHERE status = 'open'";
        assertThat(LiteralShape.of(sql.formatted("n"), Dialect.DUCKDB).slotCount()).isEqualTo(2);
        for (String alias : List.of("status", "STATUS", "amount", "Orders", "open", "max", "count",
                // keywords of DuckDB, Spark or JSqlParser, reserved or not
                "qualify", "date", "select", "pivot", "lateral", "interval", "year", "current_user", "x",
                // not plain ASCII names
                "\"n\"", "`n`", "n$", "été", "1n")) {
            LiteralShape shape = LiteralShape.of(sql.formatted(alias), Dialect.DUCKDB);
            assertThat(shape.slotCount()).as(alias).isEqualTo(1);
        }
        // a word that folds to the alias under Java's (and Spark's) case rules: the Kelvin sign is k
        assertThat(LiteralShape.of("SELECT count(*) AS k FROM orders WHERE status = 'K'", Dialect.DATABRICKS)
                .slotCount()).isEqualTo(1);
        // only a select item's end: a comma or FROM after the name, nothing else
        for (String other : List.of("SELECT CAST(amount AS n) FROM orders WHERE order_id = 1",
                "SELECT * FROM (SELECT amount AS n) WHERE order_id = 1",
                "SELECT amount AS n -- a comment\nFROM orders WHERE order_id = 1",
                "SELECT amount AS n\tFROM orders WHERE order_id = 1",
                "SELECT amount AS n fromage, status FROM orders WHERE order_id = 1",
                "WITH n AS (SELECT amount FROM orders) SELECT * FROM n WHERE order_id = 1")) {
            assertThat(LiteralShape.of(other, Dialect.DUCKDB).slotCount()).as(other).isEqualTo(1);
        }
    }

    @Test
    void anAliasTheParserDoesNotReadAsAResultColumnsNameIsKeptInTheKey() {
        TenantPolicy.Builder builder = DemoPolicies.acmeBuilder(Dialect.DUCKDB);
        TenantPolicy acme = builder.build();
        // a table's alias, a derived table's result column: slots the lexer proposes, the parser does not confirm
        for (String shape : List.of("SELECT count(*) FROM orders AS %s, customers WHERE customers.customer_id = 1",
                "SELECT * FROM (SELECT amount AS %s, status FROM orders) WHERE status = 'x'")) {
            for (int i = 0; i < 5; i++) {
                String sql = shape.formatted("a" + i);
                assertSameDecision(engine.decide(acme, sql), fresh(builder, sql), sql);
            }
            LiteralShape refined = acme.memo().refined(LiteralShape.of(shape.formatted("a9"), Dialect.DUCKDB));
            assertThat(refined == null ? 0 : refined.slotCount()).as(shape).isLessThanOrEqualTo(1);
            for (int s = 0; refined != null && s < refined.slotCount(); s++) {
                assertThat(refined.kind(s)).as(shape).isNotEqualTo(LiteralShape.Slot.ALIAS);
            }
        }
    }

    @Test
    void anAliasThatNamesWhatTheRewriteBringsInIsDecidedByAFullParse() {
        TenantPolicy.Builder builder = DemoPolicies.acmeBuilder(Dialect.DUCKDB);
        TenantPolicy acme = builder.build();
        PolicyEngine own = new PolicyEngine();
        String shape = "SELECT count(*) AS %s FROM orders";
        own.decide(acme, shape.formatted("n1"));
        own.decide(acme, shape.formatted("n2"));
        // the physical catalog is a word of the rewritten text only: the template does not decide it
        String physical = shape.formatted("acme_prod");
        assertThat(hasTemplate(acme, physical)).isTrue();
        Decision d = own.decide(acme, physical);
        assertThat(own.decisions(DecisionSource.TEMPLATE)).isZero();
        assertSameDecision(d, fresh(builder, physical), physical);
        own.decide(acme, shape.formatted("n3"));
        assertThat(own.decisions(DecisionSource.TEMPLATE)).isEqualTo(1);
    }

    @Test
    void aBackslashCannotCarryCodeOutOfADatabricksString() {
        TenantPolicy.Builder builder = DemoPolicies.acmeBuilder(Dialect.DATABRICKS);
        TenantPolicy acme = builder.build();
        engine.decide(acme, "SELECT * FROM orders WHERE status = 'a'");
        engine.decide(acme, "SELECT * FROM orders WHERE status = 'b'");
        assertThat(hasTemplate(acme, "SELECT * FROM orders WHERE status = 'c'")).isTrue();
        String escape = "SELECT * FROM orders WHERE status = 'x\\' UNION SELECT * FROM globex_prod.sales.orders --'";
        assertSameDecision(engine.decide(acme, escape), fresh(builder, escape), escape);
        String quoteInside = "SELECT * FROM orders WHERE status = '' UNION SELECT * FROM globex_prod.sales.orders'";
        Decision d = engine.decide(acme, quoteInside);
        assertSameDecision(d, fresh(builder, quoteInside), quoteInside);
        assertThat(d.reads()).noneMatch(q -> q.catalog().equals("globex_prod"));
    }

    @Test
    void aTemplateDoesNotSkipTheChecksBeforeParsing() {
        TenantPolicy.Builder builder = DemoPolicies.acmeBuilder(Dialect.DUCKDB).maxSqlLength(200);
        TenantPolicy acme = builder.build();
        engine.decide(acme, "SELECT * FROM orders WHERE status = 'a'");
        engine.decide(acme, "SELECT * FROM orders WHERE status = 'b'");
        assertThat(hasTemplate(acme, "SELECT * FROM orders WHERE status = 'c'")).isTrue();
        for (String content : List.of("x".repeat(300), "(".repeat(BracketDepth.MAX + 1))) {
            String sql = "SELECT * FROM orders WHERE status = '" + content + "'";
            Decision d = engine.decide(acme, sql);
            assertThat(d.isAllowed()).as(sql).isFalse();
            assertSameDecision(d, fresh(builder, sql), sql);
        }
    }

    @Test
    void deniedStatementsAreNeverTemplatedAndEachIsDecidedOnItsOwn() {
        TenantPolicy acme = DemoPolicies.acme();
        for (int i = 0; i < 3; i++) {
            Decision d = engine.decide(acme, "SELECT * FROM globex_prod.sales.orders WHERE order_id = " + i);
            assertThat(d.isAllowed()).isFalse();
        }
        assertThat(hasTemplate(acme, "SELECT * FROM globex_prod.sales.orders WHERE order_id = 9")).isFalse();
    }

    @Test
    void switchedOffWithTheDecisionCache() {
        TenantPolicy none = DemoPolicies.acmeBuilder(Dialect.DUCKDB).decisionCache(0).build();
        for (int i = 0; i < 3; i++) {
            engine.decide(none, "SELECT * FROM orders WHERE order_id = " + i);
        }
        assertThat(hasTemplate(none, "SELECT * FROM orders WHERE order_id = 9")).isFalse();
    }

    /**
     * Every statement of the policy test corpus and the TPC-DS queries, with new literals: once its shape has a
     * template, each variant's decision is the full parse's, and the template path is taken for most of them. Several
     * seconds: a {@link SlowTest}, in the integration-test phase (the other tests of this class are in the unit tier).
     */
    @Test
    @SlowTest
    void everyCorpusStatementWithNewLiteralsGetsTheFullParsesDecision() {
        Random random = new Random(20261124L);
        int templated = checkCorpus(FuzzOracle.policyTestStatements(), DemoPolicies.acmeBuilder(Dialect.DUCKDB),
                random);
        assertThat(templated).as("corpus statements decided from a template").isGreaterThan(80);
        TenantPolicy.Builder tpcds = TenantPolicy.builder("analyst").dialect(Dialect.DATABRICKS)
                .defaultCatalog("tpcds_prod").defaultSchema("sf1").mapCatalog("main", "tpcds_prod")
                .read("tpcds_prod.sf1.*").allow(StatementKind.QUERY).maxRows(1000);
        int tpcdsTemplated = checkCorpus(FuzzOracle.tpcdsQueries(), tpcds, random);
        System.out.printf("shape templates: %d policy-test and %d TPC-DS variants decided from a template%n",
                templated, tpcdsTemplated);
    }

    /**
     * Mutated corpus statements (the mutation fuzzer's edits) with new literals, in both dialects, for a bounded
     * time; {@code -Dakkio.fuzz.seconds=N} runs longer. A {@link SlowTest}, in the integration-test phase.
     */
    @Test
    @SlowTest
    void mutatedStatementsWithNewLiteralsGetTheFullParsesDecision() {
        List<String> seeds = FuzzOracle.policyTestStatements();
        Random random = new Random(Long.getLong("akkio.fuzz.seed", 20261125L));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("akkio.fuzz.seconds", 10));
        List<String> mutated = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            mutated.clear();
            for (int i = 0; i < 50; i++) {
                mutated.add(MutationFuzzTest.mutate(seeds.get(random.nextInt(seeds.size())), seeds, random));
            }
            checkCorpus(mutated, DemoPolicies.acmeBuilder(random.nextBoolean() ? Dialect.DUCKDB : Dialect.DATABRICKS),
                    random);
        }
    }

    /** Returns how many statements were decided from a template. */
    private int checkCorpus(List<String> statements, TenantPolicy.Builder builder, Random random) {
        TenantPolicy memoised = builder.decisionCache(4096).build();
        TenantPolicy cold = builder.decisionCache(0).build();
        int templated = 0;
        for (String sql : statements) {
            LiteralShape shape = LiteralShape.of(sql, cold.dialect());
            if (shape == null) {
                continue;
            }
            // six variants: a shape whose probe keeps some slots in the key has its template from the fifth; only
            // the slots still open vary from then on, as an application varies values, not type arguments
            for (int variant = 0; variant < 6; variant++) {
                String text = shape.withSlots(newLiterals(shape, random));
                boolean fromTemplate = hasTemplate(memoised, text);
                assertSameDecision(engine.decide(memoised, text), engine.decide(cold, text), text);
                if (fromTemplate) {
                    templated++;
                }
                LiteralShape own = LiteralShape.of(text, cold.dialect());
                if (!drewNonSlotAlias && own != null) {
                    shape = memoised.memo().refined(own);
                } // else an alias that must not be a slot was drawn: the next variant varies the shape as it was
            }
        }
        return templated;
    }

    /**
     * A new name for an alias slot: mostly a fresh one, now and then one that must not be decided from the template
     * (a keyword of some reader, a word of the statement itself in another case, a name the rewrite brings in).
     */
    private boolean drewNonSlotAlias;

    private String nonSlot(String alias) {
        drewNonSlotAlias = true;
        return alias;
    }

    private String newAlias(LiteralShape shape, Random random) {
        String[] none = new String[shape.slotCount()];
        java.util.Arrays.fill(none, "");
        List<String> words = new ArrayList<>(List.of(shape.withSlots(none).split("[^A-Za-z0-9_]+")));
        words.removeIf(w -> w.isEmpty() || Character.isDigit(w.charAt(0)));
        List<String> keywords = new ArrayList<>(Keywords.words());
        return switch (random.nextInt(8)) {
            case 0 -> nonSlot(keywords.get(random.nextInt(keywords.size())));
            case 1 -> nonSlot(words.isEmpty() ? "x" : words.get(random.nextInt(words.size()))
                    .toUpperCase(java.util.Locale.ROOT));
            case 2 -> nonSlot(List.of("acme_prod", "sales", "akkio_capped", "main", "tpcds_prod")
                    .get(random.nextInt(5)));
            // a short name may be a keyword or another word of the statement
            case 3 -> nonSlot(randomName(random, "" + (char) ('a' + random.nextInt(26)), random.nextInt(2)));
            default -> randomName(random, "zq", 1 + random.nextInt(9)); // no keyword or corpus word starts so
        };
    }

    private static String randomName(Random random, String start, int more) {
        StringBuilder c = new StringBuilder(start);
        for (int k = more; k > 0; k--) {
            c.append("abcdefghijklmnopqrstuvwxyz_0123456789".charAt(random.nextInt(37)));
        }
        return c.toString();
    }

    private String[] newLiterals(LiteralShape shape, Random random) {
        drewNonSlotAlias = false;
        String[] contents = new String[shape.slotCount()];
        for (int s = 0; s < contents.length; s++) {
            StringBuilder c = new StringBuilder();
            if (shape.kind(s) == LiteralShape.Slot.ALIAS) {
                contents[s] = newAlias(shape, random);
                continue;
            }
            if (shape.isNumeric(s)) {
                // leading zeros now and then, and now and then more digits than a 64-bit integer holds
                c.append(random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(9));
                for (int d = random.nextInt(random.nextInt(10) == 0 ? 30 : 8); d > 0; d--) {
                    c.append(random.nextInt(10));
                }
                if (random.nextInt(4) == 0) {
                    c.append('.').append(random.nextInt(100));
                }
            } else {
                for (int k = random.nextInt(12); k > 0; k--) {
                    c.append(STRING_CHARS.charAt(random.nextInt(STRING_CHARS.length())));
                }
            }
            contents[s] = c.toString();
        }
        return contents;
    }
}

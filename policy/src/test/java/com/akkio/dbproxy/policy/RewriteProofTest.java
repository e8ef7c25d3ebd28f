package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.sf.jsqlparser.statement.Statement;
import org.junit.jupiter.api.Test;

/**
 * {@link RewriteProof} verifies a DuckDB rewrite from its tokens instead of parsing it again. Differential: on every
 * corpus the engine is tested with, a decision with the proof must be the decision of the re-parse alone (allowed or
 * the same denial, the same rewritten text, objects and cap), and the proof must take most allowed statements.
 * Adversarial: a rewrite that differs from the parsed text in anything but its names and the cap is never proven.
 */
class RewriteProofTest {
    private static final TenantPolicy ACME = DemoPolicies.acmeBuilder(Dialect.DUCKDB).decisionCache(0).build();
    /** The TPC-DS tables in DuckDB, to decide the Spark SQL corpus for DuckDB too (most of it is DuckDB's SQL). */
    private static final TenantPolicy TPCDS = TenantPolicy.builder("analyst").dialect(Dialect.DUCKDB)
            .defaultCatalog("tpcds_prod").defaultSchema("sf1").read("tpcds_prod.sf1.*").allow(StatementKind.QUERY)
            .maxRows(1000).decisionCache(0).build();

    private final PolicyEngine engine = new PolicyEngine();

    /** Decides each text with the proof and by re-parse alone; returns how many allowed ones the proof verified. */
    private int assertSameDecisions(TenantPolicy policy, List<String> statements) {
        int allowed = 0;
        long proven = RewriteProof.PROVEN.sum();
        long withoutLexing = RewriteProof.WITHOUT_LEXING.sum();
        for (String sql : statements) {
            long before = RewriteProof.PROVEN.sum();
            Decision withProof = engine.decide(policy, sql);
            boolean byProof = RewriteProof.PROVEN.sum() > before;
            Decision byReparse = PolicyEngine.decideByReparse(policy, sql);
            ShapeTemplateTest.assertSameDecision(withProof, byReparse, sql);
            assertThat(withProof.reason()).as("reason: %s", sql).isEqualTo(byReparse.reason());
            assertThat(!byProof || withProof.isAllowed()).as("proven but denied: %s", sql).isTrue();
            if (withProof.isAllowed()) {
                allowed++;
            }
        }
        int provenHere = (int) (RewriteProof.PROVEN.sum() - proven);
        System.out.printf("rewrite proof: %d statements, %d allowed, %d proven without a re-parse, %d of them without"
                + " lexing the rewrite%n", statements.size(), allowed, provenHere,
                RewriteProof.WITHOUT_LEXING.sum() - withoutLexing);
        assertThat(provenHere).as("the proof is used, not only its fallback").isGreaterThan(allowed / 2);
        return provenHere;
    }

    @Test
    void theDemoPolicyCorpusIsDecidedAsTheReparseDecidesIt() {
        assertSameDecisions(ACME, FuzzOracle.policyTestStatements());
    }

    @Test
    void theTpcdsQueriesInDuckDbAreDecidedAsTheReparseDecidesThem() {
        List<String> queries = FuzzOracle.tpcdsQueries();
        if (!queries.isEmpty()) {
            assertSameDecisions(TPCDS, queries);
        }
    }

    @Test
    void theTpcdsQueriesInDatabricksSqlAreDecidedAsTheReparseDecidesThem() {
        List<String> queries = FuzzOracle.tpcdsQueries();
        if (!queries.isEmpty()) {
            assertSameDecisions(TenantPolicy.builder("analyst").dialect(Dialect.DATABRICKS).defaultCatalog("tpcds_prod")
                    .defaultSchema("sf1").mapCatalog("main", "tpcds_prod").read("tpcds_prod.sf1.*")
                    .allow(StatementKind.QUERY).maxRows(1000).decisionCache(0).build(), queries);
        }
    }

    @Test
    void theDatabricksAnalystCorpusIsDecidedAsTheReparseDecidesIt() {
        assertSameDecisions(DemoPolicies.acmeBuilder(Dialect.DATABRICKS).decisionCache(0).build(),
                DatabricksCorpusTest.statements());
        assertSameDecisions(DemoPolicies.globex(Dialect.DATABRICKS), DatabricksCorpusTest.statements());
    }

    @Test
    void theAnalystCorpusForDuckDbIsDecidedAsTheReparseDecidesIt() {
        // Databricks SQL written for DuckDB: many are denied; what is allowed must be decided alike
        List<String> statements = new ArrayList<>(DatabricksCorpusTest.statements());
        statements.replaceAll(sql -> sql.replace("`", "\""));
        assertSameDecisions(DemoPolicies.acmeBuilder(Dialect.DUCKDB).decisionCache(0).build(), statements);
    }

    @Test
    void mutatedStatementsAreDecidedAsTheReparseDecidesThem() {
        List<String> seeds = FuzzOracle.policyTestStatements();
        Random random = new Random(25);
        List<String> mutated = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            mutated.add(MutationFuzzTest.mutate(seeds.get(random.nextInt(seeds.size())), seeds, random));
        }
        assertSameDecisions(ACME, mutated);
    }

    /**
     * Found by MutationFuzzTest in a clean-clone CI: the parser reads {@code akkio_out./* c *&#47; FROM} as one name
     * holding the keyword FROM. The census, which the proof stands in for, counts that FROM in the text and not in the
     * rewrite, so the re-parse denies it; the proof must not allow it.
     */
    @Test
    void aNameThatSwallowedAStructuralKeywordIsLeftToTheReparse() {
        String sql = "SELECT count(*) FROM akkio_out./* FROM globexsales.orders */ FROM orders"
                + " -- JOIN globex_rod.sales.customers";
        long before = RewriteProof.PROVEN.sum();
        Decision withProof = engine.decide(ACME, sql);
        assertThat(RewriteProof.PROVEN.sum()).as("proven").isEqualTo(before);
        ShapeTemplateTest.assertSameDecision(withProof, PolicyEngine.decideByReparse(ACME, sql), sql);
        assertThat(withProof.isAllowed()).isFalse();
    }

    @Test
    void aQueryTheCapChangesWithoutAppendingIsCensusedAsItWasWritten() {
        // the census of an unproven query is taken from the tree without the cap's own LIMIT (MutationFuzzTest found
        // one added beside an OFFSET counted as the tenant's)
        for (String sql : List.of("SELECT * FROM orders LIAglobex_prodLL OFFSET 20", "SELECT * FROM orders OFFSET 5",
                "SELECT * FROM orders LIMIT ALL", "SELECT * FROM orders LIMIT 99999 OFFSET 3",
                "SELECT * FROM orders FETCH FIRST 99999 ROWS ONLY", "SELECT * FROM orders ORDER BY 1 OFFSET 2 ROWS")) {
            Decision withProof = engine.decide(ACME, sql);
            ShapeTemplateTest.assertSameDecision(withProof, PolicyEngine.decideByReparse(ACME, sql), sql);
            assertThat(withProof.isAllowed()).as(sql).isTrue();
        }
    }

    /** The parsed text and the names its rewrite replaces, as the engine has them before the rewrite. */
    private record Parsed(SqlParser.Parsed parsed, List<RewriteProof.Name> names) {
    }

    private static Parsed parse(String sql) throws Exception {
        SqlParser.Parsed parsed = SqlParser.parse(sql, Dialect.DUCKDB);
        Statement statement = parsed.statements().get(0);
        ObjectAnalyzer analyzer = new ObjectAnalyzer(ACME, false);
        analyzer.analyze(statement);
        return new Parsed(parsed, analyzer.renamed());
    }

    /** Whether the proof holds; with and without lexing the rewrite it must say the same. */
    private static boolean proves(String sql, String rewritten, RewriteProof.Cap cap) throws Exception {
        Parsed p = parse(sql);
        boolean lexed = RewriteProof.holds(p.parsed().tokens(), false, p.names(), rewritten, cap, 10_000,
                Dialect.DUCKDB);
        long before = RewriteProof.WITHOUT_LEXING.sum();
        boolean either = RewriteProof.holds(p.parsed().tokens(), p.parsed().verbatim(), p.names(), rewritten, cap,
                10_000, Dialect.DUCKDB);
        assertThat(either).as("with the match without lexing: %s", rewritten).isEqualTo(lexed);
        assertThat(RewriteProof.WITHOUT_LEXING.sum() == before || lexed).as("matched but not lexed alike: %s",
                rewritten).isTrue();
        return lexed;
    }

    /** Whether the rewrite is proven without lexing it ({@code RewriteProof.matchesWithoutLexing}). */
    private static boolean provenWithoutLexing(String sql, String rewritten, RewriteProof.Cap cap) throws Exception {
        Parsed p = parse(sql);
        long before = RewriteProof.WITHOUT_LEXING.sum();
        RewriteProof.holds(p.parsed().tokens(), p.parsed().verbatim(), p.names(), rewritten, cap, 10_000,
                Dialect.DUCKDB);
        return RewriteProof.WITHOUT_LEXING.sum() > before;
    }

    @Test
    void aDeparsedRewriteIsProvenWithoutLexingIt() throws Exception {
        String sql = "select c.country_code, count(*) AS n, sum(o.amount) AS total from main.sales.orders o join"
                + " sales.customers c on o.customer_id = c.customer_id group by c.country_code order by total desc";
        String rewritten = "SELECT c.country_code, count(*) AS n, sum(o.amount) AS total FROM"
                + " \"acme_prod\".\"sales\".\"orders\" o JOIN \"acme_prod\".\"sales\".\"customers\" c ON"
                + " o.customer_id = c.customer_id GROUP BY c.country_code ORDER BY total DESC";
        assertThat(provenWithoutLexing(sql, rewritten, RewriteProof.Cap.NONE)).isTrue();
        assertThat(provenWithoutLexing(sql, rewritten + " LIMIT 10000", RewriteProof.Cap.APPEND)).isTrue();
        assertThat(proves(sql, rewritten + " LIMIT 10000", RewriteProof.Cap.APPEND)).isTrue();
    }

    @Test
    void tokensWrittenTogetherThatCouldJoinAreLeftToTheLexing() throws Exception {
        // each of these rewrites writes two tokens with nothing between them where a lexer could read one: the match
        // without lexing leaves it, and the lexing decides (and refuses those that lex otherwise)
        String sql = "SELECT o.amount - 1 AS x, 'a' || o.tenant_tag FROM orders o WHERE o.amount > 1.5";
        String spaced = "SELECT o.amount - 1 AS x, 'a' || o.tenant_tag FROM \"acme_prod\".\"sales\".\"orders\" o"
                + " WHERE o.amount > 1.5";
        assertThat(provenWithoutLexing(sql, spaced, RewriteProof.Cap.NONE)).isTrue();
        for (String glued : List.of(spaced.replace("- 1", "-1"), spaced.replace("'a' ||", "'a'||"),
                spaced.replace("> 1.5", ">1.5"), spaced.replace("AS x", "ASx"), spaced.replace("1 AS", "1AS"),
                spaced.replace("\" o", "\"o"), spaced.replace("o WHERE", "oWHERE"), spaced.replace("SELECT o", "SELECTo"))) {
            assertThat(provenWithoutLexing(sql, glued, RewriteProof.Cap.NONE)).as(glued).isFalse();
            proves(sql, glued, RewriteProof.Cap.NONE); // both ways alike
        }
        assertThat(provenWithoutLexing(sql, spaced + " LIMIT10000", RewriteProof.Cap.APPEND)).isFalse();
        assertThat(provenWithoutLexing(sql, spaced + "LIMIT 10000", RewriteProof.Cap.APPEND)).isFalse();
    }

    @Test
    void tokensBetweenCommentsAndSpaceAreTheTextsOwnCharacters() throws Exception {
        // the match without lexing needs every image to be the text at its place (JSqlParser rewrites the image of a
        // literal holding a backslash and a quote; in DuckDB's dialect every such text found ends in a lexical error)
        assertThat(parse("SELECT 'a''b' /* c */ AS x -- d\nFROM orders\t;").parsed().verbatim()).isTrue();
        assertThat(provenWithoutLexing("SELECT 'a''b' /* c */ AS x -- d\nFROM orders",
                "SELECT 'a''b' AS x FROM \"acme_prod\".\"sales\".\"orders\"", RewriteProof.Cap.NONE)).isTrue();
    }

    @Test
    void aRewriteThatOnlyReplacesNamesAndAddsTheCapIsProven() throws Exception {
        String sql = "select o.amount, sales.customers.name from main.sales.orders o join sales.customers"
                + " on o.customer_id = sales.customers.customer_id;";
        String names = "SELECT o.amount, \"customers\".name FROM \"acme_prod\".\"sales\".\"orders\" o JOIN"
                + " \"acme_prod\".\"sales\".\"customers\" ON o.customer_id = \"customers\".customer_id";
        assertThat(proves(sql, names, RewriteProof.Cap.NONE)).isTrue();
        assertThat(proves(sql, names + " LIMIT 10000", RewriteProof.Cap.APPEND)).isTrue();
    }

    @Test
    void aRewriteThatDiffersInAnythingElseIsNotProven() throws Exception {
        String sql = "SELECT o.amount FROM orders o WHERE o.amount > 10 ORDER BY 1";
        String names = "SELECT o.amount FROM \"acme_prod\".\"sales\".\"orders\" o WHERE o.amount > 10 ORDER BY 1";
        assertThat(proves(sql, names, RewriteProof.Cap.NONE)).isTrue();
        List<String> others = List.of(
                names.replace("> 10", ">= 10"), // another operator
                names.replace("10", "11"), // another literal
                names.replace("o.amount FROM", "o.Amount FROM"), // an identifier in another case
                names.replace("\"orders\"", "\"customers\""), // another object
                names.replace("\"acme_prod\".\"sales\".\"orders\"", "\"shared_ref\".\"sales\".\"orders\""),
                names.replace("\"acme_prod\".\"sales\".\"orders\"", "orders"), // a name not replaced
                names.replace(" ORDER BY 1", ""), // a clause lost
                names + ", 2", // a token added
                names.replace("WHERE", "WHERE (") + ")", // brackets added
                names + " -- a comment", // a comment, which could hide what follows
                names.replace("FROM", "/* x */ FROM"),
                names + " LIMIT 10000"); // a cap that was not made
        for (String rewritten : others) {
            assertThat(proves(sql, rewritten, RewriteProof.Cap.NONE)).as(rewritten).isFalse();
        }
        assertThat(proves(sql, names + " LIMIT 10001", RewriteProof.Cap.APPEND)).isFalse();
        assertThat(proves(sql, names + " LIMIT 10000 -- x", RewriteProof.Cap.APPEND)).isFalse();
        assertThat(proves(sql, names + " OFFSET 1 LIMIT 10000", RewriteProof.Cap.APPEND)).isFalse();
        // the cap's wrapper is never proven: a wrapped query goes to the re-parse (PolicyEngine)
        assertThat(proves(sql, "SELECT * FROM (" + names + ") AS akkio_capped LIMIT 10000", RewriteProof.Cap.APPEND))
                .isFalse();
        assertThat(proves(sql, "SELECT * FROM (" + names + ") AS akkio_capped LIMIT 10000", RewriteProof.Cap.NONE))
                .isFalse();
    }

    @Test
    void keywordsMayDifferInCaseAndTrailingSemicolonsMayGo() throws Exception {
        String sql = "select o.amount from orders o where o.amount is not null;";
        String names = "SELECT o.amount FROM \"acme_prod\".\"sales\".\"orders\" o WHERE o.amount IS NOT NULL";
        assertThat(proves(sql, names, RewriteProof.Cap.NONE)).isTrue();
    }
}

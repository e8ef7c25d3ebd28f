package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * The analyst's Databricks SQL ({@code conf/policy-tests/databricks-analyst.yaml}), decided for the demo tenants on
 * Databricks SQL: every case gets its expected decision; Spark 3.5's own parser reads every allowed rewrite with
 * exactly the tables and only the functions the engine checked ({@link ParserDifferential}); and every rewrite keeps
 * every construct: Spark's lexer finds the tenant's tokens in it, names aside, in their order, with at most the row
 * cap added.
 */
class DatabricksCorpusTest {
    private static final Path CORPUS = Path.of("../conf/policy-tests/databricks-analyst.yaml");
    private final PolicyEngine engine = new PolicyEngine();
    private final Map<String, TenantPolicy> tenants = Map.of("acme", DemoPolicies.acme(Dialect.DATABRICKS),
            "globex", DemoPolicies.globex(Dialect.DATABRICKS));

    @Test
    void everyStatementOfTheAnalystCorpusGetsItsDecisionSparkReadsItsRewriteAsCheckedAndNoConstructIsLost()
            throws Exception {
        JsonNode cases = new ObjectMapper(new YAMLFactory()).readTree(CORPUS.toFile()).get("cases");
        List<String> failures = new ArrayList<>();
        ParserDifferential.Tally tally = new ParserDifferential.Tally();
        int allowed = 0;
        int denied = 0;
        for (JsonNode c : cases) {
            String id = c.get("id").asText();
            String sql = c.get("sql").asText();
            TenantPolicy policy = tenants.get(c.get("tenant").asText());
            Decision d = engine.decide(policy, sql);
            boolean expectAllow = c.get("expect").asText().equals("allow");
            if (d.isAllowed() != expectAllow) {
                failures.add(id + ": expected " + c.get("expect").asText() + ", got " + d + "\n    " + sql);
                continue;
            }
            if (!expectAllow) {
                denied++;
                if (c.has("code") && !c.get("code").asText().equals(d.code().name())) {
                    failures.add(id + ": expected " + c.get("code").asText() + ", got " + d + "\n    " + sql);
                }
                continue;
            }
            allowed++;
            if (c.has("reads") && !names(d.reads()).equals(strings(c.get("reads")))) {
                failures.add(id + ": expected reads " + c.get("reads") + ", got " + d.reads());
            }
            if (c.has("rewritten") && !c.get("rewritten").asText().equals(d.rewrittenSql())) {
                failures.add(id + ": expected rewrite " + c.get("rewritten").asText() + ", got " + d.rewrittenSql());
            }
            // the write cap's wrapper is the proxy's own text (DatabricksWriteCapTest); the tenant's is compared
            String rewritten = WriteCapText.withoutWrapper(d.rewrittenSql(), policy);
            String lost = lostConstructs(sql, rewritten, policy.maxRows());
            if (lost == null && !c.has("rewritten")) {
                // where Spark parses the original: its tree, table names aside, is the rewrite's (a schema-qualified
                // column's qualifier follows its table, so such cases state their rewrite for review instead)
                lost = changedTree(sql, rewritten, policy.maxRows());
            }
            if (lost != null) {
                failures.add(id + ": " + lost + "\n    " + sql + "\n    " + d.rewrittenSql());
            }
            ParserDifferential.Outcome o = ParserDifferential.databricks(policy, sql, d);
            tally.add(o);
        }
        System.out.printf("Databricks analyst corpus: %d allowed, %d denied; Spark oracle: %s%n", allowed, denied,
                tally);
        assertThat(failures).as("cases that did not get their decision or lost a construct").isEmpty();
        assertThat(tally.differences).as("statements Spark reads otherwise than the engine checked").isEmpty();
        assertThat(allowed + denied).isGreaterThanOrEqualTo(300);
        assertThat(tally.compared - tally.refused).as("allowed statements Spark 3.5 parses and compared")
                .isGreaterThan(250);
    }

    /**
     * Why Spark's parse tree of the rewrite differs from the original's beside table names, hints and the row cap,
     * or null (also when Spark cannot parse the original: Databricks syntax Spark 3.5 lacks, {@code QUALIFY}, JSON
     * paths).
     */
    static String changedTree(String original, String rewritten, long maxRows) {
        List<String> before = SparkReading.leavesBesideTableNames(original);
        if (before == null) {
            return null;
        }
        List<String> after = SparkReading.leavesBesideTableNames(rewritten);
        if (after != null && sameButTheRowCap(before, after, maxRows, List.of(RowCap.WRAP_ALIAS))) {
            return null;
        }
        return "Spark's tree of the rewrite " + after + " is not the original's " + before;
    }

    /**
     * Whether {@code after} is {@code before} as it stands, followed by the row cap's LIMIT, or wrapped by it
     * ({@code alias}: the wrapping's alias where names count).
     */
    private static boolean sameButTheRowCap(List<String> before, List<String> after, long maxRows,
                                            List<String> alias) {
        List<String> limited = new ArrayList<>(before);
        limited.addAll(List.of("LIMIT", Long.toString(maxRows)));
        List<String> wrapped = new ArrayList<>(List.of("SELECT", "*", "FROM", "("));
        wrapped.addAll(before);
        wrapped.addAll(List.of(")", "AS"));
        wrapped.addAll(alias);
        wrapped.addAll(List.of("LIMIT", Long.toString(maxRows)));
        return after.equals(before) || after.equals(limited) || after.equals(wrapped);
    }

    /** The statements of the corpus, as seeds for the fuzzers. */
    static List<String> statements() {
        try {
            List<String> out = new ArrayList<>();
            new ObjectMapper(new YAMLFactory()).readTree(CORPUS.toFile()).get("cases")
                    .forEach(c -> out.add(c.get("sql").asText()));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Why the rewrite lost or changed something beside names, or null: Spark's tokens of the rewrite, names and dots
     * aside, must be those of the tenant's text, perhaps followed by the row cap's LIMIT or wrapped by it.
     */
    static String lostConstructs(String original, String rewritten, long maxRows) {
        List<String> before = withoutHints(SparkReading.tokensBesideNames(original));
        List<String> after = SparkReading.tokensBesideNames(rewritten);
        if (before == null || after == null) {
            return "Spark cannot lex " + (before == null ? "the original" : "the rewrite");
        }
        if (sameButTheRowCap(before, after, maxRows, List.of())) {
            return null;
        }
        return "the rewrite's tokens " + after + " are not the original's " + before;
    }

    /** The tokens without Spark's hints ({@code /*+ ... *}{@code /}), which the rewrite removes with the comments. */
    private static List<String> withoutHints(List<String> tokens) {
        if (tokens == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean hint = false;
        for (String t : tokens) {
            if (t.equals("/*+")) {
                hint = true;
            } else if (hint && t.equals("*/")) {
                hint = false;
            } else if (!hint) {
                out.add(t);
            }
        }
        return out;
    }

    private static Set<String> names(List<QualifiedName> names) {
        Set<String> out = new TreeSet<>();
        names.forEach(n -> out.add(n.toString()));
        return out;
    }

    private static Set<String> strings(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(v -> out.add(v.asText()));
        return out;
    }
}

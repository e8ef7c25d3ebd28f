package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import net.sf.jsqlparser.parser.AbstractJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * The properties every fuzzer of the policy engine checks, for the demo tenant acme as configured in
 * {@code conf/policies/acme.yaml} (limits included): {@code decide} returns (a denial is its only way to refuse),
 * answers within a second, and whatever it allows reads and writes only objects acme may, in the rewritten text as
 * JSqlParser's own {@link TablesNamesFinder} sees it too, and as DuckDB's own parser reads it
 * ({@link ParserDifferential}: the same tables, only allowed functions, the meaning of the original); and the
 * decision is the one the re-parse alone gives ({@link PolicyEngine#decideByReparse}, against {@link RewriteProof}).
 */
final class FuzzOracle {
    static final TenantPolicy ACME = DemoPolicies.acmeBuilder(Dialect.DUCKDB).maxSqlLength(100_000)
            .decisionCache(0).build();
    private static final Set<String> ACME_READABLE_CATALOGS = Set.of("acme_prod", "shared_ref");
    private static final PolicyEngine ENGINE = new PolicyEngine();
    /** Allowed statements DuckDB's parser read and compared with the engine's reading ({@link ParserDifferential}). */
    static final java.util.concurrent.atomic.LongAdder COMPARED = new java.util.concurrent.atomic.LongAdder();

    private FuzzOracle() {
    }

    /** Decides {@code sql} for acme and fails unless every property holds, the answer within a second included. */
    static Decision check(String sql) {
        return check(sql, 1000);
    }

    /** As {@link #check(String)}, with another time budget for the answer. */
    static Decision check(String sql, long budgetMillis) {
        long start = System.nanoTime();
        Decision d = ENGINE.decide(ACME, sql);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // An input that is slow to decide is slow every time; a pause of the machine (a GC, a class instrumented on
        // first use, other processes on a shared 2-core box: seen once, 1.7 s for a query decided in 40 ms) is not.
        // So a slow answer is timed twice more and the fastest of the three must be under a second.
        for (int retry = 0; retry < 2 && ms >= budgetMillis; retry++) {
            long again = System.nanoTime();
            ENGINE.decide(ACME, sql);
            ms = Math.min(ms, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - again));
        }
        assertThat(ms).as("decide took %d ms on %s", ms, abbreviate(sql)).isLessThan(budgetMillis);
        assertThat(d).as("decision for %s", abbreviate(sql)).isNotNull();
        // the rewrite proven from its tokens (RewriteProof) is decided as the re-parse alone decides it
        Decision byReparse = PolicyEngine.decideByReparse(ACME, sql);
        assertThat(d.code()).as("code with the proof and by re-parse: %s", abbreviate(sql)).isEqualTo(byReparse.code());
        assertThat(d.rewrittenSql()).as("rewrite with the proof and by re-parse: %s", abbreviate(sql))
                .isEqualTo(byReparse.rewrittenSql());
        if (d.isAllowed()) {
            assertOnlyAcmeObjects(sql, d);
            ParserDifferential.Outcome backend = ParserDifferential.duckdb(ACME, sql, d);
            assertThat(backend.difference()).as("DuckDB's own parser against the engine").isNull();
            if (backend.compared()) {
                COMPARED.increment();
            }
        } else {
            assertThat(d.code()).isNotNull();
        }
        return d;
    }

    private static void assertOnlyAcmeObjects(String sql, Decision d) {
        for (QualifiedName q : d.reads()) {
            assertThat(ACME.canRead(q)).as("%s read %s", sql, q).isTrue();
        }
        for (QualifiedName q : d.writes()) {
            assertThat(ACME.canWrite(q)).as("%s wrote %s", sql, q).isTrue();
        }
        Set<String> names;
        try {
            names = new TablesNamesFinder<>().getTables(CCJSqlParserUtil.parse(d.rewrittenSql(),
                    p -> p.withDialect(AbstractJSqlParser.Dialect.POSTGRESQL)));
        } catch (Exception | StackOverflowError finderLimit) {
            return; // JSqlParser's own finder cannot walk every tree (e.g. FETCH without a count); the checks above hold
        }
        for (String name : names) {
            String[] parts = name.replace("\"", "").toLowerCase(Locale.ROOT).split("\\.");
            if (parts.length == 3) {
                assertThat(ACME_READABLE_CATALOGS).as("%s -> %s names %s", sql, d.rewrittenSql(), name)
                        .contains(parts[0]);
            }
        }
    }

    /** The statements of the policy test corpus ({@code conf/policy-tests}), the fuzzers' seeds. */
    static List<String> policyTestStatements() {
        List<String> seeds = new ArrayList<>();
        for (String file : List.of("../conf/policy-tests/demo-allow.yaml", "../conf/policy-tests/demo-deny.yaml")) {
            for (String line : readLines(Path.of(file))) {
                String sql = sqlOf(line);
                if (sql != null) {
                    seeds.add(sql);
                }
            }
        }
        assertThat(seeds).hasSizeGreaterThan(150);
        return seeds;
    }

    /**
     * The statement of a line of a policy test file that holds {@code sql: "..."} on one line (as written there, the
     * escapes of YAML's double quotes left alone), or null.
     */
    static String sqlOf(String line) {
        int i = line.indexOf("sql: \"");
        return i >= 0 && line.lastIndexOf('"') > i + 6 ? line.substring(i + 6, line.lastIndexOf('"')) : null;
    }

    /** The TPC-DS queries of the shared corpus, when it is beside the repository (as in CI). */
    static List<String> tpcdsQueries() {
        Path corpus = Path.of("../../shared/corpus/tpcds-spark");
        if (!Files.isDirectory(corpus)) {
            return List.of();
        }
        try (var files = Files.list(corpus)) {
            List<String> out = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                out.add(Files.readString(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String abbreviate(String sql) {
        return sql.length() <= 300 ? sql : sql.substring(0, 300) + "… (" + sql.length() + " chars)";
    }
}

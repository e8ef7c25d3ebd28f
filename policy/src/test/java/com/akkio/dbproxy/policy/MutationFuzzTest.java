package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.util.TablesNamesFinder;
import org.junit.jupiter.api.Test;

/**
 * Mutated SQL from the shipped corpora, decided for the demo tenant acme: {@code decide} never throws, answers each
 * input within a second, and whatever it allows is rewritten to objects acme may read or write. A bounded run in the
 * test suite; {@code -Dakkio.fuzz.seconds=N} runs longer.
 */
class MutationFuzzTest {
    private static final String[] FRAGMENTS = {"(", ")", "'", "\"", "`", ";", "--", "/*", "*/", ",", ".", " ",
        "globex_prod", "globex_prod.sales.orders", "SELECT", "FROM", "JOIN", "WITH", "AS", "UNION", "LIMIT", "?",
        "(SELECT * FROM globex_prod.sales.orders)", "read_csv('/etc/passwd')", "\\", "$$", "E'", "information_schema",
        "LATERAL", "VALUES", "ALL", "INSERT INTO", "TABLE", "USE", "ATTACH", "current_setting('x')", "0x", "1e9"};
    private static final Set<String> ACME_READABLE_CATALOGS = Set.of("acme_prod", "shared_ref");

    private final PolicyEngine engine = new PolicyEngine();
    private final TenantPolicy acme = TenantPolicy.builder("acme").dialect(Dialect.DUCKDB)
            .defaultCatalog("acme_prod").defaultSchema("sales").mapCatalog("main", "acme_prod")
            .read("acme_prod.sales.*").read("shared_ref.geo.*").write("acme_prod.akkio_out.*")
            .allow(StatementKind.QUERY, StatementKind.DESCRIBE, StatementKind.INSERT, StatementKind.CREATE_TABLE,
                    StatementKind.CREATE_VIEW)
            .maxRows(10_000).decisionCache(0).build();

    private static List<String> seeds() throws Exception {
        List<String> seeds = new ArrayList<>();
        for (String file : List.of("../conf/policy-tests/demo-allow.yaml", "../conf/policy-tests/demo-deny.yaml")) {
            for (String line : Files.readAllLines(Path.of(file))) {
                int i = line.indexOf("sql: \"");
                if (i >= 0 && line.lastIndexOf('"') > i + 6) {
                    seeds.add(line.substring(i + 6, line.lastIndexOf('"')));
                }
            }
        }
        return seeds;
    }

    @Test
    void mutatedStatementsNeverEscapeThePolicy() throws Exception {
        List<String> seeds = seeds();
        assertThat(seeds).hasSizeGreaterThan(150);
        long seconds = Long.getLong("akkio.fuzz.seconds", 20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Random random = new Random(Long.getLong("akkio.fuzz.seed", 20261124L));
        long tried = 0;
        long allowed = 0;
        while (System.nanoTime() < deadline) {
            String sql = mutate(seeds.get(random.nextInt(seeds.size())), seeds, random);
            long start = System.nanoTime();
            Decision d = engine.decide(acme, sql);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).as("decide took %d ms on %s", ms, sql).isLessThan(1000);
            tried++;
            if (d.isAllowed()) {
                allowed++;
                assertOnlyAcmeObjects(sql, d);
            }
        }
        System.out.printf("mutation fuzz: %d inputs, %d allowed, 0 findings%n", tried, allowed);
    }

    private void assertOnlyAcmeObjects(String sql, Decision d) throws Exception {
        for (QualifiedName q : d.reads()) {
            assertThat(acme.canRead(q)).as("%s read %s", sql, q).isTrue();
        }
        for (QualifiedName q : d.writes()) {
            assertThat(acme.canWrite(q)).as("%s wrote %s", sql, q).isTrue();
        }
        Set<String> names;
        try {
            names = new TablesNamesFinder<>().getTables(CCJSqlParserUtil.parse(d.rewrittenSql(),
                    p -> p.withDialect(net.sf.jsqlparser.parser.AbstractJSqlParser.Dialect.POSTGRESQL)));
        } catch (RuntimeException finderLimit) {
            return; // JSqlParser's own finder cannot walk every tree (e.g. FETCH without a count); the checks above hold
        }
        for (String name : names) {
            String lower = name.replace("\"", "").toLowerCase(Locale.ROOT);
            String[] parts = lower.split("\\.");
            if (parts.length == 3) {
                assertThat(ACME_READABLE_CATALOGS).as("%s -> %s names %s", sql, d.rewrittenSql(), name)
                        .contains(parts[0]);
            }
        }
    }

    private static String mutate(String seed, List<String> seeds, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> s.insert(at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                case 1 -> {
                    if (s.length() > 0) {
                        int end = Math.min(s.length(), at + 1 + random.nextInt(8));
                        s.delete(Math.min(at, s.length() - 1), end);
                    }
                }
                case 2 -> {
                    String other = seeds.get(random.nextInt(seeds.size()));
                    int from = random.nextInt(other.length());
                    s.insert(at, other, from, Math.min(other.length(), from + 1 + random.nextInt(30)));
                }
                case 3 -> s.insert(at, "(".repeat(1 + random.nextInt(3)));
                default -> {
                    if (at < s.length()) {
                        char c = s.charAt(at);
                        s.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
                    }
                }
            }
        }
        return s.toString();
    }
}

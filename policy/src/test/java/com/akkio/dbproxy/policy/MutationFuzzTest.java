package com.akkio.dbproxy.policy;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Mutated SQL from the shipped corpora, decided for the demo tenant acme under {@link FuzzOracle}'s properties. Small
 * edits mostly, and now and then a deep nesting or a long repetition. A bounded run in the test suite;
 * {@code -Dakkio.fuzz.seconds=N} runs longer. {@link PolicyJazzerFuzzTest} is the coverage-guided counterpart.
 * Runs for its 20 s: a {@link SlowTest}, in the integration-test phase.
 */
@SlowTest
class MutationFuzzTest {
    private static final String[] FRAGMENTS = {"(", ")", "'", "\"", "`", ";", "--", "/*", "*/", ",", ".", " ",
        "globex_prod", "globex_prod.sales.orders", "SELECT", "FROM", "JOIN", "WITH", "AS", "UNION", "LIMIT", "?",
        "(SELECT * FROM globex_prod.sales.orders)", "read_csv('/etc/passwd')", "\\", "$$", "E'", "information_schema",
        "LATERAL", "VALUES", "ALL", "INSERT INTO", "TABLE", "USE", "ATTACH", "current_setting('x')", "0x", "1e9"};

    @Test
    void mutatedStatementsNeverEscapeThePolicy() {
        List<String> seeds = FuzzOracle.policyTestStatements();
        long seconds = Long.getLong("akkio.fuzz.seconds", 20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Random random = new Random(Long.getLong("akkio.fuzz.seed", 20261124L));
        long tried = 0;
        long allowed = 0;
        while (System.nanoTime() < deadline) {
            String sql = mutate(seeds.get(random.nextInt(seeds.size())), seeds, random);
            if (FuzzOracle.check(sql).isAllowed()) {
                allowed++;
            }
            tried++;
        }
        System.out.printf("mutation fuzz: %d inputs, %d allowed, %d of them compared with DuckDB's parse, 0 findings%n",
                tried, allowed, FuzzOracle.COMPARED.sum());
    }

    static String mutate(String seed, List<String> seeds, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
            switch (random.nextInt(random.nextInt(200) == 0 ? 7 : 5)) {
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
                case 5 -> {
                    int depth = 1 + random.nextInt(300);
                    s.insert(0, "SELECT * FROM (".repeat(depth)).append(") t".repeat(depth));
                }
                case 6 -> {
                    String other = seeds.get(random.nextInt(seeds.size()));
                    s.insert(at, (" UNION ALL " + other).repeat(1 + random.nextInt(200)));
                }
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

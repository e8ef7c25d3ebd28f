package com.akkio.dbproxy.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of {@link PolicyEngine#decide} with Jazzer (libFuzzer), under {@link FuzzOracle}'s
 * properties (with a hang bound for the time, see {@link #INSTRUMENTED_BUDGET_MS}), with coverage of JSqlParser as
 * well as of the engine. Seeded from the policy test corpus and the
 * TPC-DS queries, which are written to Jazzer's generated corpus directory ({@code target/.cifuzz-corpus}) before it
 * starts. The surefire and failsafe configurations set {@code JAZZER_FUZZ}, so {@code mvn verify} fuzzes for
 * {@code maxDuration} (a {@link SlowTest}: in the integration-test phase); {@code -Dakkio.jazzer.fuzz=} only replays
 * the corpus. A finding fails the test and leaves the input in
 * {@code policy/target/crash-*}; put it under {@code src/test/resources/com/akkio/dbproxy/policy/PolicyJazzerFuzzTestInputs/decide}
 * to keep it as a regression test.
 */
@SlowTest
class PolicyJazzerFuzzTest {

    /**
     * Under Jazzer's instrumentation (coverage and comparison hooks on every branch of the parser) decide runs about
     * 30 times slower: a TPC-DS query decided in 40 ms took 1.27 s here on a busy machine. This target therefore
     * checks a hang bound; the one-second bound is checked uninstrumented by {@link MutationFuzzTest} and
     * {@link HostileInputTest}, where a slow input found here belongs.
     */
    private static final long INSTRUMENTED_BUDGET_MS = 10_000;

    private static List<String> seeds;
    private static boolean warm;

    @BeforeAll
    static void seedCorpus() throws IOException {
        seeds = new ArrayList<>(FuzzOracle.policyTestStatements());
        seeds.addAll(FuzzOracle.tpcdsQueries());
        for (String method : List.of("decide", "decideLong")) {
            Path dir = Path.of(System.getProperty("jazzer.internal.basedir", "target"), ".cifuzz-corpus",
                    PolicyJazzerFuzzTest.class.getName(), method);
            Files.createDirectories(dir);
            for (int i = 0; i < seeds.size(); i++) {
                Path seed = dir.resolve("seed-" + i);
                if (!Files.exists(seed)) {
                    Files.write(seed, seeds.get(i).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    @DictionaryFile(resourcePath = "sql.dict")
    void decide(byte[] input) {
        if (!warm) {
            // Jazzer instruments each class as it loads (JSqlParser's parser class took 23 s): load them all before
            // the first input is timed
            PolicyEngine engine = new PolicyEngine();
            seeds.forEach(sql -> engine.decide(FuzzOracle.ACME, sql));
            warm = true;
        }
        FuzzOracle.check(new String(input, StandardCharsets.UTF_8), INSTRUMENTED_BUDGET_MS);
    }

    /**
     * The same target for a long run, excluded from the suite by its tag:
     * {@code mvn -pl policy test -Dtest=PolicyJazzerFuzzTest#decideLong -Dakkio.fuzz.excluded=none}.
     */
    @Tag("long-fuzz")
    @FuzzTest(maxDuration = "15m")
    @DictionaryFile(resourcePath = "sql.dict")
    void decideLong(byte[] input) {
        decide(input);
    }
}

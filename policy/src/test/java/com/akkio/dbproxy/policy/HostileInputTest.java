package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs built to exhaust the parser: deep nesting (which JSqlParser parses in time that grows steeply, and by
 * recursion) and huge texts. Each is decided on a thread with a small stack, as a server thread might have, and must
 * come back as a decision under {@link FuzzOracle}'s properties, never as a StackOverflowError or a hang.
 */
class HostileInputTest {
    private static final int NESTING = 5_000;

    /** Each template is prefix|opening|middle|closing|suffix; opening and closing are repeated 5,000 times. */
    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT |(|1|)|",
        "SELECT * FROM |(SELECT * FROM |orders|) t|",
        "SELECT |((SELECT |1|))|",
        "SELECT * FROM orders WHERE |(|order_id = 1|)|",
        "SELECT |abs(|1|)|",
        "SELECT |ARRAY[|1|]|",
        "|(|SELECT 1|)|",
        "SELECT 1 FROM orders WHERE order_id IN |(SELECT 1 FROM |orders|)|",
    })
    void deepNestingIsDeniedQuickly(String template) throws Exception {
        String[] p = template.split("\\|", -1);
        String sql = p[0] + p[1].repeat(NESTING) + p[2] + p[3].repeat(NESTING) + p[4];
        Decision d = decideOnSmallStack(sql);
        assertThat(d.isAllowed()).isFalse();
        assertThat(d.code()).as(d.reason()).isEqualTo(DenyCode.UNSUPPORTED_CONSTRUCT);
        assertThat(d.reason()).containsPattern("nests brackets \\d+ levels deep, over the limit of 100");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, BracketDepth.MAX})
    void nestingUpToTheLimitIsStillDecidedOnItsMerits(int depth) throws Exception {
        Decision d = decideOnSmallStack("SELECT * FROM " + "(SELECT order_id FROM ".repeat(depth) + "orders"
                + ") t".repeat(depth));
        assertThat(d.isAllowed()).as(d.reason()).isTrue();
        assertThat(decideOnSmallStack("SELECT * FROM " + "(SELECT order_id FROM ".repeat(depth)
                + "globex_prod.sales.orders" + ") t".repeat(depth)).code()).isEqualTo(DenyCode.OBJECT_NOT_READABLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOT ", "- ", "CASE WHEN true THEN "})
    void deepNestingWithoutBracketsIsDenied(String operator) throws Exception {
        String closing = operator.startsWith("CASE") ? " END" : "";
        Decision d = decideOnSmallStack("SELECT " + operator.repeat(NESTING) + "1" + closing.repeat(NESTING));
        assertThat(d.isAllowed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {10 << 20, 100_001})
    void overLongTextIsDeniedBeforeParsing(int length) throws Exception {
        String sql = "SELECT * FROM orders WHERE order_id IN (" + "1,".repeat(length / 2) + "1)";
        Decision d = decideOnSmallStack(sql);
        assertThat(d.code()).isEqualTo(DenyCode.SQL_TOO_LONG);
        assertThat(d.reason()).contains("over the limit of 100000 (rule: max_sql_length)");
    }

    /**
     * Texts just under acme's max_sql_length that parse into very wide trees. Decided on their merits; their time is
     * the parser's on 100 kB (0.2-1.5 s measured on a loaded 2-core machine), bounded here only against a hang.
     */
    @ParameterizedTest
    @ValueSource(strings = {"in-list", "union", "joins", "or-chain", "plus-chain", "columns"})
    void hugeTextsUnderTheLimitAreDecided(String shape) throws Exception {
        Function<Integer, String> build = switch (shape) {
            case "in-list" -> n -> "SELECT order_id FROM orders WHERE order_id IN (" + "1,".repeat(n / 2) + "1)";
            case "union" -> n -> "SELECT 1" + " UNION ALL SELECT 1".repeat(n / 19);
            case "joins" -> n -> "SELECT o0.order_id FROM orders o0" + IntStream.range(1, n / 50)
                    .mapToObj(i -> " JOIN orders o" + i + " ON o" + i + ".order_id = o0.order_id")
                    .collect(Collectors.joining());
            case "or-chain" -> n -> "SELECT order_id FROM orders WHERE " + IntStream.range(0, n / 20)
                    .mapToObj(i -> "order_id = " + i).collect(Collectors.joining(" OR "));
            case "plus-chain" -> n -> "SELECT 1" + "+1".repeat(n / 2);
            default -> n -> "SELECT " + IntStream.range(0, n / 7).mapToObj(i -> "c" + i)
                    .collect(Collectors.joining(", ")) + " FROM orders";
        };
        String sql = build.apply(95_000);
        assertThat(sql.length()).isBetween(80_000, 100_000);
        long start = System.nanoTime();
        Decision d = CompletableFuture.supplyAsync(() -> new PolicyEngine().decide(FuzzOracle.ACME, sql))
                .get(10, TimeUnit.SECONDS);
        System.out.printf("huge %s (%d chars): %s in %d ms%n", shape, sql.length(),
                d.isAllowed() ? "allowed" : d.code(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        if (d.isAllowed()) {
            assertThat(d.reads()).allSatisfy(q -> assertThat(FuzzOracle.ACME.canRead(q)).isTrue());
        }
    }

    /** Server threads may run with a small stack; a tree walked by recursion must not overflow it. */
    private static Decision decideOnSmallStack(String sql) throws Exception {
        Decision[] out = new Decision[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                out[0] = FuzzOracle.check(sql);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(t.isAlive()).as("decide still running after 30 s").isFalse();
        if (failure[0] != null) {
            throw new AssertionError("decide failed on " + FuzzOracle.abbreviate(sql), failure[0]);
        }
        return out[0];
    }
}

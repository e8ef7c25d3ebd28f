package com.akkio.dbproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * First-time decisions of every statement of the TPC-DS corpus as a Databricks tenant's ({@link TpcdsPolicyBenchmark},
 * the decision memo off): after a warm-up over all of them, each is decided again and again for 60 ms in turn, for a
 * number of rounds; it prints the slowest statements' medians and the spread of all medians, and how many take over
 * 1 ms. Statements the engine denies (JSqlParser reads a few of them in neither mode) are counted and left out.
 *
 * <p>Run: {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.TpcdsCorpusSweep [warm-up s] [rounds]}
 * with the corpus found as {@link TpcdsPolicyBenchmark} finds it ({@code -Dakkio.tpcds=DIR}). Two builds compare by
 * running it on each jar one after the other.
 */
public final class TpcdsCorpusSweep {
    private static final long SLICE_NANOS = 60_000_000L;

    private TpcdsCorpusSweep() {
    }

    public static void main(String[] args) throws Exception {
        long warmUpSeconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> names = new ArrayList<>();
        List<TpcdsPolicyBenchmark> statements = new ArrayList<>();
        int denied = 0;
        try (Stream<Path> files = Files.list(TpcdsPolicyBenchmark.corpus())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".sql", "");
                TpcdsPolicyBenchmark statement = new TpcdsPolicyBenchmark();
                statement.query = name;
                try {
                    statement.setUp();
                } catch (IllegalStateException notAllowed) {
                    denied++;
                    continue;
                }
                names.add(name);
                statements.add(statement);
            }
        }
        long warmEnd = System.nanoTime() + warmUpSeconds * 1_000_000_000L;
        while (System.nanoTime() < warmEnd) {
            statements.forEach(TpcdsPolicyBenchmark::decide);
        }
        double[][] micros = new double[statements.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < statements.size(); i++) {
                long start = System.nanoTime();
                int decisions = 0;
                while (System.nanoTime() - start < SLICE_NANOS) {
                    statements.get(i).decide();
                    decisions++;
                }
                micros[i][round] = (System.nanoTime() - start) / 1e3 / decisions;
            }
        }
        double[] medians = new double[statements.size()];
        for (int i = 0; i < medians.length; i++) {
            double[] sorted = micros[i].clone();
            Arrays.sort(sorted);
            medians[i] = sorted[rounds / 2];
        }
        List<Integer> slowest = new ArrayList<>();
        for (int i = 0; i < medians.length; i++) {
            slowest.add(i);
        }
        slowest.sort(Comparator.comparingDouble((Integer i) -> medians[i]).reversed());
        for (int i : slowest.subList(0, Math.min(15, slowest.size()))) {
            System.out.printf(Locale.ROOT, "%-6s %,8.0f µs%n", names.get(i), medians[i]);
        }
        double[] all = medians.clone();
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "%d statements decided (%d denied, left out): median of medians %,.0f µs,"
                        + " p90 %,.0f µs, slowest %,.0f µs, over 1 ms: %d%n", all.length, denied, all[all.length / 2],
                all[(int) (all.length * 0.9)], all[all.length - 1], Arrays.stream(all).filter(m -> m > 1000).count());
    }
}

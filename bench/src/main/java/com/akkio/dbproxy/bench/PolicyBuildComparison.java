package com.akkio.dbproxy.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two builds' first-time policy decisions, interleaved decision by decision in one JVM: each bench jar (this tree's
 * and another revision's, {@code mvn -pl bench -am package}) is loaded in a class loader of its own, and the two
 * decide the same case in turn, each going first in turn, so that load on a shared machine lands on both alike
 * (separate JMH runs minutes apart differed by 6x on the loaded machine). Prints medians and this / base per case.
 *
 * <p>{@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.PolicyBuildComparison BASE.jar THIS.jar
 * [warm-up s] [s per case]}; TPC-DS from {@code -Dakkio.tpcds=DIR}. A build may be a class path ({@code
 * policy/target/classes:bench/target/akkio-bench.jar}: the policy module as just compiled, before the jar).
 *
 * <p>{@code -Dakkio.between=duckdb}: the demo's analytics query runs on an in-process DuckDB before each decision, as
 * in the server, where the backend's work between two statements leaves the processor's caches holding its code and
 * data, not the policy engine's (a first-time decision costs about three times as much there as back to back).
 */
public final class PolicyBuildComparison {
    private static final String[] SMALL = {"smallAnalyticsCold", "smallAnalyticsNewShape", "tinyPreparedCold",
        "crossTenantDenialCold", "smallAnalyticsColdDatabricks", "analystConstructsColdDatabricks"};
    private static final String[] TPCDS = {"q1", "q4", "q14a", "q23a", "q64", "q72"};

    private PolicyBuildComparison() {
    }

    /** One case of one build: a benchmark object and its method, called reflectively. */
    private record Case(String name, Object target, Method method) {
        void run() throws Exception {
            method.invoke(target);
        }
    }

    public static void main(String[] args) throws Exception {
        List<Case> base = cases(args[0]);
        List<Case> head = cases(args[1]);
        Runnable between = "duckdb".equals(System.getProperty("akkio.between")) ? backendWork() : () -> { };
        long warmUpNanos = (long) (Double.parseDouble(args.length > 2 ? args[2] : "60") * 1e9);
        long perCaseNanos = (long) (Double.parseDouble(args.length > 3 ? args[3] : "8") * 1e9);
        long warmUpEnd = System.nanoTime() + warmUpNanos;
        while (System.nanoTime() < warmUpEnd) {
            for (int i = 0; i < base.size(); i++) {
                between.run();
                base.get(i).run();
                between.run();
                head.get(i).run();
            }
        }
        System.out.printf("load average before: %s%n", loadAverage());
        System.out.println("| case | base, median µs | this, median µs | this / base | base p90 | this p90 |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (int i = 0; i < base.size(); i++) {
            List<Long> a = new ArrayList<>();
            List<Long> b = new ArrayList<>();
            long end = System.nanoTime() + perCaseNanos;
            for (int round = 0; System.nanoTime() < end; round++) {
                Case first = round % 2 == 0 ? base.get(i) : head.get(i);
                Case second = round % 2 == 0 ? head.get(i) : base.get(i);
                between.run();
                long t0 = System.nanoTime();
                first.run();
                long t1 = System.nanoTime();
                between.run();
                long t2 = System.nanoTime();
                second.run();
                long t3 = System.nanoTime();
                (round % 2 == 0 ? a : b).add(t1 - t0);
                (round % 2 == 0 ? b : a).add(t3 - t2);
            }
            double ma = percentile(a, 0.5);
            double mb = percentile(b, 0.5);
            System.out.printf(Locale.ROOT, "| %s | %,.1f | %,.1f | %.2f | %,.1f | %,.1f |%n", base.get(i).name(), ma, mb,
                    mb / ma, percentile(a, 0.9), percentile(b, 0.9));
        }
        System.out.printf("load average after: %s%n", loadAverage());
    }

    /** The server harness's analytics query on the demo data in an in-process DuckDB of one thread, read whole. */
    private static Runnable backendWork() throws Exception {
        java.sql.Connection duckdb = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        com.akkio.dbproxy.server.backend.DuckDbBackends.runScript(duckdb, Path.of("conf/demo-seed.sql"));
        try (java.sql.Statement s = duckdb.createStatement()) {
            s.execute("SET threads = 1");
        }
        return () -> {
            try (java.sql.Statement s = duckdb.createStatement();
                 java.sql.ResultSet rs = s.executeQuery(ServerLoadHarness.ANALYTICS)) {
                while (rs.next()) {
                    rs.getString(1);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** A build's cases, from its bench jar or a class path of it. */
    private static List<Case> cases(String classPath) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        List<Case> cases = new ArrayList<>();
        Class<?> small = loader.loadClass("com.akkio.dbproxy.bench.PolicyEngineBenchmark");
        Object smallState = small.getConstructor().newInstance();
        small.getMethod("setUp").invoke(smallState);
        for (String name : SMALL) {
            cases.add(new Case(name, smallState, small.getMethod(name)));
        }
        Class<?> tpcds = loader.loadClass("com.akkio.dbproxy.bench.TpcdsPolicyBenchmark");
        for (String query : TPCDS) {
            Object state = tpcds.getConstructor().newInstance();
            tpcds.getField("query").set(state, query);
            tpcds.getMethod("setUp").invoke(state);
            cases.add(new Case("tpcds " + query, state, tpcds.getMethod("decide")));
        }
        return cases;
    }

    private static double percentile(List<Long> nanos, double p) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1000.0;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}

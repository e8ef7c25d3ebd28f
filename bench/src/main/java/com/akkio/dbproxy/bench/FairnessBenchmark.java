package com.akkio.dbproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Issue 20, item 6: does one tenant's heavy load slow another tenant on the shared embedded DuckDB? For each
 * configuration below, in one run and in a server process of its own: globex's analytics query (join + group by) from
 * one client, alone, then while acme runs its {@code max_concurrent} (16, the demo's) heaviest queries (cross joins of
 * 1.4·10⁸ row pairs) back to back; prints globex's p50 and p99 in both phases and their ratios (loaded / alone). The
 * target: p99 within 2× of p99 alone.
 *
 * <ul>
 *   <li>{@code before}: every admitted statement runs at once ({@code max_running} as {@code max_concurrent}), on
 *   DuckDB's default threads (one per core);</li>
 *   <li>{@code max_running 1}: each tenant's {@code rate.max_running: 1} (its other admitted statements wait);</li>
 *   <li>{@code max_running 1, threads 1}: the same with the DuckDB backend's {@code threads: 1}, so a running
 *   statement holds one core, whichever tenant's it is;</li>
 *   <li>{@code max_running 2, threads 1}: two of each tenant's statements at once.</li>
 * </ul>
 * Usage (from the repository root, after {@code mvn -pl bench -am package -DskipTests}):
 * {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.FairnessBenchmark [seconds per phase] [rounds]}.
 * Rounds rotate the order of the configurations, so drift of a shared machine lands on all of them.
 */
public final class FairnessBenchmark {
    private static final String GLOBEX_QUERY = "SELECT c.country_code, count(*) AS orders, sum(o.amount) AS total"
            + " FROM orders o JOIN customers c ON o.customer_id = c.customer_id GROUP BY c.country_code"
            + " ORDER BY total DESC";
    /** A cross join of 1.4·10⁸ row pairs: about a second of both cores on a quiet machine. */
    private static final String ACME_HEAVY = "SELECT count(*) FROM range(12000) AS a(i), range(12000) AS b(j)"
            + " WHERE (i * 7 + j * 13) % 101 = 0";
    /** acme's {@code rate.max_concurrent} in the demo policy: how many heavy queries it runs at once. */
    private static final int ACME_MAX_CONCURRENT = 16;

    /** One configuration of the demo to measure. */
    private record Variant(String name, int maxRunning, int duckdbThreads) {
    }

    private static final List<Variant> VARIANTS = List.of(new Variant("before", 0, 0),
            new Variant("max_running 1", 1, 0), new Variant("max_running 1, threads 1", 1, 1),
            new Variant("max_running 2, threads 1", 2, 1));

    private FairnessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.printf(Locale.ROOT, "globex p50/p99 (ms) alone and while acme runs %d cross joins; %d s per phase,"
                + " %d rounds, %d cores%n", ACME_MAX_CONCURRENT, seconds, rounds,
                Runtime.getRuntime().availableProcessors());
        List<List<double[]>> results = new ArrayList<>();
        VARIANTS.forEach(v -> results.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < VARIANTS.size(); i++) {
                Variant v = VARIANTS.get((i + round) % VARIANTS.size());
                double[] r = measure(v, seconds);
                results.get(VARIANTS.indexOf(v)).add(r);
                System.out.printf(Locale.ROOT, "  round %d %-20s alone p50 %6.1f p99 %7.1f | loaded p50 %6.1f p99"
                        + " %7.1f | p99 ratio %5.2f | acme heavy queries done %d%n", round + 1, v.name(), r[0], r[1],
                        r[2], r[3], r[3] / r[1], (long) r[4]);
            }
        }
        System.out.println();
        System.out.println("| configuration | globex p50 alone, ms | p99 alone | p50 under acme's load | p99 under load |"
                + " p50 ratio | p99 ratio | acme cross joins finished |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < VARIANTS.size(); i++) {
            double[] m = median(results.get(i));
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %d |%n",
                    VARIANTS.get(i).name(), m[0], m[1], m[2], m[3], m[2] / m[0], m[3] / m[1], (long) m[4]);
        }
    }

    /** The median of each figure over the rounds. */
    private static double[] median(List<double[]> rounds) {
        double[] out = new double[rounds.get(0).length];
        for (int k = 0; k < out.length; k++) {
            final int f = k;
            double[] values = rounds.stream().mapToDouble(r -> r[f]).sorted().toArray();
            out[k] = values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        }
        return out;
    }

    /** {alone p50, alone p99, loaded p50, loaded p99, acme queries finished while loaded}. */
    private static double[] measure(Variant v, int seconds) throws Exception {
        Path config = writeConfig(v);
        try (ServerProcess server = ServerProcess.startFrom(System.getProperty("java.class.path"),
                dirName(v), "protobuf", "proxy", config.toString())) {
            String url = "jdbc:postgresql://127.0.0.1:" + server.postgresPort() + "/main?sslmode=disable";
            try (Connection globex = connect(url, "globex")) {
                probe(globex, Math.max(2, seconds / 3)); // warm-up: the JIT, DuckDB's plan, the pool
                List<Long> alone = probe(globex, seconds);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong heavyDone = new AtomicLong();
                List<Thread> acme = new ArrayList<>();
                List<Statement> running = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int i = 0; i < ACME_MAX_CONCURRENT; i++) {
                    Thread t = new Thread(() -> heavy(url, stop, heavyDone, running), "acme-heavy-" + i);
                    t.start();
                    acme.add(t);
                }
                Thread.sleep(1_000); // acme's statements are all admitted and running (or waiting their turn)
                List<Long> loaded = probe(globex, seconds);
                stop.set(true);
                synchronized (running) {
                    for (Statement st : running) {
                        st.cancel();
                    }
                }
                for (Thread t : acme) {
                    t.join(300_000);
                }
                return new double[] {percentile(alone, 50), percentile(alone, 99), percentile(loaded, 50),
                        percentile(loaded, 99), heavyDone.get()};
            }
        }
    }

    private static Connection connect(String url, String tenant) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", tenant);
        p.setProperty("password", tenant + "-secret");
        return DriverManager.getConnection(url, p);
    }

    /** Runs globex's query back to back for {@code seconds}; its latencies in microseconds. */
    private static List<Long> probe(Connection c, int seconds) throws SQLException {
        List<Long> latencies = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        try (Statement st = c.createStatement()) {
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                try (ResultSet rs = st.executeQuery(GLOBEX_QUERY)) {
                    while (rs.next()) {
                        rs.getString(1);
                    }
                }
                latencies.add((System.nanoTime() - start) / 1_000);
            }
        }
        return latencies;
    }

    /** One of acme's clients: the heavy query, again and again, until told to stop. */
    private static void heavy(String url, AtomicBoolean stop, AtomicLong done, List<Statement> running) {
        try (Connection c = connect(url, "acme"); Statement st = c.createStatement()) {
            running.add(st);
            while (!stop.get()) {
                try (ResultSet rs = st.executeQuery(ACME_HEAVY)) {
                    rs.next();
                }
                done.incrementAndGet();
            }
        } catch (SQLException e) {
            if (!stop.get()) {
                System.err.println("acme's heavy query failed: " + e.getMessage());
            }
        }
    }

    private static double percentile(List<Long> micros, int p) {
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }

    /**
     * A copy of the demo's conf/ in {@code bench/target/fairness-<variant>/}: free ports, no admin endpoint, both
     * tenants' query rates lifted (the probe must not be throttled), {@code max_concurrent} as in the demo (acme 16,
     * globex 4), and the variant's {@code max_running} (none: as many as {@code max_concurrent}) and threads.
     */
    private static String dirName(Variant v) {
        return "fairness-" + v.name().replaceAll("[^a-z0-9]+", "-");
    }

    private static Path writeConfig(Variant v) throws IOException {
        Path source = Path.of("conf");
        Path dir = Path.of("bench/target/" + dirName(v)).toAbsolutePath();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = dir.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path proxy = dir.resolve("proxy.yaml");
        String threads = v.duckdbThreads() > 0 ? "\n    threads: " + v.duckdbThreads() : "";
        Files.writeString(proxy, Files.readString(proxy)
                .replace("  port: 8765\n", "  port: 0\n  admin_port: -1\n")
                .replace("postgres: { enabled: true, port: 5433 }", "postgres: { enabled: true, port: 0 }")
                .replace("flight: { enabled: true, port: 8815 }", "flight: { enabled: true, port: 0 }")
                .replace("path: ../logs/audit.jsonl", "path: audit.jsonl")
                .replace("    pool: { max_size: 8 }", "    pool: { max_size: 20 }" + threads));
        String running = v.maxRunning() > 0 ? ", max_running: " + v.maxRunning() : "";
        for (String tenant : Arrays.asList("acme", "globex")) {
            Path policy = dir.resolve("policies/" + tenant + ".yaml");
            int concurrent = tenant.equals("acme") ? ACME_MAX_CONCURRENT : 4;
            Files.writeString(policy, Files.readString(policy).replaceFirst("(?m)^rate: .*$",
                    "rate: { queries_per_second: 10000, burst: 10000, max_concurrent: " + concurrent + running
                            + " }").replaceFirst("(?m)^query_timeout_seconds: .*$", "query_timeout_seconds: 600"));
        }
        return proxy;
    }
}

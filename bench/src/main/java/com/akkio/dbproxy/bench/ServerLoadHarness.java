package com.akkio.dbproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongFunction;

import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.backend.DuckDbBackends;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.duckdb.DuckDBConnection;

/**
 * The server benchmark: side by side in one run, on the same demo data, (1) direct DuckDB JDBC in this process,
 * (2) a plain Avatica server ({@code JdbcMeta} over DuckDB, no policy, no authentication) and this proxy
 * ({@code bench/conf/proxy.yaml}: the demo with limits lifted) through (3) its Avatica front end and (4) its
 * PostgreSQL front end (the PostgreSQL JDBC driver), both servers in processes of their own over
 * protobuf on 127.0.0.1 (the stream also over JSON). Latency and throughput workloads alternate between the targets
 * round by round, so noise on this shared machine lands on all of them. Prints a Markdown table with the ratio proxy / plain Avatica and the
 * issue's target for it, and writes {@code bench/results/server-load.json} and {@code .md}.
 *
 * <p>Usage, from the repository root: {@code java --add-opens=java.base/java.nio=ALL-UNNAMED
 * -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.ServerLoadHarness [seconds per throughput step]}
 *
 * <p>It is one long class on purpose: each workload is a short method over the same targets and rounds, and reading
 * them side by side is how a reader checks that every target is measured the same way.
 */
public final class ServerLoadHarness {
    static final String ANALYTICS = "SELECT c.country_code, count(*) AS n, sum(o.amount) AS total FROM"
            + " acme_prod.sales.orders o JOIN acme_prod.sales.customers c ON o.customer_id = c.customer_id"
            + " GROUP BY c.country_code ORDER BY total DESC";
    static final int STREAM_ROWS = 1_000_000;
    static final String STREAM = "SELECT i AS id, i * 2 AS doubled, CAST(i AS VARCHAR) AS label, i / 3.0 AS ratio,"
            + " DATE '2020-01-01' + CAST(i % 1000 AS INTEGER) AS day FROM range(" + STREAM_ROWS + ") AS t(i)";
    static final int IDLE_CONNECTIONS = 1000;
    private static final int ROUNDS = 3;
    private static final int SELECT1_ROUNDS = 12;
    private static final int SETTLE_SECONDS = 2;
    private static final int WARM_UP_MAX_SECONDS = 180;
    private static final int WARM_JIT_SHARE_PERCENT = 5;
    private static final int WINDOWS = 8;
    static final String PROXY_CONFIG = "bench/conf/proxy.yaml";

    private ServerLoadHarness() {
    }

    /** A way to reach one target; {@code server} is null for the in-process baseline. */
    record Target(String name, String key, String url, Properties info, ServerProcess server,
                  DuckDBConnection direct) {
        /** The proxy's Avatica front end, as the benchmark's tenant. */
        static Target proxy(String name, String key, ServerProcess server) {
            return new Target(name, key, "jdbc:akkio://127.0.0.1:" + server.port(), acme(), server, null);
        }

        /** A plain Avatica server over protobuf ({@link BenchServer} {@code plain}). */
        static Target plain(ServerProcess server) {
            return new Target("plain Avatica", "plain", "jdbc:avatica:remote:url=http://127.0.0.1:" + server.port()
                    + ";serialization=protobuf", new Properties(), server, null);
        }

        Connection connect() throws SQLException {
            return direct != null ? direct.duplicate() : DriverManager.getConnection(url, info);
        }
    }

    public static void main(String[] args) throws Exception {
        if (!Object.class.getModule().isOpen("java.nio", ServerLoadHarness.class.getModule())) {
            // else the Flight target's driver fails only after minutes of warming the other targets up
            throw new IllegalStateException("the Arrow Flight SQL JDBC driver needs java.nio open: run java with"
                    + " --add-opens=java.base/java.nio=ALL-UNNAMED (bench/run.sh does)");
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        // "new-texts": the warm-up, then only the analytics workloads of texts never seen before (and the same text
        // beside them), a short run for changes to the first-time decision; its report is server-load-new-texts.*
        boolean newTextsOnly = args.length > 1 && args[1].equals("new-texts");
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        Results r = new Results(List.of("direct", "plain", "proxy", "pg", "flight"));
        try (DuckDBConnection direct = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:")) {
            DuckDbBackends.runScript(direct, Path.of("conf/demo-seed.sql"));
            if (newTextsOnly) {
                measureNewTexts(direct, seconds, r);
            } else {
                measure(direct, seconds, r);
            }
        }
        r.report(results, newTextsOnly ? "server-load-new-texts" : "server-load");
    }

    private static void measureNewTexts(DuckDBConnection direct, int seconds, Results r) throws Exception {
        try (ServerProcess plainServer = ServerProcess.start("protobuf", "plain");
             ServerProcess proxyServer = ServerProcess.start("protobuf", "proxy", PROXY_CONFIG)) {
            List<Target> targets = targets(direct, plainServer, proxyServer);
            warmUp(targets, r);
            analytics(targets, 8, seconds, t -> SAME_TEXT, "analytics", r);
            analytics(targets, 8, seconds, t -> NEW_TEXT, "analytics_new_text", r);
            analytics(targets, 8, seconds, t -> NEW_NAME, "analytics_new_name", r);
            analytics(targets, 8, seconds, t -> NEW_SHAPE, "analytics_new_shape", r);
        }
    }

    private static List<Target> targets(DuckDBConnection direct, ServerProcess plainServer,
                                        ServerProcess proxyServer) {
        return List.of(
                new Target("direct DuckDB", "direct", null, null, null, direct),
                Target.plain(plainServer),
                Target.proxy("akkio proxy", "proxy", proxyServer),
                new Target("akkio proxy, PostgreSQL wire", "pg", "jdbc:postgresql://127.0.0.1:"
                        + proxyServer.postgresPort() + "/main?sslmode=disable", acme(), proxyServer, null),
                // the Arrow Flight SQL JDBC driver, as a BI tool connects: every statement a prepared one
                new Target("akkio proxy, Flight SQL", "flight", "jdbc:arrow-flight-sql://127.0.0.1:"
                        + proxyServer.flightPort() + "/?useEncryption=false", acme(), proxyServer, null));
    }

    private static void measure(DuckDBConnection direct, int seconds, Results r) throws Exception {
        try (ServerProcess plainServer = ServerProcess.start("protobuf", "plain");
             ServerProcess proxyServer = ServerProcess.start("protobuf", "proxy", PROXY_CONFIG)) {
            List<Target> targets = targets(direct, plainServer, proxyServer);
            r.put("plain", "start_ms", plainServer.startMillis());
            r.put("proxy", "start_ms", proxyServer.startMillis());
            warmUp(targets, r);
            select1(targets, r);
            connectAndFirstQuery(targets, r);
            for (int clients : new int[] {1, 8, 32}) {
                analytics(targets, clients, seconds, t -> SAME_TEXT, "analytics", r);
            }
            analytics(targets, 8, seconds, t -> NEW_TEXT, "analytics_new_text", r);
            analytics(targets, 8, seconds, t -> NEW_NAME, "analytics_new_name", r);
            analytics(targets, 8, seconds, t -> NEW_SHAPE, "analytics_new_shape", r);
            // what the gateway itself costs: the baselines run the statement the proxy sends DuckDB, row cap included
            String rewritten = rewrittenForAcme(ANALYTICS);
            analytics(targets, 32, seconds, t -> t.server == null || t.server == plainServer ? n -> rewritten
                    : SAME_TEXT, "analytics_rewritten_baseline", r);
            stream(targets, r, "stream");
            idleConnections(targets, r);
        }
        try (ServerProcess plainServer = ServerProcess.start("json", "plain");
             ServerProcess proxyServer = ServerProcess.start("json", "proxy", PROXY_CONFIG)) {
            stream(List.of(
                    new Target("plain Avatica, JSON", "plain", "jdbc:avatica:remote:url=http://127.0.0.1:"
                            + plainServer.port() + ";serialization=json", new Properties(), plainServer, null),
                    new Target("akkio proxy, JSON", "proxy", "jdbc:akkio://127.0.0.1:" + proxyServer.port()
                            + "?serialization=json", acme(), proxyServer, null)), r, "stream_json");
        }
    }

    /** {@code sql} as the proxy rewrites it for the benchmark's tenant (physical names, row cap). */
    static String rewrittenForAcme(String sql) throws Exception {
        TenantPolicy acme = ConfigLoader.load(Path.of(PROXY_CONFIG)).tenants().get("acme").policy();
        return new PolicyEngine().decide(acme, sql).rewrittenSql();
    }

    private static Properties acme() {
        Properties acme = new Properties();
        acme.setProperty("user", "acme");
        acme.setProperty("password", "acme-secret");
        return acme;
    }

    // ------------------------------------------------------------------ workloads

    static void select1(List<Target> targets, Results r) throws Exception {
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        Map<String, Long> serverCpu = new LinkedHashMap<>();
        List<Statement> statements = new ArrayList<>();
        try {
            for (Target t : targets) {
                Statement s = statements(t, 1).get(0);
                statements.add(s);
                // the servers are warm (see warmUp); this settles the connection and its statement
                long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
                while (System.nanoTime() < warmUntil) {
                    scalar(s, "SELECT 1");
                }
                samples.put(t.key, new ArrayList<>());
            }
            // rounds of 1,000 per target, each target going first in turn, so that drift lands on all of them
            for (int round = 0; round < SELECT1_ROUNDS; round++) {
                for (int j = 0; j < targets.size(); j++) {
                    int i = (j + round) % targets.size();
                    Target t = targets.get(i);
                    List<Long> micros = samples.get(t.key);
                    long cpu = t.server == null ? 0 : Long.parseLong(t.server.command("cpu"));
                    for (int n = 0; n < 1000; n++) {
                        long start = System.nanoTime();
                        scalar(statements.get(i), "SELECT 1");
                        micros.add(System.nanoTime() - start);
                    }
                    if (t.server != null) {
                        serverCpu.merge(t.key, Long.parseLong(t.server.command("cpu")) - cpu, Long::sum);
                    }
                }
            }
        } finally {
            close(statements);
        }
        samples.forEach((key, nanos) -> {
            long[] sorted = sorted(nanos);
            r.put(key, "select1_p50_ms", percentile(sorted, 50) / 1e6);
            r.put(key, "select1_p99_ms", percentile(sorted, 99) / 1e6);
        });
        serverCpu.forEach((key, nanos) -> r.put(key, "select1_server_cpu_us", nanos / 1e3 / samples.get(key).size()));
    }

    private static void connectAndFirstQuery(List<Target> targets, Results r) throws SQLException {
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        targets.forEach(t -> samples.put(t.key, new ArrayList<>()));
        for (int round = 0; round < ROUNDS + 1; round++) {
            for (Target t : targets) {
                for (int i = 0; i < 25; i++) {
                    long start = System.nanoTime();
                    try (Connection c = t.connect(); Statement s = c.createStatement()) {
                        scalar(s, "SELECT 1");
                    }
                    if (round > 0) { // the first round warms up
                        samples.get(t.key).add(System.nanoTime() - start);
                    }
                }
            }
        }
        samples.forEach((key, nanos) -> r.put(key, "connect_ms", percentile(sorted(nanos), 50) / 1e6));
    }

    /** The analytics query, the same text every time (the proxy decides it once per policy). */
    static final LongFunction<String> SAME_TEXT = n -> ANALYTICS;
    /**
     * The analytics query with a literal no earlier query had, as an application that fills values into its SQL
     * sends it: the proxy has not seen the text, but has seen its shape. The result does not change.
     */
    static final LongFunction<String> NEW_TEXT = n -> ANALYTICS.replace(" GROUP BY",
            " WHERE o.order_id <> " + -n + " GROUP BY");
    /**
     * The analytics query with a table alias no earlier query had, named again where its columns are: a statement the
     * proxy has seen in no form, which pays for a full policy decision every time (the alias is part of every shape).
     * The result does not change.
     */
    static final LongFunction<String> NEW_SHAPE = n -> ANALYTICS.replace(" o ", " o" + n + " ")
            .replace("o.", "o" + n + ".");
    /**
     * The analytics query with a result column's name no earlier query had, as LLM-written SQL names its columns: until
     * 2026-12-08 the harness's "new shape"; now the name is a slot of the shape, and the proxy decides it from a template.
     */
    static final LongFunction<String> NEW_NAME = n -> ANALYTICS.replace("AS n,", "AS n" + n + ",");
    private static final AtomicLong QUERY_NUMBER = new AtomicLong();

    /**
     * Throughput of {@code clients} concurrent clients on connections opened beforehand (an application keeps its
     * connections pooled; what opening one costs is measured apart). The time is cut into {@value #WINDOWS} windows
     * per target and the targets take turns window by window, each going first in turn, so that drift on this shared
     * machine (other processes, the collector, DuckDB's allocator) lands on all of them; the figure is the median
     * window's rate.
     */
    static void analytics(List<Target> targets, int clients, int seconds,
                          Function<Target, LongFunction<String>> sqlFor, String metric, Results r)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        Map<Target, List<Statement>> open = new LinkedHashMap<>();
        try {
            for (Target t : targets) {
                open.put(t, statements(t, clients));
            }
            Map<String, List<Long>> latencies = new LinkedHashMap<>();
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            // the server process's CPU over its windows and the statements they ran (the targets take turns, so
            // the proxy's two front ends, one process, are each measured alone)
            Map<String, long[]> cpu = new LinkedHashMap<>();
            long windowMillis = TimeUnit.SECONDS.toMillis(seconds) / WINDOWS;
            for (int w = 0; w < WINDOWS; w++) {
                for (int i = 0; i < targets.size(); i++) {
                    Target t = targets.get((i + w) % targets.size());
                    long cpuBefore = t.server == null ? 0 : Long.parseLong(t.server.command("process_cpu"));
                    long start = System.nanoTime();
                    List<Long> nanos = window(pool, open.get(t), windowMillis, sqlFor.apply(t));
                    latencies.computeIfAbsent(t.key, k -> new ArrayList<>()).addAll(nanos);
                    rates.computeIfAbsent(t.key, k -> new ArrayList<>())
                            .add(nanos.size() / ((System.nanoTime() - start) / 1e9));
                    if (t.server != null) {
                        long[] used = cpu.computeIfAbsent(t.key, k -> new long[2]);
                        used[0] += Long.parseLong(t.server.command("process_cpu")) - cpuBefore;
                        used[1] += nanos.size();
                    }
                }
            }
            rates.forEach((key, list) -> r.put(key, metric + "_qps_" + clients, median(list)));
            cpu.forEach((key, used) -> r.put(key, metric + "_server_cpu_us_" + clients, used[0] / 1e3 / used[1]));
            latencies.forEach((key, nanos) ->
                    r.put(key, metric + "_p99_ms_" + clients, percentile(sorted(nanos), 99) / 1e6));
        } finally {
            pool.shutdown();
            for (List<Statement> statements : open.values()) {
                close(statements);
            }
        }
    }

    /**
     * Runs every workload on each target until its server is warm: until, over a whole cycle of the workloads, its
     * JIT compilers were busy for less than {@value #WARM_JIT_SHARE_PERCENT} % of the time (at most
     * {@value #WARM_UP_MAX_SECONDS} s). A plain Avatica server gets there in about 40 s, the proxy, with more code
     * to compile (policy engine, audit, two front ends), in about two minutes; measured without this, it answered the
     * analytics query in 5 ms instead of 2 ms for its first 40 s. Records how long each took.
     */
    static void warmUp(List<Target> targets, Results r) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (Target t : targets) {
                List<Statement> statements = statements(t, 8);
                try {
                    long start = System.nanoTime();
                    long deadline = start + TimeUnit.SECONDS.toNanos(WARM_UP_MAX_SECONDS);
                    boolean warm = false;
                    while (!warm && System.nanoTime() < deadline) {
                        long cycleStart = System.nanoTime();
                        long jit = t.server == null ? 0 : Long.parseLong(t.server.command("jit"));
                        window(pool, statements, 1000, NEW_TEXT);
                        window(pool, statements, 1000, NEW_SHAPE);
                        window(pool, statements, 500, NEW_NAME);
                        window(pool, statements, 2000, SAME_TEXT);
                        window(pool, statements, 1000, n -> "SELECT 1");
                        window(pool, statements.subList(0, 1), 500, n -> STREAM.replace(
                                String.valueOf(STREAM_ROWS), "20000"));
                        long cycleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cycleStart);
                        warm = t.server == null || (Long.parseLong(t.server.command("jit")) - jit) * 100
                                < cycleMillis * WARM_JIT_SHARE_PERCENT;
                    }
                    r.put(t.key, "warm_up_s", (System.nanoTime() - start) / 1e9);
                } finally {
                    close(statements);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Each statement runs queries back to back until the window closes; returns every query's latency. */
    static List<Long> window(ExecutorService pool, List<Statement> statements, long millis,
                                     LongFunction<String> sql) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (Statement s : statements) {
            futures.add(pool.submit(() -> {
                List<Long> nanos = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try (ResultSet rs = s.executeQuery(sql.apply(QUERY_NUMBER.incrementAndGet()))) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                    nanos.add(System.nanoTime() - start);
                }
                return nanos;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            all.addAll(f.get());
        }
        return all;
    }

    static List<Statement> statements(Target t, int count) throws SQLException {
        List<Statement> statements = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Connection c = t.connect();
                try {
                    // the Flight SQL driver leaks a prepared statement per query of a reused statement
                    statements.add(t.key.equals("flight") ? FlightStatements.of(c) : c.createStatement());
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
            }
        } catch (SQLException e) {
            close(statements);
            throw e;
        }
        return statements;
    }

    static void close(List<Statement> statements) throws SQLException {
        for (Statement s : statements) {
            Connection c = s.getConnection();
            s.close(); // the Flight SQL driver's connection does not close its statements (apache/arrow-java#932)
            c.close();
        }
    }

    /**
     * A 1M-row, 5-column result read to the end: rows per second, and the server's memory meanwhile: heap retained
     * (after collections) and occupied, direct memory (NIO pool and Netty's own; see {@link MemorySampler}) and the
     * proxy's Arrow allocator, each the larger of two rounds.
     */
    private static void stream(List<Target> targets, Results r, String metric) throws Exception {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, Map<String, Long>> peaks = new LinkedHashMap<>();
        for (int round = 0; round < 2; round++) {
            for (Target t : targets) {
                if (t.server != null) {
                    t.server.command("reset");
                }
                long start = System.nanoTime();
                long rows = 0;
                long checksum = 0;
                try (Connection c = t.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(STREAM)) {
                    while (rs.next()) {
                        checksum += rs.getLong(1) + rs.getLong(2) + rs.getString(3).length();
                        rs.getBigDecimal(4);
                        rs.getDate(5);
                        rows++;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (rows != STREAM_ROWS || checksum <= 0) {
                    throw new IllegalStateException(t.name + " streamed " + rows + " rows, expected " + STREAM_ROWS);
                }
                rates.computeIfAbsent(t.key, k -> new ArrayList<>()).add(rows / seconds);
                if (t.server != null) {
                    long[] peak = Arrays.stream(t.server.command("peak").split(" ")).mapToLong(Long::parseLong)
                            .toArray();
                    Map<String, Long> mine = peaks.computeIfAbsent(t.key, k -> new LinkedHashMap<>());
                    if (peak[2] > 0) { // without a collection during the stream, there is no retained figure
                        mine.merge("_peak_live_heap_mib", peak[0], Math::max);
                    }
                    r.put(t.key, metric + "_rss_mib", peak[1] / 1048576.0);
                    mine.merge("_peak_heap_used_mib", peak[3], Math::max);
                    mine.merge("_peak_direct_mib", peak[4], Math::max);
                    mine.merge("_direct_before_mib", peak[6], Math::max);
                    if (peak[5] >= 0) {
                        mine.merge("_peak_arrow_mib", peak[5], Math::max);
                    }
                }
            }
        }
        rates.forEach((key, list) -> r.put(key, metric + "_rows_per_s", list.stream().mapToDouble(d -> d).max()
                .orElseThrow()));
        peaks.forEach((key, figures) -> figures.forEach((name, bytes) ->
                r.put(key, metric + name, bytes / 1048576.0)));
    }

    /**
     * What an open, idle client connection costs the server in heap. (Resident memory is not reported: with a fixed
     * heap it moves with the collector, not with connections.)
     */
    private static void idleConnections(List<Target> targets, Results r) throws Exception {
        for (Target t : targets) {
            if (t.server == null) {
                continue;
            }
            long before = Long.parseLong(t.server.command("live"));
            List<Connection> open = new ArrayList<>(IDLE_CONNECTIONS);
            try {
                for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                    Connection c = t.connect();
                    open.add(c);
                    try (Statement s = c.createStatement()) {
                        scalar(s, "SELECT 1");
                    }
                }
                long after = Long.parseLong(t.server.command("live"));
                r.put(t.key, "idle_heap_kib_per_connection", (after - before) / 1024.0 / IDLE_CONNECTIONS);
            } finally {
                for (Connection c : open) {
                    c.close();
                }
            }
        }
    }

    private static void scalar(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
        }
    }

    // ------------------------------------------------------------------ results

    /** Figures per target, and the table comparing them. */
    static final class Results {
        /** label, key, and the target for proxy / plain (or an absolute target). */
        private static final String[][] ROWS = {
            {"server start to listening, ms", "start_ms", "proxy ≤ 3000 ms"},
            {"warm-up until the JIT is idle, s", "warm_up_s", ""},
            {"SELECT 1 p50, ms", "select1_p50_ms", "≤ 1.10"},
            {"SELECT 1 p99, ms", "select1_p99_ms", "≤ 1.10"},
            {"SELECT 1, server CPU µs per statement", "select1_server_cpu_us", ""},
            {"connect + first query, ms", "connect_ms", ""},
            {"analytics q/s, 1 client", "analytics_qps_1", ""},
            {"analytics p99 ms, 1 client", "analytics_p99_ms_1", ""},
            {"analytics q/s, 8 clients", "analytics_qps_8", ""},
            {"analytics p99 ms, 8 clients", "analytics_p99_ms_8", ""},
            {"analytics, 8 clients, server process CPU µs per statement", "analytics_server_cpu_us_8", ""},
            {"analytics q/s, 32 clients", "analytics_qps_32", "≥ 0.90"},
            {"analytics p99 ms, 32 clients", "analytics_p99_ms_32", ""},
            {"analytics q/s, 8 clients, every query text new (new literal)", "analytics_new_text_qps_8", ""},
            {"analytics p99 ms, 8 clients, every query text new (new literal)", "analytics_new_text_p99_ms_8", ""},
            {"analytics, 8 clients, new literal, server process CPU µs per statement",
                "analytics_new_text_server_cpu_us_8", ""},
            {"analytics q/s, 8 clients, a new result column name each time", "analytics_new_name_qps_8", ""},
            {"analytics p99 ms, 8 clients, a new result column name each time", "analytics_new_name_p99_ms_8", ""},
            {"analytics, 8 clients, new column name, server process CPU µs per statement",
                "analytics_new_name_server_cpu_us_8", ""},
            {"analytics q/s, 8 clients, every query shape new (new table alias)", "analytics_new_shape_qps_8", "≥ 0.95"},
            {"analytics p99 ms, 8 clients, every query shape new (new table alias)", "analytics_new_shape_p99_ms_8",
                ""},
            {"analytics, 8 clients, new shape, server process CPU µs per statement",
                "analytics_new_shape_server_cpu_us_8", ""},
            {"analytics q/s, 32 clients, baselines sent the proxy's rewritten SQL", "analytics_rewritten_baseline_qps_32",
                ""},
            {"1M-row stream, rows/s", "stream_rows_per_s", "≥ 0.90"},
            {"1M-row stream, server peak live heap MiB", "stream_peak_live_heap_mib", "bounded"},
            {"1M-row stream, server heap occupied (garbage included), peak MiB", "stream_peak_heap_used_mib", ""},
            {"1M-row stream, server direct memory (NIO + Netty), peak MiB", "stream_peak_direct_mib", "bounded"},
            {"1M-row stream, server direct memory before the stream, MiB", "stream_direct_before_mib", ""},
            {"1M-row stream, proxy's Arrow allocator, peak MiB", "stream_peak_arrow_mib", "≤ stream_memory_mb"},
            {"1M-row stream, server RSS MiB", "stream_rss_mib", ""},
            {"1M-row stream over JSON, rows/s", "stream_json_rows_per_s", ""},
            {"1M-row stream over JSON, server peak live heap MiB", "stream_json_peak_live_heap_mib", ""},
            {"idle connection, server heap KiB each (1,000 open)", "idle_heap_kib_per_connection",
                "proxy ≤ 64 KiB"},
        };
        private final List<String> keys;
        private final Map<String, Map<String, Double>> figures = new LinkedHashMap<>();

        Results(List<String> keys) {
            this.keys = keys;
            keys.forEach(k -> figures.put(k, new LinkedHashMap<>()));
        }

        void put(String target, String metric, double value) {
            figures.get(target).put(metric, value);
        }

        /** Every metric both targets have, with the ratio {@code b / a}, as a Markdown table. */
        String compare(String a, String b) {
            StringBuilder md = new StringBuilder("| metric | " + a + " | " + b + " | " + b + " / " + a + " |\n")
                    .append("|---|---:|---:|---:|\n");
            figures.get(a).forEach((metric, x) -> {
                Double y = figures.get(b).get(metric);
                if (y != null) {
                    md.append("| ").append(metric).append(" | ").append(fmt(x)).append(" | ").append(fmt(y))
                            .append(" | ").append(String.format(Locale.ROOT, "%.3f", y / x)).append(" |\n");
                }
            });
            return md.toString();
        }

        void report(Path dir, String name) throws Exception {
            String machine = Machine.describe();
            StringBuilder md = new StringBuilder("# Server benchmark\n\n").append(machine).append("\n\n")
                    .append("| workload | direct DuckDB | plain Avatica | akkio proxy (Avatica) | akkio proxy"
                            + " (PostgreSQL wire) | akkio proxy (Flight SQL JDBC) | proxy / plain | pg wire / plain"
                            + " | Flight / plain | target for proxy / plain |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
            for (String[] row : ROWS) {
                md.append("| ").append(row[0]);
                for (String k : keys) {
                    md.append(" | ").append(fmt(figures.get(k).get(row[1])));
                }
                for (String front : List.of("proxy", "pg", "flight")) {
                    Double plain = figures.get("plain").get(row[1]);
                    Double proxy = figures.get(front).get(row[1]);
                    md.append(" | ");
                    if (plain != null && proxy != null && plain > 0) {
                        ratios.computeIfAbsent(front + "_over_plain", k -> new LinkedHashMap<>())
                                .put(row[1], proxy / plain);
                        md.append(String.format(Locale.ROOT, "%.2f", proxy / plain));
                    }
                }
                md.append(" | ").append(row[2]).append(" |\n");
            }
            streamRatios(md, ratios);
            System.out.print(md);
            Files.writeString(dir.resolve(name + ".md"), md);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("machine", machine);
            json.put("figures", figures);
            json.put("ratios", ratios);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(name + ".json").toFile(),
                    json);
        }

        /** The 1M-row stream through Flight SQL against the proxy's other front ends and direct DuckDB, this run. */
        private void streamRatios(StringBuilder md, Map<String, Map<String, Double>> ratios) {
            Double flight = figures.get("flight").get("stream_rows_per_s");
            if (flight == null) {
                return;
            }
            md.append("\n1M-row stream, rows/s of Flight SQL over:");
            for (String other : List.of("proxy", "pg", "direct")) {
                Double rate = figures.get(other).get("stream_rows_per_s");
                if (rate != null && rate > 0) {
                    ratios.computeIfAbsent("flight_over_" + other, k -> new LinkedHashMap<>())
                            .put("stream_rows_per_s", flight / rate);
                    md.append(String.format(Locale.ROOT, " %s %.2f;", other, flight / rate));
                }
            }
            md.append(" (proxy: its Avatica front end, pg: its PostgreSQL wire)\n");
        }

        private static String fmt(Double v) {
            if (v == null) {
                return "n/a";
            }
            return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%,.0f" : "%.2f", v);
        }
    }

    /** Which machine the figures come from. */
    static final class Machine {
        private Machine() {
        }

        static String describe() throws java.io.IOException {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
            return "Machine: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + "; " + java.time.LocalDate.now();
        }
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static long percentile(long[] sorted, int pct) {
        return sorted[Math.min(sorted.length - 1, sorted.length * pct / 100)];
    }

    static long[] sorted(List<Long> values) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }
}

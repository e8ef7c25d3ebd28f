package com.akkio.dbproxy.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Time to steady state (issue 25): servers started fresh, side by side in one run, measured from readiness in windows
 * of {@code window} seconds up to {@code horizon}: {@code SELECT 1} p50 on one connection, the analytics query's
 * throughput on 4, and the throughput on 4 of analytics texts each of a shape never seen before (a new alias: the
 * policy engine's first-time decision, which a warm-up may or may not have compiled), each as a ratio to plain Avatica
 * in the same window. The targets: plain Avatica (ready = first
 * successful query), the proxy without warm-up, with the warm-up at start ({@code server.warmup}), with the warm-up
 * and an AppCDS archive from a training run of this class path, and the same with a lower JIT threshold. Ready for a
 * proxy is its {@code /ready} answering 200. The servers start one after the other (plain Avatica first, so it idles
 * longest before the clock starts: any advantage of that goes to the baseline); the clock starts when the last is
 * ready; in each window the targets take turns, each going first in turn, so the machine's load lands on all of them.
 * Writes {@code bench/results/fresh-start.md} and {@code .json}.
 *
 * <p>Usage, from the repository root: {@code java -cp bench/target/akkio-bench.jar
 * com.akkio.dbproxy.bench.FreshStartHarness [horizon s, default 180] [window s, default 10] [the warm-up's seconds and
 * max_seconds, default 2/10, the proxy's; one number N: N/N, the warm-up's one bound]
 * [variants, default plain,proxy,cds,warm,warm_cds; also warm_cds_jit, warm_cds_serial, warm_cds_cic4, warm_cds_c1,
 * warm3_cds_c1, cds_c1; on JDK 25 or later aot, warm_aot: its AOT cache, trained like the AppCDS archive]}
 */
public final class FreshStartHarness {
    private static final int CLIENTS = 4;
    private static final int CLIENT_WARM_UP_ROUNDS = 7;
    private static final int TRAINING_EXIT_SECONDS = 300;
    /** The warm-up of a training run: conf/cds-training.yaml's, which `mvn package` and the image's build train with. */
    private static final String TRAINING_WARM_UP_SECONDS = "10";
    private static final String DEFAULT_VARIANTS = "plain,proxy,cds,warm,warm_cds";
    private static final Path ARCHIVE = Path.of("bench/target/proxy-cds.jsa");
    /** JDK 25's AOT cache (JEPs 483, 514, 515): classes loaded and linked, and the training run's method profiles. */
    private static final Path AOT_CACHE = Path.of("bench/target/proxy.aot");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FreshStartHarness() {
    }

    /** One server to start: its label, JVM options and environment. */
    record Variant(String key, String name, List<String> jvm, Map<String, String> env) {
        boolean plain() {
            return key.equals("plain");
        }
    }

    /** A started variant: its process, the way in, and how long it took to be ready. */
    record Started(Variant variant, ServerProcess server, ServerLoadHarness.Target target, long readyMillis,
                   JsonNode readyBody) {
    }

    public static void main(String[] args) throws Exception {
        int horizon = args.length > 0 ? Integer.parseInt(args[0]) : 180;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String warmUpSeconds = args.length > 2 ? args[2] : "2/10";
        List<String> chosen = List.of((args.length > 3 ? args[3] : DEFAULT_VARIANTS).split(","));
        Files.createDirectories(Path.of("bench/results"));
        String loadBefore = loadAverage();
        train("-XX:ArchiveClassesAtExit=" + ARCHIVE, ARCHIVE);
        if (chosen.stream().anyMatch(v -> v.contains("aot"))) {
            if (Runtime.version().feature() < 25) {
                throw new IllegalArgumentException("the aot variants need JDK 25 or later; run the harness with it");
            }
            train("-XX:AOTCacheOutput=" + AOT_CACHE, AOT_CACHE);
        }
        List<String> aot = List.of("-XX:AOTCache=" + AOT_CACHE);
        List<String> cds = List.of("-XX:SharedArchiveFile=" + ARCHIVE, "-Xshare:auto");
        List<String> jit = new ArrayList<>(cds);
        jit.add("-XX:CompileThresholdScaling=0.5");
        List<String> serial = new ArrayList<>(cds);
        serial.add("-XX:+UseSerialGC");
        List<String> compilers = new ArrayList<>(cds);
        compilers.add("-XX:CICompilerCount=4");
        List<String> c1 = new ArrayList<>(cds);
        c1.add("-XX:TieredStopAtLevel=1");
        Map<String, String> warm = warmUp(warmUpSeconds);
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("plain", "plain Avatica", List.of(), Map.of()),
                new Variant("proxy", "proxy, no warm-up", List.of(), Map.of()),
                new Variant("cds", "proxy, AppCDS, no warm-up", cds, Map.of()),
                new Variant("warm", "proxy, warm-up", List.of(), warm),
                new Variant("warm_cds", "proxy, warm-up + AppCDS", cds, warm),
                new Variant("warm_cds_jit", "proxy, warm-up + AppCDS + CompileThresholdScaling=0.5", jit, warm),
                new Variant("warm_cds_serial", "proxy, warm-up + AppCDS + SerialGC", serial, warm),
                new Variant("warm_cds_cic4", "proxy, warm-up + AppCDS + CICompilerCount=4", compilers, warm),
                new Variant("warm_cds_c1", "proxy, warm-up + AppCDS + TieredStopAtLevel=1", c1, warm),
                new Variant("warm3_cds_c1", "proxy, 3 s warm-up + AppCDS + TieredStopAtLevel=1", c1,
                        warmUp("3")),
                new Variant("cds_c1", "proxy, AppCDS + TieredStopAtLevel=1, no warm-up", c1, Map.of()),
                new Variant("aot", "proxy, AOT cache, no warm-up", aot, Map.of()),
                new Variant("warm_aot", "proxy, warm-up + AOT cache", aot, warm)));
        variants.removeIf(v -> !chosen.contains(v.key()));
        if (variants.isEmpty() || !variants.get(0).plain()) {
            throw new IllegalArgumentException("the variants must include plain, the baseline: " + chosen);
        }
        List<Started> started = new ArrayList<>();
        try {
            for (Variant v : variants) {
                started.add(start(v));
            }
            Map<String, List<double[]>> figures = measure(started, horizon, window);
            report(started, figures, window, loadBefore, loadAverage(), warmUpSeconds);
        } finally {
            for (Started s : started) {
                s.server().close();
            }
        }
    }

    /** The environment that turns the bench proxy's warm-up on: {@code seconds/max_seconds}, or N for N/N. */
    private static Map<String, String> warmUp(String bounds) {
        String[] parts = bounds.split("/", 2);
        return Map.of("AKKIO_BENCH_WARMUP", "true", "AKKIO_BENCH_WARMUP_SECONDS", parts[0],
                "AKKIO_BENCH_WARMUP_MAX_SECONDS", parts.length > 1 ? parts[1] : parts[0]);
    }

    /**
     * A training run: a proxy with the warm-up and {@code option}, stopped once ready; the JVM writes {@code archive}
     * (an AppCDS archive, or JDK 25's AOT cache) at exit.
     * Meanwhile this JVM's client code (Avatica's driver, which both the client jar and plain Avatica's client run)
     * is warmed on it, so that no target pays for the harness's own cold start (the first one measured would).
     */
    private static void train(String option, Path archive) throws Exception {
        Files.deleteIfExists(archive);
        Started training = start(new Variant("training", "training run (" + option + ")", List.of(option),
                warmUp(TRAINING_WARM_UP_SECONDS)));
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Statement> statements = ServerLoadHarness.statements(training.target(), CLIENTS);
        try {
            for (int i = 0; i < CLIENT_WARM_UP_ROUNDS; i++) {
                ServerLoadHarness.window(pool, statements.subList(0, 1), 1000, n -> "SELECT 1");
                ServerLoadHarness.window(pool, statements, 2000, ServerLoadHarness.SAME_TEXT);
            }
        } finally {
            ServerLoadHarness.close(statements);
            pool.shutdown();
        }
        // writing the archive at exit takes the JVM a while on a busy machine
        training.server().stop(TRAINING_EXIT_SECONDS);
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the training run wrote no " + archive
                    + " (see bench/target/training-server.log)");
        }
    }

    private static Started start(Variant v) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(v.env());
        env.put("AKKIO_BENCH_ADMIN_PORT", "0");
        ServerProcess server = v.plain() ? ServerProcess.launch(v.key(), v.jvm(), env, "plain")
                : ServerProcess.launch(v.key(), v.jvm(), env, "proxy", ServerLoadHarness.PROXY_CONFIG);
        ServerLoadHarness.Target target = v.plain()
                ? new ServerLoadHarness.Target(v.name(), v.key(), "jdbc:avatica:remote:url=http://127.0.0.1:"
                        + server.port() + ";serialization=protobuf", new Properties(), server, null)
                : ServerLoadHarness.Target.proxy(v.name(), v.key(), server);
        JsonNode body = v.plain() ? awaitFirstQuery(target) : awaitReady(server);
        long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - server.launchedNanos());
        System.out.printf(Locale.ROOT, "%s: ready %d ms after launch%s%n", v.name(), readyMillis,
                body == null ? "" : " " + body.path("warm_up"));
        return new Started(v, server, target, readyMillis, body);
    }

    private static JsonNode awaitFirstQuery(ServerLoadHarness.Target target) throws InterruptedException {
        while (true) {
            try (Connection c = target.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                return null;
            } catch (SQLException e) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    private static JsonNode awaitReady(ServerProcess server) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        while (true) {
            try {
                HttpResponse<String> r = http.send(ready, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
            } catch (java.net.http.HttpTimeoutException e) {
                // a JVM starved of CPU while it loads classes can take longer than the timeout to answer: not ready
                System.out.printf(Locale.ROOT, "/ready did not answer within 5 s (%d ms after launch); asking again%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - server.launchedNanos()));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** Per target, per window: {SELECT 1 p50 ms, analytics q/s, new-shape analytics q/s}. */
    private static Map<String, List<double[]>> measure(List<Started> started, int horizon, int window)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        Map<String, List<Statement>> open = new LinkedHashMap<>();
        Map<String, List<double[]>> figures = new LinkedHashMap<>();
        try {
            for (Started s : started) {
                open.put(s.variant().key(), ServerLoadHarness.statements(s.target(), CLIENTS));
                figures.put(s.variant().key(), new ArrayList<>());
            }
            long sliceMillis = TimeUnit.SECONDS.toMillis(window) / started.size();
            long clock = System.nanoTime();
            for (int w = 0; w < horizon / window; w++) {
                for (int i = 0; i < started.size(); i++) {
                    Started s = started.get((i + w) % started.size());
                    List<Statement> statements = open.get(s.variant().key());
                    List<Long> select1 = ServerLoadHarness.window(pool, statements.subList(0, 1), sliceMillis / 4,
                            n -> "SELECT 1");
                    double qps = throughput(pool, statements, sliceMillis * 3 / 8, ServerLoadHarness.SAME_TEXT);
                    double newShapes = throughput(pool, statements, sliceMillis * 3 / 8, ServerLoadHarness.NEW_SHAPE);
                    figures.get(s.variant().key()).add(new double[] {
                        ServerLoadHarness.percentile(ServerLoadHarness.sorted(select1), 50) / 1e6, qps, newShapes});
                }
                System.out.printf(Locale.ROOT, "window %d done at %.0f s%n", w + 1,
                        (System.nanoTime() - clock) / 1e9);
            }
        } finally {
            pool.shutdown();
            for (List<Statement> statements : open.values()) {
                ServerLoadHarness.close(statements);
            }
        }
        return figures;
    }

    /** Statements per second on {@code statements} for {@code millis}. */
    private static double throughput(ExecutorService pool, List<Statement> statements, long millis,
                                     java.util.function.LongFunction<String> sql) throws Exception {
        long start = System.nanoTime();
        int done = ServerLoadHarness.window(pool, statements, millis, sql).size();
        return done / ((System.nanoTime() - start) / 1e9);
    }

    private static void report(List<Started> started, Map<String, List<double[]>> figures, int window,
                               String loadBefore, String loadAfter, String warmUpSeconds) throws Exception {
        StringBuilder md = new StringBuilder("# Fresh start: time to steady state\n\n")
                .append(ServerLoadHarness.Machine.describe()).append("; load average (1, 5, 15 min) ")
                .append(loadBefore).append(" before, ").append(loadAfter).append(" after; warm-up seconds/max_seconds ")
                .append(warmUpSeconds).append("\n\n| target | launch to listening, ms | launch to ready, ms | warm-up |\n")
                .append("|---|---:|---:|---|\n");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", ServerLoadHarness.Machine.describe());
        json.put("load_average_before", loadBefore);
        json.put("load_average_after", loadAfter);
        json.put("window_seconds", window);
        Map<String, Object> targets = new LinkedHashMap<>();
        for (Started s : started) {
            JsonNode warm = s.readyBody() == null ? null : s.readyBody().get("warm_up");
            md.append("| ").append(s.variant().name()).append(" | ").append(s.server().startMillis()).append(" | ")
                    .append(s.readyMillis()).append(" | ")
                    .append(warm == null ? "" : warm.toString().replace("|", "/")).append(" |\n");
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", s.variant().name());
            t.put("jvm", s.variant().jvm());
            t.put("listening_ms", s.server().startMillis());
            t.put("ready_ms", s.readyMillis());
            t.put("warm_up", warm);
            t.put("select1_p50_ms", figures.get(s.variant().key()).stream().map(f -> f[0]).toList());
            t.put("analytics_qps_4", figures.get(s.variant().key()).stream().map(f -> f[1]).toList());
            t.put("analytics_new_shape_qps_4", figures.get(s.variant().key()).stream().map(f -> f[2]).toList());
            targets.put(s.variant().key(), t);
        }
        json.put("targets", targets);
        md.append('\n').append(table(started, figures, window, 0, "SELECT 1 p50 ms")).append('\n')
                .append(table(started, figures, window, 1, "analytics q/s, " + CLIENTS + " clients")).append('\n')
                .append(table(started, figures, window, 2, "new-shape analytics q/s, " + CLIENTS + " clients"));
        System.out.print(md);
        Files.writeString(Path.of("bench/results/fresh-start.md"), md);
        JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of("bench/results/fresh-start.json").toFile(), json);
    }

    /** One figure per window: plain Avatica's value, then each proxy's value and its ratio to plain. */
    private static String table(List<Started> started, Map<String, List<double[]>> figures, int window, int index,
                                String title) {
        StringBuilder md = new StringBuilder("| ").append(title).append(", window (s after ready)");
        for (Started s : started) {
            md.append(" | ").append(s.variant().name());
            if (!s.variant().plain()) {
                md.append(" | ÷ plain");
            }
        }
        md.append(" |\n|---");
        for (Started s : started) {
            md.append(s.variant().plain() ? "|---:" : "|---:|---:");
        }
        md.append("|\n");
        List<double[]> plain = figures.get("plain");
        for (int w = 0; w < plain.size(); w++) {
            md.append("| ").append(w * window).append("–").append((w + 1) * window);
            for (Started s : started) {
                double value = figures.get(s.variant().key()).get(w)[index];
                md.append(String.format(Locale.ROOT, index == 0 ? " | %.3f" : " | %.0f", value));
                if (!s.variant().plain()) {
                    md.append(String.format(Locale.ROOT, " | %.2f", value / plain.get(w)[index]));
                }
            }
            md.append(" |\n");
        }
        // the median ratio over each third of the horizon: single windows on a loaded machine are noisy
        int third = Math.max(1, plain.size() / 3);
        for (int from = 0; from + third <= plain.size(); from += third) {
            md.append("| median ÷ plain, ").append(from * window).append("–").append((from + third) * window);
            for (Started s : started) {
                md.append(" | ");
                if (!s.variant().plain()) {
                    List<Double> ratios = new ArrayList<>();
                    for (int w = from; w < from + third; w++) {
                        ratios.add(figures.get(s.variant().key()).get(w)[index] / plain.get(w)[index]);
                    }
                    md.append(" | ").append(String.format(Locale.ROOT, "**%.2f**", ServerLoadHarness.median(ratios)));
                }
            }
            md.append(" |\n");
        }
        return md.toString();
    }

    private static String loadAverage() throws java.io.IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return parts[0] + ", " + parts[1] + ", " + parts[2];
    }
}

package com.akkio.dbproxy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Where a server's CPU goes per statement, plain Avatica's beside the proxy's, for the analytics query as the same
 * text, with a new literal and as a new shape (issue 25): both servers run at once, and each workload runs on each in
 * turn in windows of a few seconds, 8 clients each, so drift lands on both. Per window it reads the process's CPU
 * time; where {@code perf} can sample the servers, it also records each window's samples with call stacks (the
 * servers run with frame pointers and write their JIT symbol maps) and sorts every sample into one part: the policy
 * engine and the audit log by their Java frames; else by the code the sample landed in: DuckDB's native library,
 * the C library (mostly DuckDB's allocations), the kernel, the JVM's runtime, collector and compilers; or, for Java
 * code, by its innermost owner: Avatica and Jetty, DuckDB's JDBC driver, the kept plans, the proxy's request path.
 * The figure per part is microseconds of CPU per statement, the median over the rounds. Results:
 * {@code bench/results/server-cpu-profile.md}.
 *
 * <p>Args: warm-up seconds (default 120), rounds (3), seconds per window (10).
 */
public final class ServerCpuProfile {
    private static final int CLIENTS = 8;
    private static final List<String> JVM = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+PreserveFramePointer");
    private static final Map<String, LongFunction<String>> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("same text", ServerLoadHarness.SAME_TEXT);
        WORKLOADS.put("new literal", ServerLoadHarness.NEW_TEXT);
        WORKLOADS.put("new shape", ServerLoadHarness.NEW_SHAPE);
    }

    /** The parts, as the report lists them ({@link #part} sorts a sample into one). */
    static final List<String> PARTS = List.of("policy engine", "audit log", "kept plans", "proxy, other Java",
            "Avatica, Jetty, protobuf", "DuckDB JDBC (Java)", "other Java", "DuckDB (native)", "C library",
            "kernel", "JVM runtime and GC", "other native");

    private ServerCpuProfile() {
    }

    public static void main(String[] args) throws Exception {
        int warmSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        boolean perf = perfWorks();
        if (!perf) {
            System.err.println("perf cannot sample here: CPU per statement only, without its parts");
        }
        // per target and workload: the windows' statements, process CPU and (with perf) each part's samples
        Map<String, List<Window>> windows = new LinkedHashMap<>();
        try (ServerProcess plain = ServerProcess.launch("plain-profile", JVM, Map.of(), "plain");
             ServerProcess proxy = ServerProcess.launch("proxy-profile", JVM, Map.of(), "proxy",
                     ServerLoadHarness.PROXY_CONFIG)) {
            Map<String, ServerProcess> servers = new LinkedHashMap<>();
            servers.put("plain", plain);
            servers.put("proxy", proxy);
            Map<String, List<Statement>> statements = new LinkedHashMap<>();
            statements.put("plain", ServerLoadHarness.statements(ServerLoadHarness.Target.plain(plain), CLIENTS));
            statements.put("proxy", ServerLoadHarness.statements(
                    ServerLoadHarness.Target.proxy("akkio proxy", "proxy", proxy), CLIENTS));
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmSeconds);
                while (System.nanoTime() < warmEnd) {
                    for (String target : servers.keySet()) {
                        for (LongFunction<String> sql : WORKLOADS.values()) {
                            ServerLoadHarness.window(pool, statements.get(target), 2_000, sql);
                        }
                    }
                }
                for (int round = 0; round < rounds; round++) {
                    // each server goes first in turn, so that drift on the machine lands on both
                    List<Map.Entry<String, ServerProcess>> order = new ArrayList<>(servers.entrySet());
                    if (round % 2 == 1) {
                        java.util.Collections.reverse(order);
                    }
                    for (Map.Entry<String, LongFunction<String>> w : WORKLOADS.entrySet()) {
                        for (Map.Entry<String, ServerProcess> s : order) {
                            Window window = measure(pool, statements.get(s.getKey()), s.getValue(), w.getValue(),
                                    seconds, perf);
                            windows.computeIfAbsent(s.getKey() + "|" + w.getKey(), k -> new ArrayList<>())
                                    .add(window);
                            System.out.printf(Locale.ROOT, "round %d, %s, %s: %.0f q/s, %.0f µs CPU per statement%n",
                                    round + 1, w.getKey(), s.getKey(), window.statements / (double) seconds,
                                    window.cpuMicros / window.statements);
                        }
                    }
                }
            } finally {
                pool.shutdownNow();
                for (List<Statement> list : statements.values()) {
                    for (Statement st : list) {
                        st.getConnection().close();
                    }
                }
            }
        }
        String report = report(windows, perf, warmSeconds, rounds, seconds);
        System.out.println(report);
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("server-cpu-profile.md"), report, StandardCharsets.UTF_8);
    }

    /** One window on one server: statements run, the process's CPU in it, and each part's perf samples. */
    record Window(long statements, double cpuMicros, Map<String, Long> samples) {
        double perStatement(String part) {
            long total = samples.values().stream().mapToLong(Long::longValue).sum();
            return total == 0 ? Double.NaN
                    : cpuMicros / statements * samples.getOrDefault(part, 0L) / total;
        }
    }

    private static Window measure(ExecutorService pool, List<Statement> statements, ServerProcess server,
                                  LongFunction<String> sql, int seconds, boolean perf) throws Exception {
        Path data = Files.createTempFile("akkio-profile", ".perf");
        Process recorder = null;
        try {
            if (perf) {
                // the JIT's symbols as they are now: code compiled during the window is named on the next map
                run(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(server.pid()), "Compiler.perfmap"));
                recorder = new ProcessBuilder("perf", "record", "-q", "-e", "cpu-clock", "-F", "997", "-g", "-p",
                        Long.toString(server.pid()), "-o", data.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Thread.sleep(300); // perf attaches to every thread before the window opens
            }
            long cpu0 = Long.parseLong(server.command("process_cpu"));
            List<Long> latencies = ServerLoadHarness.window(pool, statements, seconds * 1000L, sql);
            long cpu = Long.parseLong(server.command("process_cpu")) - cpu0;
            Map<String, Long> samples = Map.of();
            if (recorder != null) {
                // perf writes its file out on SIGINT
                new ProcessBuilder("kill", "-INT", Long.toString(recorder.pid())).start().waitFor();
                recorder.waitFor(60, TimeUnit.SECONDS);
                samples = parts(data);
            }
            return new Window(latencies.size(), cpu / 1e3, samples);
        } finally {
            if (recorder != null && recorder.isAlive()) {
                recorder.destroyForcibly();
            }
            Files.deleteIfExists(data);
        }
    }

    /** Each part's samples in a perf recording. */
    private static Map<String, Long> parts(Path data) throws IOException, InterruptedException {
        Process script = new ProcessBuilder("perf", "script", "-i", data.toString(), "-F", "ip,sym,dso")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Long> counts = new LinkedHashMap<>();
        List<String> stack = new ArrayList<>();
        try (var reader = script.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    if (!stack.isEmpty()) {
                        counts.merge(part(stack), 1L, Long::sum);
                        stack.clear();
                    }
                } else {
                    stack.add(line.trim());
                }
            }
        }
        if (!stack.isEmpty()) {
            counts.merge(part(stack), 1L, Long::sum);
        }
        script.waitFor(60, TimeUnit.SECONDS);
        return counts;
    }

    /**
     * The part of one sample: its frames, the leaf first, as perf prints them ({@code ip symbol (dso)}). The policy
     * engine and the audit log own everything beneath them (JSqlParser, Jackson, their system calls); other Java code
     * goes to its innermost owner, so that Avatica's work under the proxy's request wrapper is Avatica's, as it is in
     * plain Avatica, and DuckDB's driver under the kept plans is the driver's.
     */
    static String part(List<String> frames) {
        for (String f : frames) {
            if (f.contains("com.akkio.dbproxy.policy.")) {
                return "policy engine";
            }
            if (f.contains("com.akkio.dbproxy.server.audit.")) {
                return "audit log";
            }
        }
        String leaf = frames.get(0);
        if (leaf.contains("libduckdb")) {
            return "DuckDB (native)";
        }
        if (leaf.contains("/libc.so") || leaf.contains("/libstdc++") || leaf.contains("/libm.so")) {
            return "C library";
        }
        if (leaf.contains("[kernel.kallsyms]")) {
            return "kernel";
        }
        if (leaf.contains("/libjvm.so")) {
            return "JVM runtime and GC";
        }
        if (!leaf.contains("/tmp/perf-")) {
            return "other native";
        }
        for (String f : frames) {
            if (f.contains("org.duckdb.")) {
                return "DuckDB JDBC (Java)";
            }
            if (f.contains("KeptPlans")) {
                return "kept plans";
            }
            if (f.contains("com.akkio.dbproxy.")) {
                return "proxy, other Java";
            }
            if (f.contains("org.apache.calcite.avatica.") || f.contains("org.eclipse.jetty.")
                    || f.contains("com.google.protobuf.")) {
                return "Avatica, Jetty, protobuf";
            }
        }
        return "other Java";
    }

    private static String report(Map<String, List<Window>> windows, boolean perf, int warmSeconds, int rounds,
                                 int seconds) throws IOException {
        StringBuilder md = new StringBuilder("# Server CPU per statement, plain Avatica and the proxy\n\n");
        md.append(ServerLoadHarness.Machine.describe()).append(String.format(Locale.ROOT, ". `ServerCpuProfile %d %d"
                + " %d`: %d clients, %d s warm-up, %d rounds of %d s windows; medians over the rounds.%n%n",
                warmSeconds, rounds, seconds, CLIENTS, warmSeconds, rounds, seconds));
        md.append("| workload | plain q/s | proxy q/s | proxy / plain | plain µs CPU/statement"
                + " | proxy µs CPU/statement |\n|---|---:|---:|---:|---:|---:|\n");
        for (String w : WORKLOADS.keySet()) {
            List<Window> plain = windows.get("plain|" + w);
            List<Window> proxy = windows.get("proxy|" + w);
            double plainRate = median(plain, x -> x.statements / (double) seconds);
            double proxyRate = median(proxy, x -> x.statements / (double) seconds);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %.0f | %.0f |%n", w, plainRate,
                    proxyRate, proxyRate / plainRate,
                    median(plain, x -> x.cpuMicros / x.statements), median(proxy, x -> x.cpuMicros / x.statements)));
        }
        if (!perf) {
            return md.toString();
        }
        md.append("\nµs of CPU per statement by part (perf samples at 997 Hz, with frame pointers; DuckDB's native"
                + " frames end the stack, so its time is named by where it ran, not by its Java caller):\n\n");
        md.append("| part |");
        for (String w : WORKLOADS.keySet()) {
            md.append(" plain, ").append(w).append(" | proxy, ").append(w).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(WORKLOADS.size() * 2)).append('\n');
        for (String part : PARTS) {
            md.append("| ").append(part).append(" |");
            for (String w : WORKLOADS.keySet()) {
                for (String target : List.of("plain", "proxy")) {
                    double v = median(windows.get(target + "|" + w), x -> x.perStatement(part));
                    md.append(String.format(Locale.ROOT, " %.1f |", v));
                }
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static double median(List<Window> windows, java.util.function.ToDoubleFunction<Window> figure) {
        return ServerLoadHarness.median(windows.stream().map(figure::applyAsDouble).toList());
    }

    /** Whether {@code perf} can sample a process of this user here (it needs the binary and the permission). */
    private static boolean perfWorks() {
        try {
            return run(List.of("perf", "stat", "-e", "cpu-clock", "true"));
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs a command to its end (30 s at most), its output discarded; whether it exited with 0. */
    private static boolean run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}

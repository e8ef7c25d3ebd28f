package com.akkio.dbproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchServer} in a child JVM with a fixed heap (this JVM's class path, or another build's), driven over its
 * standard input. Its log goes to {@code bench/target/<label>-server.log}, its audit log (a proxy's) to
 * {@code bench/target/<label>-audit.jsonl}; the label is the kind and serialization unless given.
 */
final class ServerProcess implements AutoCloseable {
    private static final String JAVA = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
            .toString();
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final int port;
    private final int postgresPort;
    private final int adminPort;
    private final int flightPort;
    private final long startMillis;
    private final long launchedNanos;

    private ServerProcess(Process process, long launchedNanos) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = out.readLine();
        for (int skipped = 0; first != null && !first.startsWith("PORT ") && skipped < 20; skipped++) {
            // the JVM's own lines come first (JDK 25's CDS warnings go to standard output)
            System.err.println("benchmark server: " + first);
            first = out.readLine();
        }
        if (first == null || !first.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IOException("benchmark server did not start (see bench/target/*-server.log): " + first);
        }
        String[] parts = first.split(" ");
        this.port = Integer.parseInt(parts[1]);
        this.postgresPort = Integer.parseInt(parts[2]);
        this.adminPort = parts.length > 3 ? Integer.parseInt(parts[3]) : -1;
        this.flightPort = parts.length > 4 ? Integer.parseInt(parts[4]) : -1;
        this.launchedNanos = launchedNanos;
        this.startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedNanos);
    }

    /** A {@link BenchServer} speaking {@code serialization} ("protobuf" or "json") to its clients. */
    static ServerProcess start(String serialization, String... args) throws IOException {
        return startFrom(System.getProperty("java.class.path"), args[0] + "-" + serialization, serialization, args);
    }

    /**
     * The same from another build's class path ({@link RevisionComparison}); {@code label} names its log
     * ({@code bench/target/<label>-server.log}) and its audit log ({@code bench/target/<label>-audit.jsonl}).
     */
    static ServerProcess startFrom(String classPath, String label, String serialization, String... args)
            throws IOException {
        return launch(classPath, label, serialization, List.of(), java.util.Map.of(), args);
    }

    /**
     * A {@link BenchServer} on this JVM's class path with further JVM options ({@code jvm}: CDS, JIT flags) and
     * environment ({@code env}: the proxy's admin port and warm-up, see {@code bench/conf/proxy.yaml}).
     */
    static ServerProcess launch(String label, List<String> jvm, java.util.Map<String, String> env, String... args)
            throws IOException {
        return launch(System.getProperty("java.class.path"), label, "protobuf", jvm, env, args);
    }

    private static ServerProcess launch(String classPath, String label, String serialization, List<String> jvm,
                                        java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xms1g", "-Xmx1g"));
        command.addAll(jvm);
        command.addAll(List.of("-cp", classPath, "--add-opens=java.base/java.nio=ALL-UNNAMED",
                BenchServer.class.getName()));
        command.addAll(List.of(args));
        java.io.File log = new java.io.File("bench/target/" + label + "-server.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log);
        builder.environment().put(BenchServer.SERIALIZATION, serialization);
        builder.environment().put(BenchServer.AUDIT_LOG, "../target/" + label + "-audit.jsonl");
        builder.environment().putAll(env);
        long launched = System.nanoTime();
        return new ServerProcess(builder.start(), launched);
    }

    int port() {
        return port;
    }

    /** The server JVM's process id. */
    long pid() {
        return process.pid();
    }

    /** The PostgreSQL front end's port, -1 when the server has none. */
    int postgresPort() {
        return postgresPort;
    }

    /** The admin endpoint's port (a proxy started with one), -1 when it has none. */
    int adminPort() {
        return adminPort;
    }

    /** The Flight SQL front end's port, -1 when the server has none. */
    int flightPort() {
        return flightPort;
    }

    /** When the JVM was launched, in {@link System#nanoTime()}. */
    long launchedNanos() {
        return launchedNanos;
    }

    /** Milliseconds from launching the JVM to the server listening. */
    long startMillis() {
        return startMillis;
    }

    /** Sends one command and returns the server's one-line answer. */
    synchronized String command(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null || answer.startsWith("ERROR")) {
            throw new IOException("benchmark server answered " + answer + " to " + command);
        }
        return answer;
    }

    @Override
    public void close() throws Exception {
        stop(30);
    }

    /** Ends the server's input, so it stops, and waits for it {@code seconds} at most before killing it. */
    void stop(long seconds) throws Exception {
        in.close();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}

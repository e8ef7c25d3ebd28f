package com.akkio.dbproxy.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real HAProxy (Debian's package, which {@code .ci/run} installs) on a free port of 127.0.0.1, balancing HTTP
 * requests over replicas round robin, with the stickiness the caller configures, and checking each replica's port.
 */
public final class HaproxyProcess implements AutoCloseable {
    private final int port;
    private final Process process;

    private HaproxyProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /**
     * @param stickiness lines for the backend section, e.g. a {@code cookie} rule; each server gets
     *                   {@code cookie rN} (ignored without a cookie rule)
     * @param ports      the replicas' Avatica ports
     */
    public static HaproxyProcess start(Path dir, List<String> stickiness, List<Integer> ports)
            throws IOException, InterruptedException {
        return start(dir, "http", stickiness, ports);
    }

    /** @param mode {@code http} (Avatica) or {@code tcp} (the PostgreSQL protocol: balanced per connection) */
    public static HaproxyProcess start(Path dir, String mode, List<String> stickiness, List<Integer> ports)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder cfg = new StringBuilder("""
                global
                  maxconn 512
                defaults
                  mode %s
                  timeout connect 2s
                  timeout client 120s
                  timeout server 120s
                  retries 0
                frontend avatica
                  bind 127.0.0.1:%d
                  default_backend replicas
                backend replicas
                  balance roundrobin
                """.formatted(mode, port));
        for (String line : stickiness) {
            cfg.append("  ").append(line).append('\n');
        }
        for (int i = 0; i < ports.size(); i++) {
            cfg.append("  server r").append(i + 1).append(" 127.0.0.1:").append(ports.get(i))
                    .append(" cookie r").append(i + 1).append(" check inter 200 fall 1 rise 2\n");
        }
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve("haproxy.cfg"), cfg);
        Path binary = List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/bin/haproxy")).stream()
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("haproxy is not installed (Debian package haproxy;"
                        + " .ci/run installs it)"));
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("haproxy did not start: " + Files.readString(dir.resolve("haproxy.log")));
            }
            Thread.sleep(20);
        }
        return new HaproxyProcess(port, process);
    }

    public int port() {
        return port;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}

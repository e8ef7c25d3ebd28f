package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.audit.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy process killed with SIGKILL while clients are running statements: every statement a client got an answer
 * for has its audit record, written before the backend saw it, and the log holds only whole records.
 */
@LiveServerTest
class AuditKillTest {
    @Test
    void everyAnsweredStatementIsAuditedAcrossKillDashNine(@TempDir Path dir) throws Exception {
        Path configFile = DemoConfig.copy(dir.resolve("conf"));
        Path audit = DemoConfig.auditLog(configFile);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Set<String> answeredHashes = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "com.akkio.dbproxy.server.cli.AkkioProxy", "serve",
                "--config", configFile.toString(), "--port", Integer.toString(port)).redirectErrorStream(true).start();
        try {
            awaitListening(proxy);
            Properties p = DemoProxy.credentials("acme", "acme-secret");
            AtomicInteger answered = new AtomicInteger();
            Thread[] clients = new Thread[4];
            for (int t = 0; t < clients.length; t++) {
                int client = t;
                clients[t] = new Thread(() -> {
                    try (Connection c = SqlStates.connect("jdbc:akkio://127.0.0.1:" + port, p);
                         Statement s = c.createStatement()) {
                        for (int i = 0; ; i++) {
                            String sql = "SELECT count(*) FROM orders WHERE order_id > " + (client * 100_000 + i);
                            try (ResultSet r = s.executeQuery(sql)) {
                                r.next();
                            }
                            answeredHashes.add(Sha256.hex(sql));
                            answered.incrementAndGet();
                        }
                    } catch (SQLException expectedWhenKilled) {
                        // the proxy died under us
                    }
                });
                clients[t].start();
            }
            while (answered.get() < 200) {
                Thread.sleep(20);
            }
            proxy.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (Thread t : clients) {
                t.join(30_000);
            }
        } finally {
            proxy.destroyForcibly();
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(audit);
        Set<String> forwarded = new HashSet<>();
        for (String line : lines) {
            JsonNode record = json.readTree(line); // every line is a whole record
            if (record.get("event").asText().equals("forward")) {
                forwarded.add(record.get("sql_sha256").asText());
            }
        }
        System.out.printf("kill -9: %d statements answered, %d forward records, %d audit lines%n",
                answeredHashes.size(), forwarded.size(), lines.size());
        assertThat(answeredHashes).hasSizeGreaterThanOrEqualTo(200);
        assertThat(forwarded).containsAll(answeredHashes);
    }

    private static void awaitListening(Process proxy) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.contains("listening on")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe from filling up
                        }
                    } catch (java.io.IOException ignored) {
                        // the process is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return;
            }
            assertThat(System.nanoTime()).as("proxy started in time").isLessThan(deadline);
        }
        throw new AssertionError("proxy exited before listening");
    }
}

package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 6, end to end: with {@code rate.max_running: 1}, a tenant's second statement waits while its first
 * runs, a cancel reaches it while it waits (57014, and it never runs), and another tenant's statements are not held
 * by it. Latencies are the benchmark's business ({@code FairnessBenchmark}); this checks who waits for whom.
 */
@LiveServerTest
class MaxRunningTest {
    private static final String SLOW = "SELECT count(*) FROM range(3000000000) t(i) WHERE i % 7 = 3";

    private static Connection pg(DemoProxy proxy, String tenant) throws SQLException {
        return SqlStates.connect("jdbc:postgresql://127.0.0.1:" + proxy.pgPort() + "/main?sslmode=disable",
                DemoProxy.credentials(tenant, tenant + "-secret"));
    }

    private static long scalar(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until acme's first statement is forwarded: admitted, given its place among the running, recorded. */
    private static void awaitForwarded(Path audit) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(audit) && Files.readAllLines(audit).stream()
                    .anyMatch(l -> l.contains("\"event\":\"forward\"") && l.contains("\"tenant\":\"acme\""))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("acme's slow statement was not forwarded within 60 s");
    }

    @Test
    void aTenantsSecondStatementWaitsForItsFirstAndACancelReachesItWhileItWaits(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().limits(l -> new ProxyConfig.Limits(1000, 1000, 4,
                Duration.ofSeconds(240), 1, null)).start(dir);
             Connection first = pg(proxy, "acme"); Statement slow = first.createStatement();
             Connection second = pg(proxy, "acme"); Statement waiting = second.createStatement();
             Connection globex = pg(proxy, "globex"); Statement other = globex.createStatement()) {
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return scalar(slow, SLOW);
                } catch (SQLException e) {
                    return -1L;
                }
            });
            awaitForwarded(dir.resolve("audit.jsonl")); // the slow statement holds acme's place and runs
            CompletableFuture<Long> queued = CompletableFuture.supplyAsync(() -> {
                try {
                    return scalar(waiting, "SELECT count(*) FROM orders");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // globex has its own place: its statement runs while acme's two are running and waiting
            assertThat(scalar(other, "SELECT count(*) FROM orders")).isEqualTo(500);
            Thread.sleep(300);
            assertThat(running).as("acme's slow statement runs").isNotDone();
            assertThat(queued).as("acme's second statement waits for its first").isNotDone();
            waiting.cancel();
            assertThatThrownBy(() -> queued.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().cause().isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("rate.max_running");
                    });
            slow.cancel();
            running.get(60, TimeUnit.SECONDS);
            assertThat(scalar(waiting, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).anySatisfy(l -> assertThat(l)
                .contains("\"tenant\":\"acme\"").contains("\"decision\":\"error\"").contains("\"code\":\"57014\""));
    }
}

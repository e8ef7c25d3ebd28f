package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.warmup.HostLoad;
import com.akkio.dbproxy.server.warmup.WarmUp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The warm-up at start ({@code server.warmup}): {@code /ready} waits for it, it leaves no trace in what tenants own,
 * and a warm-up that fails or hangs delays readiness by a bounded time only, saying so in the log and on
 * {@code /ready}.
 */
@LiveServerTest
class WarmUpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theWarmUpRunsBeforeReadyAndLeavesNoTraceInTenantAuditLogsLimitsOrMetrics(@TempDir Path dir)
            throws Exception {
        AtomicReference<DemoProxy> started = new AtomicReference<>();
        AtomicReference<HttpResponse<String>> duringWarmUp = new AtomicReference<>();
        CountDownLatch proxyKnown = new CountDownLatch(1);
        try (DemoProxy proxy = DemoProxy.builder().warmUp(10, () -> {
            proxyKnown.await(60, TimeUnit.SECONDS);
            duringWarmUp.set(get(started.get(), "/ready"));
        }).start(dir)) {
            started.set(proxy);
            proxyKnown.countDown();
            JsonNode ready = awaitReady(proxy);

            assertThat(duringWarmUp.get().statusCode()).as("/ready while the warm-up runs").isEqualTo(503);
            assertThat(JSON.readTree(duringWarmUp.get().body()).path("problems").path("warm_up").asText())
                    .contains("warming up");
            JsonNode warmUp = ready.path("warm_up");
            assertThat(warmUp.path("status").asText()).isEqualTo("done");
            assertThat(warmUp.path("statements").asLong()).as("statements through the front ends").isPositive();
            assertThat(warmUp.path("policy_decisions").asLong()).isPositive();

            assertThat(lines(proxy.auditLog)).as("the tenants' audit log").isEmpty();
            assertThat(lines(proxy.refusalLog())).as("the refused logins' log").isEmpty();
            String metrics = get(proxy, "/metrics").body();
            assertThat(metrics).doesNotContain("warm-up").doesNotContain("akkio_statements_total{");
            // globex may send a burst of 10 at 5 a second: the warm-up took none of it
            try (Connection globex = proxy.globex(); Statement s = globex.createStatement()) {
                for (int i = 0; i < 10; i++) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).isEqualTo(500);
                    }
                }
            }
            assertThat(lines(proxy.auditLog)).isNotEmpty().allMatch(l -> l.contains("\"tenant\":\"globex\""));
        }
    }

    @Test
    void aWarmUpThatFailsIsLoggedAndTheProxyIsReadyAnyway(@TempDir Path dir) throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(StartupWarmUp.class);
        log.start();
        logger.addAppender(log);
        try (DemoProxy proxy = DemoProxy.builder().warmUp(1, () -> {
            throw new IllegalStateException("the loopback client broke");
        }).start(dir)) {
            JsonNode ready = awaitReady(proxy);
            assertThat(ready.path("warm_up").path("status").asText()).isEqualTo("failed");
            assertThat(ready.path("warnings").path("warm_up").asText()).contains("the loopback client broke");
            assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("warm-up failed").contains("the loopback client broke"));
            try (Connection acme = proxy.acme(); Statement s = acme.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1000);
            }
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void aWarmUpThatHangsHoldsReadinessNoLongerThanItsBoundAndAGrace(@TempDir Path dir) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (DemoProxy proxy = DemoProxy.builder().warmUp(1, never::await).start(dir)) {
            JsonNode ready = awaitReady(proxy);
            assertThat(ready.path("warm_up").path("status").asText()).isEqualTo("running");
            assertThat(ready.path("warnings").path("warm_up").asText())
                    .contains("did not end within server.warmup.max_seconds (1 s)");
        } finally {
            never.countDown();
        }
    }

    @Test
    void atItsSecondsTheWarmUpEndsOnAQuietHostAndRunsOnToItsBoundOnABusyOne(@TempDir Path dir) throws Exception {
        // the workload against a running demo proxy, acme as its tenant; the judgement is given, so that either one is
        // made whatever this machine's load (HostLoadTest judges a real busy host)
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir)) {
            WarmUp.Loopback acme = new WarmUp.Loopback(proxy.server.port(), false, proxy.pgPort(), proxy.flightPort(),
                    "acme", "acme-secret");
            long now = System.nanoTime();
            WarmUp.Report quiet = WarmUp.run(acme, now + TimeUnit.SECONDS.toNanos(3),
                    now + TimeUnit.SECONDS.toNanos(60), load -> false);
            assertThat(quiet.ending()).isEqualTo(WarmUp.Ending.SECONDS);
            assertThat(quiet.atSeconds().busy()).isFalse();
            assertThat(quiet.atSeconds().statements()).isPositive();
            assertThat(quiet.seconds()).as("ended at its seconds, not its bound").isLessThan(30);

            now = System.nanoTime();
            WarmUp.Report busy = WarmUp.run(acme, now + TimeUnit.SECONDS.toNanos(1),
                    now + TimeUnit.SECONDS.toNanos(4), load -> true);
            assertThat(busy.ending()).as("judged busy at its seconds: on to its bound")
                    .isEqualTo(WarmUp.Ending.MAX_SECONDS);
            assertThat(busy.atSeconds().busy()).isTrue();
            assertThat(busy.seconds()).isGreaterThanOrEqualTo(3.9);
            assertThat(busy.atSeconds().statements()).isNotNegative().isLessThanOrEqualTo(busy.statements());

            // its seconds already spent opening the copy: the host is still read over a stretch of time, not at once
            AtomicReference<HostLoad.Share> read = new AtomicReference<>();
            now = System.nanoTime();
            WarmUp.Report late = WarmUp.run(acme, now - TimeUnit.SECONDS.toNanos(1), now + TimeUnit.SECONDS.toNanos(60),
                    load -> {
                        read.set(load);
                        return false;
                    });
            assertThat(late.ending()).isEqualTo(WarmUp.Ending.SECONDS);
            assertThat(late.seconds()).isGreaterThanOrEqualTo(0.5);
            if (Files.isReadable(Path.of("/proc/stat"))) {
                assertThat(read.get().idle()).as("%s", read.get()).isBetween(0.0, 1.0);
                assertThat(read.get().others()).as("%s", read.get()).isBetween(0.0, 1.0);
            }
        }
    }

    @Test
    void readyReportsTheWarmUpsTwoBoundsAndHowItJudgedTheHostAtTheFirst(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().server(s -> s.withWarmUp(new ProxyConfig.WarmUp(true, 1, 8)))
                .start(dir)) {
            JsonNode warmUp = awaitReady(proxy).path("warm_up");
            assertThat(warmUp.path("target_seconds").asInt()).isEqualTo(1);
            assertThat(warmUp.path("max_seconds").asInt()).isEqualTo(8);
            String why = warmUp.path("ended_because").asText();
            if (why.equals(WarmUp.Ending.JIT_QUIET.why()) || why.equals(WarmUp.Ending.PLATEAU.why())) {
                return; // the path was warm before it was judged: nothing more to show
            }
            assertThat(warmUp.path("statements_at_target_seconds").asLong(-1)).isNotNegative();
            // this test runs on Linux, where the host's accounting is readable
            assertThat(warmUp.path("host_cpu_to_others_at_target_seconds").asDouble(-1)).isBetween(0.0, 1.0);
            assertThat(warmUp.path("host_cpu_idle_at_target_seconds").asDouble(-1)).isBetween(0.0, 1.0);
            boolean busy = warmUp.path("host_busy_at_target_seconds").asBoolean();
            assertThat(why).isEqualTo(busy ? WarmUp.Ending.MAX_SECONDS.why() : WarmUp.Ending.SECONDS.why());
            if (!busy) {
                assertThat(warmUp.path("seconds").asDouble()).isLessThan(8);
            }
        }
    }

    /** Polls {@code /ready} until it answers 200 (the warm-up's bound and grace are far below the minute given). */
    private JsonNode awaitReady(DemoProxy proxy) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            HttpResponse<String> r = get(proxy, "/ready");
            if (r.statusCode() == 200 || System.nanoTime() > deadline) {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                return JSON.readTree(r.body());
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private HttpResponse<String> get(DemoProxy proxy, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server.adminPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }
}

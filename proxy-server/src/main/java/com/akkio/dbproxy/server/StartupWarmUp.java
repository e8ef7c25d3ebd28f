package com.akkio.dbproxy.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.config.ScramVerifier;
import com.akkio.dbproxy.server.config.SecretHash;
import com.akkio.dbproxy.server.warmup.WarmUp;
import com.akkio.dbproxy.server.warmup.WarmUpCorpus;
import com.akkio.dbproxy.server.warmup.WarmUpState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up at start ({@code server.warmup}): starts a private copy of the proxy on free ports of 127.0.0.1 (the
 * same front ends and serialization, one tenant with a random secret, an in-memory DuckDB seeded with the demo, its
 * audit log in a temporary directory), drives {@link WarmUp}'s workload through it, then closes it and deletes the
 * directory. The real server's tenants, backends, audit log, limits and metrics are never touched: a Databricks
 * warehouse is not woken (nor billed) to warm up, so its driver's code stays cold.
 */
final class StartupWarmUp implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(StartupWarmUp.class);
    static final String TENANT = "warm-up";

    /** Called after the workload, before the warm-up counts as ended (tests hold or break the warm-up here). */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = () -> { };

        void beforeReady() throws Exception;
    }

    private final ProxyConfig.Server real;
    private final WarmUpState state;
    private final Hook hook;
    private final long secondsNanos;
    private final long deadlineNanos;
    private volatile ProxyServer copy;
    private volatile boolean closed;

    StartupWarmUp(ProxyConfig.Server real, WarmUpState state, Hook hook) {
        this.real = real;
        this.state = state;
        this.hook = hook;
        state.begin();
        long begun = System.nanoTime();
        this.secondsNanos = begun + TimeUnit.SECONDS.toNanos(real.warmUp().seconds());
        this.deadlineNanos = begun + TimeUnit.SECONDS.toNanos(real.warmUp().maxSeconds());
    }

    @Override
    public void run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("akkio-warmup");
            String secret = randomSecret();
            copy = ProxyServer.startCopy(config(dir, secret));
            if (closed) {
                return;
            }
            WarmUp.Report report = WarmUp.run(new WarmUp.Loopback(copy.port(),
                    real.serialization() == ProxyConfig.Serialization.JSON, copy.postgresPort(), copy.flightPort(),
                    TENANT, secret), secondsNanos, deadlineNanos);
            hook.beforeReady();
            state.done(report);
            if (closed) {
                return;
            }
            // the workload's own seconds: max_seconds also covers the start of the copy, alongside the server's own
            LOG.info("warm-up done after {} s of workload: {} statements through the front ends ({} refused on"
                    + " purpose), {} policy decisions; ended as {}",
                    String.format(java.util.Locale.ROOT, "%.1f", report.seconds()), report.statements(),
                    report.refused(), report.decisions(),
                    report.ending() == WarmUp.Ending.MAX_SECONDS ? "server.warmup.max_seconds was reached"
                            : report.ending().why());
        } catch (Exception | LinkageError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            state.failed(why);
            if (!closed) {
                LOG.warn("warm-up failed, serving without it (first statements slower): {}", why);
            }
        } finally {
            stopCopy();
            if (dir != null) {
                delete(dir);
            }
        }
    }

    /** The proxy closes: stop the warm-up where it is. */
    void close() {
        closed = true;
        stopCopy();
    }

    private synchronized void stopCopy() {
        ProxyServer c = copy;
        copy = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("warm-up: closing its private copy failed: {}", e.getMessage());
            }
        }
    }

    /** The private copy: the real front ends' settings on free loopback ports; no admin endpoint, no TLS, no warm-up. */
    private ProxyConfig config(Path dir, String secret) throws IOException {
        Path seed = dir.resolve("seed.sql");
        Files.writeString(seed, WarmUpCorpus.seed());
        ProxyConfig.Server server = new ProxyConfig.Server("127.0.0.1", 0, real.serialization(), null,
                real.maxRequestBytes(), real.idleConnectionTimeout(), 64, -1,
                new ProxyConfig.Postgres(real.postgres().enabled(), 0, 4), ProxyConfig.FailedLogins.DEFAULT,
                new ProxyConfig.Admin("127.0.0.1", null), new ProxyConfig.Flight(real.flight().enabled(), 0,
                        real.flight().tokenTtl(), 64L << 20));
        ProxyConfig.Backend backend = new ProxyConfig.Backend(TENANT, "duckdb", Dialect.DUCKDB, null, seed,
                new ProxyConfig.Pool(4, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofMinutes(30), 32),
                null, ProxyConfig.DuckDb.DEFAULT);
        ProxyConfig.Tenant tenant = new ProxyConfig.Tenant(TENANT, SecretHash.create(secret),
                ScramVerifier.create(secret), TENANT, WarmUp.demoPolicy(TENANT, Dialect.DUCKDB).build(),
                new ProxyConfig.Limits(1e9, 1_000_000_000L, 64, Duration.ofSeconds(5)), null);
        return new ProxyConfig(dir.resolve("warm-up.yaml"), server,
                new ProxyConfig.Audit(dir.resolve("audit.jsonl"), false, 64L << 20, 1),
                Map.of(TENANT, backend), Map.of(TENANT, tenant));
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("warm-up: cannot delete its temporary directory {}: {}", dir, e.getMessage());
        }
    }
}

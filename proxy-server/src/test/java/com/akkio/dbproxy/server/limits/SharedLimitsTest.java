package com.akkio.dbproxy.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.RedisProcess;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits shared by three replicas through a real Redis, and what each does alone while Redis is gone. */
@LiveServerTest
class SharedLimitsTest {
    private static final ProxyConfig.Limits LIMITS = new ProxyConfig.Limits(40, 40, 8, Duration.ofSeconds(30));
    private static final ProxyConfig.FailedLogins LOGINS = new ProxyConfig.FailedLogins(3, 3);

    @TempDir
    Path dir;
    private RedisProcess redis;
    private final List<SharedLimits> replicas = new ArrayList<>();

    @BeforeEach
    void startRedisAndThreeReplicas() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        for (int i = 1; i <= 3; i++) {
            replicas.add(new SharedLimits(new ProxyConfig.Cluster("r" + i, 3,
                    new ProxyConfig.Redis(redis.uri(), Duration.ofMillis(250), "akkio-test:")), LOGINS));
        }
    }

    @AfterEach
    void stop() throws Exception {
        replicas.forEach(SharedLimits::close);
        redis.close();
    }

    @Test
    void threeReplicasTogetherAdmitOneTenantsRateOnceNotThreeTimes() throws Exception {
        List<Tokens> buckets = replicas.stream().map(r -> r.rate("acme", LIMITS)).toList();
        AtomicLong admitted = new AtomicLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(3).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (Tokens bucket : buckets) {
            Thread t = new Thread(() -> {
                // a flood of statements, each of which costs its client a little time
                while (System.nanoTime() < end) {
                    if (bucket.take() == 0) {
                        admitted.incrementAndGet();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double limit = LIMITS.burst() + LIMITS.queriesPerSecond() * seconds;
        assertThat(replicas).as("every decision was taken in Redis").allSatisfy(r -> assertThat(r.fallbacks()).isZero());
        // each replica alone would have admitted the whole limit: three times it together
        assertThat(admitted.get()).isBetween(Math.round(limit * 0.9), Math.round(limit * 1.02) + 1);
    }

    @Test
    void aTenantsConnectionsAreCountedOnEveryReplicaTogetherAndOneClosedIsFreeEverywhereAtOnce() throws Exception {
        SharedLimits r1 = replicas.get(0);
        SharedLimits r2 = replicas.get(1);
        SharedLimits r3 = replicas.get(2);
        assertThat(r1.openConnection("acme", 4)).isTrue();
        assertThat(r1.openConnection("acme", 4)).isTrue();
        assertThat(r2.openConnection("acme", 4)).isTrue();
        assertThat(r2.openConnection("acme", 4)).isTrue();
        assertThat(r3.openConnection("acme", 4)).as("a fifth connection on a third replica").isFalse();
        assertThat(r3.openConnection("globex", 4)).as("another tenant's own count").isTrue();
        r1.closeConnection("acme");
        // a close returns once Redis has it: the very next open elsewhere sees the freed connection
        boolean opened = r3.openConnection("acme", 4);
        assertThat(opened).as("the connection r1 closed is free for r3").isTrue();
    }

    @Test
    void aReplicaThatStopsHeartbeatingNoLongerHoldsItsConnections() throws Exception {
        SharedLimits r1 = replicas.get(0);
        SharedLimits r2 = replicas.get(1);
        assertThat(r1.openConnection("acme", 2)).isTrue();
        assertThat(r1.openConnection("acme", 2)).isTrue();
        assertThat(r2.openConnection("acme", 2)).isFalse();
        r1.close(); // r1 dies: its heartbeat stops
        long deadline = System.nanoTime() + Duration.ofMillis(SharedLimits.LIVENESS_MS + 5_000).toNanos();
        boolean opened = false;
        while (!opened && System.nanoTime() < deadline) {
            r2.heartbeat();
            opened = r2.openConnection("acme", 2);
            Thread.sleep(250);
        }
        assertThat(opened).as("r2 opens once r1's heartbeat is older than the liveness window").isTrue();
    }

    @Test
    void whileRedisIsDownEachReplicaEnforcesItsShareAloneAndSharesAgainWhenItReturns() throws Exception {
        SharedLimits r1 = replicas.get(0);
        Tokens bucket = r1.rate("acme", LIMITS);
        assertThat(bucket.take()).isZero();
        assertThat(r1.up()).isTrue();

        redis.stop();
        long admitted = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(2).toNanos();
        long calls = 0;
        while (System.nanoTime() < end) {
            calls++;
            if (bucket.take() == 0) {
                admitted++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double share = LIMITS.burst() / 3.0 + LIMITS.queriesPerSecond() / 3 * seconds;
        assertThat(r1.up()).isFalse();
        assertThat(r1.fallbacks()).isPositive();
        assertThat(admitted).as("queries keep flowing, within this replica's third of the limit")
                .isPositive().isLessThanOrEqualTo(Math.round(share) + 1);
        assertThat(calls).as("no call waits for Redis once it is known down").isGreaterThan(1000);

        redis.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!r1.up() && System.nanoTime() < deadline) {
            bucket.take();
            Thread.sleep(50);
        }
        assertThat(r1.up()).as("shared again after Redis returns").isTrue();
        long fallbacks = r1.fallbacks();
        bucket.take();
        assertThat(r1.fallbacks()).isEqualTo(fallbacks);
    }

    @Test
    void anAddressRefusedForFailedLoginsOnOneReplicaIsRefusedOnTheOthers() throws Exception {
        String address = "203.0.113.7";
        for (int i = 0; i < 3; i++) {
            assertThat(replicas.get(i).logins().retryAfterMillis(address)).isZero();
            replicas.get(i).logins().failed(address);
        }
        // each failure reaches Redis without the login waiting for it: every replica sees the refusal once all have
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (replicas.stream().anyMatch(r -> r.logins().retryAfterMillis(address) == 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (SharedLimits r : replicas) {
            assertThat(r.logins().retryAfterMillis(address)).as(r.replicaId()).isPositive();
        }
        assertThat(replicas.get(0).logins().retryAfterMillis("203.0.113.8")).isZero();
    }
}

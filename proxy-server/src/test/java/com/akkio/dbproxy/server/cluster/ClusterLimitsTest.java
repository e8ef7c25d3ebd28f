package com.akkio.dbproxy.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import com.akkio.dbproxy.server.DemoCluster;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas of the demo proxy sharing tenant limits through a real Redis, each flooded through the client jar
 * as a tenant spread over replicas by a balancer would be.
 */
@LiveServerTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterLimitsTest {
    private static final double RATE = 10;
    private static final int MAX_CONNECTIONS = 8;

    @TempDir
    static Path dir;
    private DemoCluster cluster;
    private List<DemoProxy> replicas;

    @BeforeAll
    void startRedisAndThreeReplicas() throws Exception {
        cluster = DemoCluster.start(dir, 3, b -> b
                .limits(l -> new ProxyConfig.Limits(RATE, (long) RATE, 16, l.queryTimeout()))
                .server(s -> new ProxyConfig.Server(s.host(), s.port(), s.serialization(), s.tls(),
                        s.maxRequestBytes(), s.idleConnectionTimeout(), MAX_CONNECTIONS, s.adminPort(),
                        s.postgres())));
        replicas = cluster.replicas;
    }

    @AfterAll
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void aTenantFloodingThreeReplicasIsAdmittedAtItsRateOnceAndAnotherTenantIsNeverThrottled() throws Exception {
        AtomicLong admitted = new AtomicLong();
        AtomicLong throttled = new AtomicLong();
        AtomicLong globexAdmitted = new AtomicLong();
        List<String> otherErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Connection> connections = new ArrayList<>();
        for (DemoProxy p : replicas) {
            connections.add(p.acme());
            connections.add(p.acme());
        }
        Connection globex = replicas.get(0).globex();
        for (Connection c : connections) {
            // the first statement of a connection is slow (plans, code paths not yet compiled): not in the window
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT 1").close();
            }
        }
        Thread.sleep((long) (1000 * 1.2)); // the warm-up took tokens: the bucket refills to its burst
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(4).toNanos();
        try {
            List<Future<?>> flood = new ArrayList<>();
            for (Connection c : connections) {
                flood.add(pool.submit(() -> {
                    try (Statement st = c.createStatement()) {
                        while (System.nanoTime() < end) {
                            try {
                                st.executeQuery("SELECT 1").close();
                                admitted.incrementAndGet();
                            } catch (SQLException e) {
                                if ("53400".equals(e.getSQLState()) && e.getMessage().contains("RATE_LIMITED")) {
                                    throttled.incrementAndGet();
                                } else {
                                    otherErrors.add(e.getSQLState() + " " + e.getMessage());
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            // globex at a quarter of its own rate, on the replica acme floods hardest
            try (Statement st = globex.createStatement()) {
                while (System.nanoTime() < end) {
                    st.executeQuery("SELECT count(*) FROM orders").close();
                    globexAdmitted.incrementAndGet();
                    Thread.sleep((long) (4000 / RATE));
                }
            }
            for (Future<?> f : flood) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            for (Connection c : connections) {
                c.close();
            }
            globex.close();
        }
        double seconds = (end - start) / 1e9; // statements start before the end of the window
        double limit = RATE + RATE * seconds;
        assertThat(otherErrors).isEmpty();
        System.out.printf("cluster flood: %d admitted, %d throttled in %.1f s (shared limit %.0f); decisions on a"
                        + " replica's share while Redis did not answer: %s%n", admitted.get(), throttled.get(), seconds,
                limit, replicas.stream().map(p -> p.server.sharedLimits().fallbacks()).toList());
        assertThat(throttled.get()).as("the flood was throttled").isPositive();
        // three independent replicas would admit three times the limit
        assertThat(admitted.get()).as("admitted in %.1f s against a shared limit of %.0f", seconds, limit)
                .isBetween(Math.round(limit * 0.9), Math.round(limit * 1.1));
        assertThat(globexAdmitted.get()).isPositive();
    }

    @Test
    void aTenantsConnectionCapCountsItsConnectionsOnEveryReplica() throws Exception {
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                open.add(replicas.get(i % 2).acme());
            }
            assertThatThrownBy(() -> replicas.get(2).acme().close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("53400");
                        assertThat(e.getMessage()).contains("TOO_MANY_CONNECTIONS")
                                .contains("on all replicas together");
                    });
            open.remove(0).close();
            try (Connection c = replicas.get(2).acme()) {
                assertThat(c.isValid(5)).isTrue();
            }
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
    }

    @Test
    void everyAuditRecordNamesTheReplicaThatWroteIt() throws Exception {
        for (int i = 0; i < replicas.size(); i++) {
            try (Connection c = replicas.get(i).globex(); Statement st = c.createStatement()) {
                st.executeQuery("SELECT 1").close();
            }
            List<String> records = Files.readAllLines(replicas.get(i).auditLog);
            assertThat(records).isNotEmpty()
                    .allSatisfy(r -> assertThat(r).contains("\"replica\":\"replica-"));
            assertThat(records.get(records.size() - 1)).contains("\"replica\":\"replica-" + (i + 1) + "\"");
        }
    }
}

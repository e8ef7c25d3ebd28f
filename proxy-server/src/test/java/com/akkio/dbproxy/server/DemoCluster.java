package com.akkio.dbproxy.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * Replicas of the demo proxy ({@code replica-1} … {@code replica-N}, each a {@link DemoProxy} in its own directory)
 * sharing tenant limits through a real Redis started with them.
 */
public final class DemoCluster implements AutoCloseable {
    public final RedisProcess redis;
    /** The running replicas; a test that stops one removes it. */
    public final List<DemoProxy> replicas = new ArrayList<>();

    private DemoCluster(RedisProcess redis) {
        this.redis = redis;
    }

    /** {@code each} changes every replica's builder (limits, server settings) before its cluster is set. */
    public static DemoCluster start(Path dir, int replicas, UnaryOperator<DemoProxy.Builder> each) throws Exception {
        DemoCluster cluster = new DemoCluster(RedisProcess.start(dir.resolve("redis")));
        try {
            for (int i = 1; i <= replicas; i++) {
                cluster.replicas.add(each.apply(DemoProxy.builder())
                        .cluster(new ProxyConfig.Cluster("replica-" + i, replicas,
                                new ProxyConfig.Redis(cluster.redis.uri(), Duration.ofMillis(500), "akkio:")))
                        .start(dir.resolve("replica-" + i)));
            }
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public DemoProxy replica(int index) {
        return replicas.get(index);
    }

    public List<Integer> ports() {
        return replicas.stream().map(p -> p.server.port()).toList();
    }

    @Override
    public void close() throws Exception {
        for (DemoProxy p : replicas) {
            p.close();
        }
        redis.close();
    }
}

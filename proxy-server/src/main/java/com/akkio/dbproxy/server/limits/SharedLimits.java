package com.akkio.dbproxy.server.limits;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.akkio.dbproxy.server.config.ProxyConfig;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * Tenant limits shared by every replica through Redis: each tenant's rate bucket (Bucket4j's compare-and-swap
 * buckets), its connection count, and failed logins per client address.
 *
 * <p>While Redis does not answer, each replica enforces {@code 1/cluster.replicas} of every limit alone, so the
 * cluster as a whole stays within the limit (a little under it) and no query waits on Redis: never an outage, never
 * unlimited. {@link #up()} and {@link #fallbacks()} tell operators (a metric and a readiness warning).
 *
 * <p>Connections are counted per replica in one Redis hash per tenant, each replica's field rewritten with its own
 * count on every change and every {@link #heartbeat}; fields of replicas whose heartbeat is older than
 * {@link #LIVENESS_MS} do not count, so a replica that dies does not hold its tenants' connections.
 */
public final class SharedLimits implements LimitStore, Closeable {
    static final long LIVENESS_MS = 10_000;
    /** Fields of replicas silent this long are removed. */
    static final long FORGET_MS = 300_000;

    /**
     * KEYS[1] the tenant's connection counts (replica → count), KEYS[2] the replicas' heartbeats (replica → ms).
     * ARGV: replica, max, this replica's count before the new connection, liveness ms, forget ms.
     * Returns 1 and counts the connection when the live total stays within max, else 0.
     */
    private static final String OPEN_CONNECTION = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('HSET', KEYS[2], ARGV[1], now)
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            local total = 0
            local fields = redis.call('HGETALL', KEYS[1])
            for i = 1, #fields, 2 do
              local seen = tonumber(redis.call('HGET', KEYS[2], fields[i]) or '0')
              if seen >= now - tonumber(ARGV[4]) then
                total = total + tonumber(fields[i + 1])
              elseif seen < now - tonumber(ARGV[5]) then
                redis.call('HDEL', KEYS[1], fields[i])
              end
            end
            if total + 1 > tonumber(ARGV[2]) then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], tonumber(ARGV[3]) + 1)
            return 1
            """;
    /** KEYS[1] the replicas' heartbeats; ARGV[1] the replica; then pairs of (tenant key, count). */
    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            redis.call('HSET', KEYS[1], ARGV[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
            for i = 2, #ARGV, 2 do
              redis.call('HSET', ARGV[i], ARGV[1], ARGV[i + 1])
            end
            return 1
            """;

    private final ProxyConfig.Cluster cluster;
    private final String prefix;
    private final RedisLink link;
    private final LongAdder fallbacks = new LongAdder();
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final SharedLoginThrottle logins;

    public SharedLimits(ProxyConfig.Cluster cluster, ProxyConfig.FailedLogins failedLogins) {
        this.cluster = cluster;
        this.prefix = cluster.redis().keyPrefix();
        this.logins = new SharedLoginThrottle(this, failedLogins, cluster.replicas());
        this.link = new RedisLink(cluster.redis(), prefix + "events", this::received);
    }

    /** Announcements of other replicas by topic; each message is {@code topic sender payload}. */
    private final Map<String, java.util.function.Consumer<String>> topics = new ConcurrentHashMap<>();

    /**
     * Runs {@code handler} (on Lettuce's thread: hand long work off) with the payload of every {@code topic}
     * announcement of another replica.
     */
    public void listen(String topic, java.util.function.Consumer<String> handler) {
        topics.put(topic, handler);
    }

    /** Tells every other replica, without waiting for them; lost while Redis does not answer. */
    public void announce(String topic, String payload) {
        try {
            link.publish(topic + " " + cluster.replicaId() + " " + payload);
        } catch (RuntimeException e) {
            link.failed(e);
        }
    }

    private void received(String message) {
        int first = message.indexOf(' ');
        int second = first < 0 ? -1 : message.indexOf(' ', first + 1);
        java.util.function.Consumer<String> handler = first < 0 ? null : topics.get(message.substring(0, first));
        if (handler != null && second > 0) {
            if (!message.substring(first + 1, second).equals(cluster.replicaId())) {
                handler.accept(message.substring(second + 1));
            }
        } else {
            logins.received(message);
        }
    }

    /** Failed logins per address, counted across replicas. */
    public LoginLimits logins() {
        return logins;
    }

    public String replicaId() {
        return cluster.replicaId();
    }

    /** Whether Redis answered the last call. */
    public boolean up() {
        return link.up();
    }

    /** Decisions taken on this replica's share of a limit because Redis did not answer. */
    public long fallbacks() {
        return fallbacks.sum();
    }

    @Override
    public Tokens rate(String tenant, ProxyConfig.Limits limits) {
        // a change of limits starts a new bucket rather than reinterpreting the stored one
        String key = prefix + "rate:" + tenant + ":" + Integer.toHexString(limits.hashCode());
        return shared(key, TenantLimiter.configuration(limits, 1),
                Tokens.local(TenantLimiter.configuration(limits, cluster.replicas())));
    }

    Tokens shared(String key, BucketConfiguration configuration, Tokens fallback) {
        return new Tokens() {
            private volatile ProxyManager<byte[]> builtBy;
            private volatile BucketProxy bucket;

            @Override
            public long take() {
                BucketProxy b = bucket();
                if (b != null) {
                    try {
                        ConsumptionProbe probe = b.tryConsumeAndReturnRemaining(1);
                        link.succeeded();
                        return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
                    } catch (RuntimeException e) {
                        link.failed(e);
                    }
                }
                fallbacks.increment();
                return fallback.take();
            }

            @Override
            public long nanosUntilOne() {
                BucketProxy b = bucket();
                if (b != null) {
                    try {
                        long nanos = b.estimateAbilityToConsume(1).getNanosToWaitForRefill();
                        link.succeeded();
                        return Math.max(0, nanos);
                    } catch (RuntimeException e) {
                        link.failed(e);
                    }
                }
                fallbacks.increment();
                return fallback.nanosUntilOne();
            }

            private BucketProxy bucket() {
                if (!link.usable()) {
                    return null;
                }
                ProxyManager<byte[]> manager = link.buckets();
                if (manager != builtBy) {
                    // batching: concurrent requests of this replica for one bucket share a round trip to Redis
                    bucket = manager.builder().withOptimization(Optimizations.batching())
                            .build(key.getBytes(StandardCharsets.UTF_8), () -> configuration);
                    builtBy = manager;
                }
                return bucket;
            }
        };
    }

    /** A bucket of Redis used once, for keys too many to keep (client addresses); null while Redis is unusable. */
    BucketProxy once(String key, BucketConfiguration configuration) {
        if (!link.usable()) {
            return null;
        }
        return link.buckets().builder().build(key.getBytes(StandardCharsets.UTF_8), () -> configuration);
    }

    RedisLink link() {
        return link;
    }

    void fellBack() {
        fallbacks.increment();
    }

    String prefix() {
        return prefix;
    }

    @Override
    public boolean openConnection(String tenant, int max) {
        AtomicInteger here = connections.computeIfAbsent(tenant, t -> new AtomicInteger());
        StatefulRedisConnection<byte[], byte[]> c = link.usable() ? link.connection() : null;
        if (c != null) {
            synchronized (here) {
                try {
                    Long counted = c.sync().eval(OPEN_CONNECTION, ScriptOutputType.INTEGER,
                            new byte[][] {bytes(prefix + "connections:" + tenant), bytes(prefix + "replicas")},
                            bytes(cluster.replicaId()), bytes(Integer.toString(max)),
                            bytes(Integer.toString(here.get())), bytes(Long.toString(LIVENESS_MS)),
                            bytes(Long.toString(FORGET_MS)));
                    link.succeeded();
                    if (counted != null && counted == 1) {
                        here.incrementAndGet();
                        return true;
                    }
                    return false;
                } catch (RuntimeException e) {
                    link.failed(e);
                }
            }
        }
        fallbacks.increment();
        int share = Math.max(1, max / cluster.replicas());
        if (here.incrementAndGet() > share) {
            here.decrementAndGet();
            return false;
        }
        return true;
    }

    @Override
    public void closeConnection(String tenant) {
        AtomicInteger here = connections.get(tenant);
        if (here == null) {
            return;
        }
        // answered only once Redis has the new count (at most the link's timeout, like an open), so a connection
        // closed here is free on every replica when the client's close returns; under the lock an open's count and
        // this one reach Redis in the order they were taken. A count Redis did not get is rewritten by the heartbeat.
        synchronized (here) {
            int count = Math.max(0, here.decrementAndGet());
            StatefulRedisConnection<byte[], byte[]> c = link.usable() ? link.connection() : null;
            if (c != null) {
                try {
                    c.sync().hset(bytes(prefix + "connections:" + tenant), bytes(cluster.replicaId()),
                            bytes(Integer.toString(count)));
                    link.succeeded();
                } catch (RuntimeException e) {
                    link.failed(e);
                }
            }
        }
    }

    /**
     * Tells Redis this replica is alive and how many connections it holds per tenant; connects first if the link
     * never connected. Called every {@code HEARTBEAT} period by the server's housekeeping thread.
     */
    public void heartbeat() {
        if (!link.connect() || !link.usable()) {
            return;
        }
        java.util.List<byte[]> args = new java.util.ArrayList<>();
        args.add(bytes(cluster.replicaId()));
        connections.forEach((tenant, count) -> {
            args.add(bytes(prefix + "connections:" + tenant));
            args.add(bytes(Integer.toString(Math.max(0, count.get()))));
        });
        try {
            link.connection().sync().eval(HEARTBEAT, ScriptOutputType.INTEGER,
                    new byte[][] {bytes(prefix + "replicas")}, args.toArray(new byte[0][]));
            link.succeeded();
        } catch (RuntimeException e) {
            link.failed(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        link.close();
    }
}

package com.akkio.dbproxy.server.limits;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.akkio.dbproxy.server.config.ProxyConfig;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to Redis that shared limits use, and whether to use it now. Every call is bounded by the
 * configured timeout and fails at once while the link is down (Lettuce rejects commands when disconnected instead of
 * queueing them), so a lost Redis costs a statement at most one timeout. After a failure the link is not tried for
 * {@link #RETRY_AFTER_NANOS}: statements meanwhile use their replica's share of each limit. A link that could not
 * connect at start keeps trying in the background; the proxy serves meanwhile.
 */
final class RedisLink implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    static final long RETRY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ProxyConfig.Redis config;
    private final ClientResources resources;
    private final RedisClient client;
    private final String channel;
    private final Consumer<String> subscriber;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile ProxyManager<byte[]> buckets;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    /** System.nanoTime() before which the link is not tried; 0 when it is up. */
    private final AtomicLong downUntil = new AtomicLong();
    private volatile boolean up;
    private volatile boolean closed;

    /**
     * @param subscriber receives every message published on {@code channel} by any replica (this one included)
     */
    RedisLink(ProxyConfig.Redis config, String channel, Consumer<String> subscriber) {
        this.config = config;
        this.channel = channel;
        this.subscriber = subscriber;
        RedisURI uri = RedisURI.create(config.uri());
        uri.setTimeout(config.timeout());
        // two small thread pools, and reconnects at most a second apart, so limits are shared again soon after an
        // outage ends (Lettuce's default backs off to 30 s)
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.timeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .build());
        connect();
    }

    /** Connects if not connected; true when connected. Called at start and by the housekeeping thread. */
    synchronized boolean connect() {
        if (connection != null || closed) {
            return connection != null;
        }
        try {
            StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisPubSubConnection<String, String> p = client.connectPubSub();
            p.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    subscriber.accept(message);
                }
            });
            p.sync().subscribe(channel);
            buckets = Bucket4jLettuce.casBasedBuilder(c)
                    .requestTimeout(config.timeout())
                    .expirationAfterWrite(ExpirationAfterWriteStrategy
                            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build();
            connection = c;
            pubSub = p;
            succeeded();
            LOG.info("shared limits: connected to {}", config.redactedUri());
            return true;
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
    }

    /** Whether to try Redis now: connected, and no failure within the last {@link #RETRY_AFTER_NANOS}. */
    boolean usable() {
        long until = downUntil.get();
        return connection != null && (until == 0 || System.nanoTime() - until >= 0);
    }

    boolean up() {
        return up;
    }

    StatefulRedisConnection<byte[], byte[]> connection() {
        return connection;
    }

    ProxyManager<byte[]> buckets() {
        return buckets;
    }

    void succeeded() {
        if (!up) {
            up = true;
            downUntil.set(0);
            LOG.info("shared limits: Redis answers again; limits are shared by every replica");
        }
    }

    void failed(Throwable e) {
        downUntil.set(System.nanoTime() + RETRY_AFTER_NANOS);
        if (up || connection == null) {
            LOG.warn("shared limits: Redis at {} does not answer ({}); this replica enforces its share of each"
                    + " limit alone until it does", config.redactedUri(), e.getClass().getSimpleName());
        }
        up = false;
    }

    /** Publishes to every replica; failures are the caller's to count. */
    void publish(String message) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.async().publish(channel.getBytes(StandardCharsets.UTF_8), message.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pubSub != null) {
            pubSub.close();
        }
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}

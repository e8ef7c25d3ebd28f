package com.akkio.dbproxy.server.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.config.ProxyConfig;
import io.github.bucket4j.Bucket;

/**
 * Failed logins per client address, on every front end together: a token bucket per address ({@code burst}, refilled
 * at {@code per_minute}) that each refused login drains. An address whose bucket is empty is refused before its
 * credentials are checked, so a flood costs the proxy neither a secret's hash nor an audit record per request.
 * Successful logins cost nothing.
 *
 * <p>The table of addresses is bounded: when it is full, buckets that have refilled are dropped (they hold no
 * state worth keeping), and if none has, further addresses share one bucket, which is stricter, never looser.
 */
public final class LoginThrottle implements LoginLimits {
    static final int MAX_ADDRESSES = 10_000;

    private final ProxyConfig.FailedLogins limits;
    private final int share;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;

    public LoginThrottle(ProxyConfig.FailedLogins limits) {
        this(limits, 1);
    }

    /** The {@code 1/share} part of {@code limits}: what one of {@code share} replicas allows alone. */
    public LoginThrottle(ProxyConfig.FailedLogins limits, int share) {
        this.limits = limits;
        this.share = share;
        this.overflow = newBucket();
    }

    private Bucket newBucket() {
        return Bucket.builder().addLimit(configuration(limits, share).getBandwidths()[0]).build();
    }

    static io.github.bucket4j.BucketConfiguration configuration(ProxyConfig.FailedLogins limits, int share) {
        return Tokens.configuration(Math.max(1, limits.burst() / share), Math.max(1, limits.perMinute() / share),
                Duration.ofMinutes(1));
    }

    @Override
    public long retryAfterMillis(String address) {
        Bucket bucket = existing(address);
        if (bucket == null) {
            return 0;
        }
        long nanos = bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    @Override
    public void failed(String address) {
        bucket(address).tryConsume(1);
    }

    private Bucket existing(String address) {
        Bucket bucket = buckets.get(key(address));
        return bucket != null ? bucket : buckets.size() >= MAX_ADDRESSES ? overflow : null;
    }

    private Bucket bucket(String address) {
        String key = key(address);
        Bucket bucket = buckets.get(key);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= MAX_ADDRESSES) {
            buckets.values().removeIf(b -> b.getAvailableTokens() >= Math.max(1, limits.burst() / share));
            if (buckets.size() >= MAX_ADDRESSES) {
                return overflow;
            }
        }
        return buckets.computeIfAbsent(key, k -> newBucket());
    }

    private static String key(String address) {
        return address == null ? "" : address;
    }

    /** Addresses with a bucket, for tests of the bound. */
    int tracked() {
        return buckets.size();
    }
}

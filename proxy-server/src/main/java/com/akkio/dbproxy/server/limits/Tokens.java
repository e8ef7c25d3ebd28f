package com.akkio.dbproxy.server.limits;

import java.time.Duration;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/**
 * A token bucket as the limits use it: take a token, or learn how long until one is there. The bucket lives in this
 * process ({@link #local}) or in Redis, shared by every replica ({@link SharedLimits}).
 */
public interface Tokens {
    /** Takes one token: 0 when it was taken, else the nanoseconds until one can be (at least 1). */
    long take();

    /** Nanoseconds until a token could be taken, without taking it: 0 when one is there now. */
    long nanosUntilOne();

    /** {@code capacity} tokens, refilled continuously at {@code refill} per {@code period}. */
    static BucketConfiguration configuration(long capacity, long refill, Duration period) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(refill, period).build())
                .build();
    }

    /** A bucket of this process alone. */
    static Tokens local(BucketConfiguration configuration) {
        Bucket bucket = Bucket.builder().addLimit(configuration.getBandwidths()[0]).build();
        return new Tokens() {
            @Override
            public long take() {
                ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
                return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
            }

            @Override
            public long nanosUntilOne() {
                return Math.max(0, bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
            }
        };
    }
}

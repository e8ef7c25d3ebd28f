package com.akkio.dbproxy.server.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.akkio.dbproxy.server.config.ProxyConfig;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;

/**
 * Failed logins per client address across replicas. Failures are counted in Redis; when an address's allowance runs
 * out, the replica that saw the last failure publishes until when the address is refused, and every replica keeps
 * that in memory. So a login costs no round trip to Redis (Avatica authenticates every request), only a failure
 * does; while Redis does not answer, this replica counts its share of the allowance alone.
 */
final class SharedLoginThrottle implements LoginLimits {
    private static final String MESSAGE = "login-refused ";

    private final SharedLimits shared;
    private final BucketConfiguration configuration;
    private final LoginThrottle fallback;
    private final Map<String, Long> refusedUntilMs = new ConcurrentHashMap<>();

    SharedLoginThrottle(SharedLimits shared, ProxyConfig.FailedLogins limits, int replicas) {
        this.shared = shared;
        this.configuration = LoginThrottle.configuration(limits, 1);
        this.fallback = new LoginThrottle(limits, replicas);
    }

    @Override
    public long retryAfterMillis(String address) {
        Long until = refusedUntilMs.get(key(address));
        long shared = until == null ? 0 : Math.max(0, until - System.currentTimeMillis());
        return Math.max(shared, fallback.retryAfterMillis(address));
    }

    @Override
    public void failed(String address) {
        BucketProxy bucket = shared.once(shared.prefix() + "login:" + key(address), configuration);
        if (bucket != null) {
            try {
                ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
                long waitNanos = !probe.isConsumed() ? probe.getNanosToWaitForRefill()
                        : probe.getRemainingTokens() == 0 ? bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill()
                        : 0;
                shared.link().succeeded();
                if (waitNanos > 0) {
                    long until = System.currentTimeMillis() + Math.max(1, waitNanos / 1_000_000);
                    remember(key(address), until);
                    shared.link().publish(MESSAGE + until + " " + key(address));
                }
                return;
            } catch (RuntimeException e) {
                shared.link().failed(e);
            }
        }
        shared.fellBack();
        fallback.failed(address);
    }

    /** A message another replica (or this one) published. */
    void received(String message) {
        if (!message.startsWith(MESSAGE)) {
            return;
        }
        int space = message.indexOf(' ', MESSAGE.length());
        if (space < 0) {
            return;
        }
        try {
            remember(message.substring(space + 1), Long.parseLong(message.substring(MESSAGE.length(), space)));
        } catch (NumberFormatException e) {
            // not ours to act on
        }
    }

    private void remember(String address, long untilMs) {
        if (refusedUntilMs.size() >= LoginThrottle.MAX_ADDRESSES) {
            long now = System.currentTimeMillis();
            refusedUntilMs.values().removeIf(until -> until <= now);
            if (refusedUntilMs.size() >= LoginThrottle.MAX_ADDRESSES) {
                return; // the shared count still refuses it at its next failure
            }
        }
        refusedUntilMs.merge(address, untilMs, Math::max);
    }

    private static String key(String address) {
        return address == null ? "" : address;
    }
}

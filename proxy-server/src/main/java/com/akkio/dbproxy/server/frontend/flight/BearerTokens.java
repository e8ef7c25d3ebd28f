package com.akkio.dbproxy.server.frontend.flight;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.akkio.dbproxy.server.governed.Caller;

/**
 * The bearer tokens a Flight login hands out: 256 random bits each, bound to the tenant (and address and user agent)
 * that logged in, valid for a fixed time from the login. An unknown or expired token is no token at all. Tokens live
 * only in this server's memory: a restart logs every client out.
 */
final class BearerTokens {
    private record Grant(Caller caller, long expiresNanos) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final long ttlNanos;

    BearerTokens(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** A new token for {@code caller}, valid for the configured time. */
    String issue(Caller caller) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        grants.put(token, new Grant(caller, System.nanoTime() + ttlNanos));
        return token;
    }

    /** Who {@code token} was issued to, or null when it is unknown or has expired. */
    Caller caller(String token) {
        Grant g = token == null ? null : grants.get(token);
        if (g == null) {
            return null;
        }
        if (System.nanoTime() - g.expiresNanos() > 0) {
            grants.remove(token, g);
            return null;
        }
        return g.caller();
    }

    /** Forgets expired tokens (called periodically) and, if {@code tenant} is not null, all of that tenant's. */
    void sweep(String tenant) {
        long now = System.nanoTime();
        grants.entrySet().removeIf(e -> now - e.getValue().expiresNanos() > 0
                || e.getValue().caller().tenant().equals(tenant));
    }
}

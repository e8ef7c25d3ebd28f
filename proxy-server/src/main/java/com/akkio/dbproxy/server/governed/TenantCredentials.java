package com.akkio.dbproxy.server.governed;

import java.util.Map;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.config.SecretHash;

/**
 * The check of a tenant's secret, the same for every front end: compared with its salted hash in constant time, and
 * an unknown tenant costs the same hash against a decoy, so the time taken does not tell which tenants exist. What
 * happens around the check (throttling, reporting refusals) is {@link Logins}.
 */
public final class TenantCredentials {
    private static final SecretHash DECOY = SecretHash.create("decoy");

    private TenantCredentials() {
    }

    /** True when {@code tenant} is configured (in {@code tenants}) and {@code secret} is its secret. */
    public static boolean verify(Map<String, ProxyConfig.Tenant> tenants, String tenant, String secret) {
        return verify(tenant == null ? null : tenants.get(tenant), secret);
    }

    /** True when {@code tenant} is not null and {@code secret} is its secret; null costs the same work. */
    public static boolean verify(ProxyConfig.Tenant tenant, String secret) {
        if (tenant == null) {
            DECOY.matches(secret);
            return false;
        }
        return tenant.secret().matches(secret);
    }
}

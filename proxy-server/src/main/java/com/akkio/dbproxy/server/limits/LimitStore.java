package com.akkio.dbproxy.server.limits;

import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * Where tenant limits are counted: in this process ({@link #LOCAL}), or in Redis for every replica together
 * ({@link SharedLimits}). Rates are token buckets; connections are counted per tenant.
 */
public interface LimitStore {
    /** This process alone: every replica enforces each limit on its own. */
    LimitStore LOCAL = new LimitStore() {
        @Override
        public Tokens rate(String tenant, ProxyConfig.Limits limits) {
            return Tokens.local(TenantLimiter.configuration(limits, 1));
        }

        @Override
        public boolean openConnection(String tenant, int max) {
            return true;
        }

        @Override
        public void closeConnection(String tenant) {
        }
    };

    /** The rate bucket of {@code tenant} ({@code rate.queries_per_second} with its burst). */
    Tokens rate(String tenant, ProxyConfig.Limits limits);

    /**
     * Counts one more connection of {@code tenant} if the tenant has fewer than {@code max} open on every replica
     * together (the caller already enforces {@code max} on this replica's own).
     *
     * @return false when the connection would be one too many; then nothing was counted
     */
    boolean openConnection(String tenant, int max);

    /** A connection counted by {@link #openConnection} closed. */
    void closeConnection(String tenant);
}

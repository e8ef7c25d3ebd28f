package com.akkio.dbproxy.server.governed;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.akkio.dbproxy.policy.Decision;

/**
 * One Avatica connection, bound to the tenant that opened it: its statements, the decisions of statements it
 * prepared (so executing them does not parse again), and executions whose results are still being fetched.
 */
final class GovernedConnection {
    final String connectionId;
    final TenantRuntime tenant;
    final Caller opener;
    final Set<Integer> statements = ConcurrentHashMap.newKeySet();
    final Map<Integer, Prepared> prepared = new ConcurrentHashMap<>();
    final Map<Integer, StatementRun> runs = new ConcurrentHashMap<>();
    volatile long lastUsedNanos = System.nanoTime();
    /** Set by {@link GovernedMeta#cancel}, so the failure of the cancelled statement is reported as a cancel. */
    final java.util.concurrent.atomic.AtomicBoolean cancelRequested = new java.util.concurrent.atomic.AtomicBoolean();

    GovernedConnection(String connectionId, TenantRuntime tenant, Caller opener) {
        this.connectionId = connectionId;
        this.tenant = tenant;
        this.opener = opener;
    }

    String tenantName() {
        return tenant.name();
    }

    /**
     * A prepared statement: its text as the client sent it (and that text's hash, which every execution's audit
     * records carry), and the decision made under the policy object of that moment.
     */
    record Prepared(String sql, String sqlSha256, com.akkio.dbproxy.policy.TenantPolicy policy, Decision decision) {
        /** One execution of it. */
        StatementRun run() {
            return StatementRun.begin(sql, sqlSha256, decision);
        }
    }
}

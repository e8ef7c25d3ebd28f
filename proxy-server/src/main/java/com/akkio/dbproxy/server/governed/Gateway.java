package com.akkio.dbproxy.server.governed;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.admin.ProxyMetrics;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.errors.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The governed core's front door: every front end opens and finds its connections here, each bound to the tenant
 * that opened it. A connection asked for by another tenant (or by nobody) is answered as if it did not exist, so
 * connection ids need not be secret. It also holds the server-wide connection rules: open connections per tenant,
 * idle expiry, and closing a removed tenant's connections.
 */
public final class Gateway {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final StatementGate gate;
    private final int maxConnectionsPerTenant;
    private final long idleNanos;
    private volatile Map<String, TenantRuntime> tenants;
    private final ConcurrentHashMap<String, GovernedConnection> connections = new ConcurrentHashMap<>();

    public Gateway(Map<String, TenantRuntime> tenants, AuditLog audit, ProxyMetrics metrics, boolean auditRawSql,
                   int maxConnectionsPerTenant, long idleSeconds) {
        this.tenants = Map.copyOf(tenants);
        this.gate = new StatementGate(audit, metrics, auditRawSql);
        this.maxConnectionsPerTenant = maxConnectionsPerTenant;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    }

    /**
     * Opens a connection for {@code caller}'s tenant under {@code connectionId} (the front end's choice: Avatica's
     * client picks its own, so an id in use is refused), with a backend connection from the tenant's pool.
     */
    public GovernedConnection open(String connectionId, Caller caller) {
        requireTenant(caller);
        TenantRuntime tenant = tenants.get(caller.tenant());
        if (tenant == null) {
            throw ProxyError.authentication("tenant is no longer configured");
        }
        if (tenant.connections.incrementAndGet() > maxConnectionsPerTenant) {
            tenant.connections.decrementAndGet();
            throw ProxyError.of(ErrorCode.TOO_MANY_CONNECTIONS, "tenant '" + caller.tenant() + "' already has "
                    + maxConnectionsPerTenant + " open connections (rule: server.max_connections_per_tenant)");
        }
        if (!tenant.limitStore().openConnection(tenant.name(), maxConnectionsPerTenant)) {
            tenant.connections.decrementAndGet();
            throw ProxyError.of(ErrorCode.TOO_MANY_CONNECTIONS, "tenant '" + caller.tenant() + "' already has "
                    + maxConnectionsPerTenant + " open connections on all replicas together (rule:"
                    + " server.max_connections_per_tenant)");
        }
        GovernedConnection connection = new GovernedConnection(connectionId, tenant, caller, gate, this);
        if (connections.putIfAbsent(connectionId, connection) != null) {
            tenant.connections.decrementAndGet();
            tenant.limitStore().closeConnection(tenant.name());
            throw ProxyError.of(ErrorCode.CONNECTION_ID_IN_USE, "choose another connection id");
        }
        try (LogContext log = LogContext.enter(caller.tenant(), null)) {
            connection.openBackend();
        } catch (RuntimeException e) {
            forget(connection);
            throw e;
        }
        return connection;
    }

    /** {@code caller}'s open connection {@code connectionId}: unknown if it is another tenant's or nobody's. */
    public GovernedConnection connection(String connectionId, Caller caller) {
        requireTenant(caller);
        // a request that names no connection (a malformed one) is one for a connection that does not exist
        GovernedConnection c = connectionId == null ? null : connections.get(connectionId);
        if (c == null || !c.tenantName().equals(caller.tenant())) {
            throw ProxyError.unknownHandle("connection");
        }
        if (c.tenant().retired()) {
            throw ProxyError.authentication("tenant '" + c.tenantName() + "' is no longer configured");
        }
        c.touch();
        return c;
    }

    private static void requireTenant(Caller caller) {
        if (caller == null || caller.tenant() == null) {
            throw ProxyError.authentication("request without an authenticated tenant");
        }
    }

    void forget(GovernedConnection c) {
        if (connections.remove(c.id(), c)) {
            c.tenant().connections.decrementAndGet();
            c.tenant().limitStore().closeConnection(c.tenant().name());
        }
    }

    /** Closes connections idle for longer than the configured timeout; called periodically. */
    public void expireIdle() {
        long now = System.nanoTime();
        for (GovernedConnection c : connections.values()) {
            if (c.idleFor(now, idleNanos)) {
                LOG.info("closing idle connection of tenant {}", c.tenantName());
                c.close();
            }
        }
    }

    /** Closes the connections of a tenant that was removed from the configuration. */
    public void closeTenant(String tenant) {
        for (GovernedConnection c : connections.values()) {
            if (c.tenantName().equals(tenant)) {
                c.close();
            }
        }
    }

    /** Closes every connection, for shutdown. */
    public void closeAll() {
        connections.values().forEach(GovernedConnection::close);
    }

    public int openConnections() {
        return connections.size();
    }

    /** Swaps in reloaded tenants: open connections apply their tenant's new policy from their next statement on. */
    private volatile PeerReplicas peers = PeerReplicas.NONE;

    /** The other replicas of a cluster; set once, before the front ends start (none on a single node). */
    public void peers(PeerReplicas peers) {
        this.peers = peers;
    }

    public PeerReplicas peers() {
        return peers;
    }

    public void tenants(Map<String, TenantRuntime> updated) {
        this.tenants = Map.copyOf(updated);
    }
}

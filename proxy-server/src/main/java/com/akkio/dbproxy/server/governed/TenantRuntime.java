package com.akkio.dbproxy.server.governed;

import java.util.concurrent.atomic.AtomicInteger;

import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.backend.BackendMeta;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.limits.LimitStore;
import com.akkio.dbproxy.server.limits.TenantLimiter;

/**
 * What the server holds for one tenant while it runs. A reload swaps the configuration in place, so every open
 * connection applies the new policy from its next statement on; statements already running keep their decision.
 */
public final class TenantRuntime {
    public final BackendMeta meta;
    public final AtomicInteger connections = new AtomicInteger();
    private volatile ProxyConfig.Tenant config;
    private volatile TenantLimiter limiter;
    private volatile WriteBackQuota writeQuota;
    private volatile boolean retired;
    private final LimitStore limits;

    public TenantRuntime(ProxyConfig.Tenant config, BackendMeta meta) {
        this(config, meta, LimitStore.LOCAL);
    }

    /** @param limits where the tenant's rate and connections are counted (this process, or every replica's) */
    public TenantRuntime(ProxyConfig.Tenant config, BackendMeta meta, LimitStore limits) {
        this.config = config;
        this.limits = limits;
        this.limiter = new TenantLimiter(config.name(), config.limits(), limits);
        this.meta = meta;
        this.writeQuota = writeQuota(config.limits());
    }

    LimitStore limitStore() {
        return limits;
    }

    /** Moves on when a statement may have changed the tenant's tables (see GovernedConnection#schemaVersion). */
    private final java.util.concurrent.atomic.AtomicLong schemaVersion = new java.util.concurrent.atomic.AtomicLong();

    long schemaVersion() {
        return schemaVersion.get();
    }

    void schemaChanged() {
        schemaVersion.incrementAndGet();
        BackendColumns c = columns;
        if (c != null) {
            c.invalidate();
        }
    }

    /** Where the views of the tenant's filtered and masked tables read their columns; null until set. */
    private volatile BackendColumns columns;

    /** Gives this tenant's policies (this one and every reloaded one) the backend's columns. */
    public void useColumns(BackendColumns source) {
        this.columns = source;
        config.policy().useColumns(source);
    }

    public BackendColumns columns() {
        return columns;
    }

    public ProxyConfig.Tenant config() {
        return config;
    }

    TenantLimiter limiter() {
        return limiter;
    }

    /** The tenant's write quota, shared by its connections (one measurement or count serves them all). */
    WriteBackQuota writeQuota() {
        return writeQuota;
    }

    /**
     * Rows held (DuckDB: measured), or rows written per window (Databricks: counted; see WrittenRowsQuota) and/or
     * bytes held (Databricks: measured; see StoredBytesQuota).
     */
    private static WriteBackQuota writeQuota(ProxyConfig.Limits limits) {
        ProxyConfig.WriteQuota quota = limits.writeQuota();
        if (quota == null) {
            return WriteQuota.NONE;
        }
        if (quota.maxBytes() > 0) {
            WriteBackQuota bytes = new StoredBytesQuota(quota);
            return quota.window() == null ? bytes : new BothWriteQuotas(new WrittenRowsQuota(quota), bytes);
        }
        return quota.window() != null ? new WrittenRowsQuota(quota) : new WriteQuota(quota);
    }

    public String name() {
        return config.name();
    }

    /** Connections' narrowed policies (another default schema, read-only), shared so they share decision memos. */
    private final java.util.Map<Narrowing, TenantPolicy> narrowed = new java.util.concurrent.ConcurrentHashMap<>();
    /** Bounds the shared narrowed policies: a pattern such as {@code c.*.*} reaches any schema name. */
    private static final int MAX_NARROWED = 64;

    /** How a connection narrowed its tenant's policy: names as the client gave them. */
    record Narrowing(TenantPolicy base, String catalog, String schema, boolean readOnly) {
    }

    /**
     * The tenant's policy as a connection narrowed it ({@link TenantPolicy#narrowed}).
     *
     * @throws IllegalArgumentException naming the rule, for a catalog or schema the policy does not reach
     */
    TenantPolicy policy(String catalog, String schema, boolean readOnly) {
        TenantPolicy base = config.policy();
        Narrowing key = new Narrowing(base, catalog, schema, readOnly);
        TenantPolicy policy = narrowed.get(key);
        if (policy == null) {
            policy = base.narrowed(catalog, schema, readOnly);
            if (narrowed.size() < MAX_NARROWED) {
                narrowed.put(key, policy);
            }
        }
        return policy;
    }

    /** Applies a reloaded configuration of this tenant; the rate bucket restarts only if its limits changed. */
    public void update(ProxyConfig.Tenant updated) {
        narrowed.clear();
        if (!updated.limits().equals(config.limits())) {
            limiter = new TenantLimiter(updated.name(), updated.limits(), limits);
            writeQuota = writeQuota(updated.limits());
        }
        if (columns != null) {
            updated.policy().useColumns(columns);
            columns.invalidate();
        }
        config = updated;
    }

    /** The tenant was removed from the configuration: its open connections are refused from now on. */
    public void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }
}

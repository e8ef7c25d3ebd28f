package com.akkio.dbproxy.server.backend;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A database the proxy forwards to. Each tenant gets its own connection pool on it, so that one tenant holding all
 * of its connections (every open client connection keeps one) cannot leave another tenant waiting.
 */
public final class Backend implements Closeable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Backend.class);
    /** The longest a borrower waits on the pool before asking it again ({@link #borrow}). */
    static final long ASK_AGAIN_MILLIS = 1_000;
    /** Hikari's shortest connection timeout. */
    private static final long MIN_TURN_MILLIS = 250;
    private final String name;
    private final Dialect dialect;
    private final String warehouseId;
    private final DataSource connections;
    private final ProxyConfig.Pool poolSettings;
    private final Closeable resources;
    private final java.util.function.Supplier<String> readiness;
    private final java.util.function.Function<java.sql.Connection, String> warehouseOf;
    private final BackendErrors errors;
    private final TypeMapping types;
    private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();
    private volatile java.time.Duration startWait = java.time.Duration.ZERO;
    private volatile java.util.function.BooleanSupplier starting = () -> false;
    private volatile TenantSessions sessionsIn = (tenant, catalog, schema) -> null;
    private volatile WarehouseStart.Listener warehouseStarts = start -> { };

    /** A data source of one tenant's backend connections, with sessions in its catalog and schema where given. */
    @FunctionalInterface
    public interface TenantSessions {
        /** @return the data source, or null for the backend's own */
        DataSource open(String tenant, String catalog, String schema);
    }

    /**
     * A warehouse still starting when a connection's wait for it ended, or stopped where no query may start it
     * ({@code WAREHOUSE_NOT_STARTED}).
     */
    public static final class WarehouseNotStarted extends java.sql.SQLException {
        public WarehouseNotStarted(String message, Throwable cause) {
            super(message, "57P03", cause);
        }
    }

    /** The message of a wait for a start that ended. */
    public static String notStarted(String backend, java.time.Duration bound) {
        return "the warehouse of backend '" + backend + "' was still starting after " + bound.toSeconds()
                + " s (warehouse_start_timeout_seconds)";
    }

    /** A backend whose readiness is {@code SELECT 1}, without warehouses, with the standard error table. */
    public Backend(String name, Dialect dialect, String warehouseId, DataSource connections,
                   ProxyConfig.Pool poolSettings, Closeable resources, TypeMapping types) {
        this(name, dialect, warehouseId, connections, poolSettings, resources, null, c -> warehouseId,
                BackendErrors.STANDARD, types);
    }

    /**
     * @param readiness   replaces the {@code SELECT 1} probe if given (null means ready, else the problem)
     * @param warehouseOf the warehouse a driver connection was opened to, where the backend fails over
     * @param errors      how this backend's driver failures translate into the client's errors
     * @param types       how this backend's driver describes and hands over result values
     */
    public Backend(String name, Dialect dialect, String warehouseId, DataSource connections,
                   ProxyConfig.Pool poolSettings, Closeable resources, java.util.function.Supplier<String> readiness,
                   java.util.function.Function<java.sql.Connection, String> warehouseOf, BackendErrors errors,
                   TypeMapping types) {
        this.readiness = readiness;
        this.errors = errors;
        this.types = types;
        this.warehouseOf = warehouseOf;
        this.name = name;
        this.dialect = dialect;
        this.warehouseId = warehouseId;
        this.connections = connections;
        this.poolSettings = poolSettings;
        this.resources = resources;
    }

    public String name() {
        return name;
    }

    public Dialect dialect() {
        return dialect;
    }

    public BackendErrors errors() {
        return errors;
    }

    public TypeMapping types() {
        return types;
    }

    /** The Databricks SQL warehouse behind this backend (the first, where it fails over), or null. */
    public String warehouseId() {
        return warehouseId;
    }

    /** The warehouse a pooled connection is using, for the audit log. */
    public String warehouseOf(java.sql.Connection connection) {
        try {
            String w = warehouseOf.apply(connection.unwrap(java.sql.Connection.class));
            return w == null ? warehouseId : w;
        } catch (java.sql.SQLException e) {
            return warehouseId;
        }
    }

    /** How many prepared queries each backend connection keeps for texts it runs again. */
    public int statementCacheSize() {
        return poolSettings.statementCacheSize();
    }

    /**
     * Borrowed connections wait up to {@code bound} for a warehouse that {@code starting} says is starting, beyond
     * the pool's own connection timeout (which stays the wait for a free connection).
     */
    public Backend waitingForStart(java.time.Duration bound, java.util.function.BooleanSupplier starting) {
        this.startWait = bound;
        this.starting = starting;
        return this;
    }

    /**
     * A connection from {@code pool}, a pool of this backend's ({@link #poolFor}), waiting up to the pool's
     * {@code connection_timeout_ms} for a free one. The pool is asked in turns of at most {@link #ASK_AGAIN_MILLIS}:
     * Hikari opens a connection for a borrower when it starts waiting, and in a burst of first connections its
     * connection adder can miss one (it gives up when the connection it just added looks idle, before the borrower it
     * was for has taken it), leaving that borrower waiting with room in the pool; asking again is counted anew. When
     * the pool times out because the warehouse is starting (its session request refused with 503 and Retry-After, which
     * the driver retries), asking again until the start bound: the pool goes on opening the connection meanwhile. Past
     * the bound: {@link WarehouseNotStarted}.
     */
    public java.sql.Connection borrow(DataSource pool) throws java.sql.SQLException {
        long start = System.nanoTime();
        long freeDeadline = start + poolSettings.connectionTimeout().toNanos();
        long startDeadline = start + startWait.toNanos();
        boolean waited = false;
        while (true) {
            try {
                return pool.getConnection();
            } catch (java.sql.SQLTransientConnectionException e) {
                long now = System.nanoTime();
                if (!startWait.isZero() && starting.getAsBoolean()) {
                    if (now - startDeadline > 0) {
                        throw new WarehouseNotStarted(notStarted(name, startWait), e);
                    }
                    if (!waited) {
                        LOG.warn("backend '{}': warehouse {} is starting; a new connection waits up to {} s for it",
                                name, warehouseId, startWait.toSeconds());
                        waited = true;
                    }
                } else if (now - freeDeadline >= 0) {
                    throw e.getCause() != null ? e : noFreeConnection(pool, e, now - start);
                }
            }
        }
    }

    /** {@code pool} as a data source whose connections are {@linkplain #borrow borrowed}. */
    public DataSource borrowing(DataSource pool) {
        return new SuppliedDataSource(() -> borrow(pool));
    }

    /** Hikari's own timeout, its message telling the whole wait instead of the last turn's. */
    private static java.sql.SQLTransientConnectionException noFreeConnection(DataSource pool,
            java.sql.SQLTransientConnectionException last, long waitedNanos) {
        if (!(pool instanceof HikariDataSource h) || h.getHikariPoolMXBean() == null) {
            return last;
        }
        com.zaxxer.hikari.HikariPoolMXBean stats = h.getHikariPoolMXBean();
        return new java.sql.SQLTransientConnectionException(h.getPoolName()
                + " - Connection is not available, request timed out after "
                + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(waitedNanos) + "ms (total="
                + stats.getTotalConnections() + ", active=" + stats.getActiveConnections() + ", idle="
                + stats.getIdleConnections() + ", waiting=" + stats.getThreadsAwaitingConnection() + ")",
                last.getSQLState());
    }

    /** One turn of a borrower's wait: the configured wait in equal turns of at most {@link #ASK_AGAIN_MILLIS}. */
    static long askAgainMillis(long connectionTimeoutMillis) {
        long turns = Math.max(1, (connectionTimeoutMillis + ASK_AGAIN_MILLIS - 1) / ASK_AGAIN_MILLIS);
        return Math.max(MIN_TURN_MILLIS, (connectionTimeoutMillis + turns - 1) / turns);
    }

    /** Null when the backend is ready for queries, else why not. */
    public String problem() {
        if (readiness != null) {
            return readiness.get();
        }
        try (java.sql.Connection c = connections.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.setQueryTimeout(5);
            s.execute("SELECT 1");
            return null;
        } catch (java.sql.SQLException | RuntimeException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        }
    }

    /**
     * Connections of this backend open their sessions in a tenant's physical catalog and schema where
     * {@code sessionsIn} gives a data source for them (Databricks: so that a least-privilege principal needs no
     * rights on the workspace's default schema, and a warehouse start is recorded for the tenant that waited for
     * it); null keeps the backend's own.
     */
    public Backend sessionsIn(TenantSessions sessionsIn) {
        this.sessionsIn = sessionsIn;
        return this;
    }

    /** Where this backend reports the warehouse starts its connections waited for. */
    public void onWarehouseStart(WarehouseStart.Listener listener) {
        this.warehouseStarts = listener;
    }

    /** Reports a warehouse start; a listener that fails is logged, never the connection's failure. */
    public void warehouseStarted(WarehouseStart start) {
        try {
            warehouseStarts.started(start);
        } catch (RuntimeException e) {
            LOG.error("backend '{}': the start of warehouse {} for tenant {} ({}) could not be recorded", name,
                    start.warehouse(), start.tenant(), start.outcome(), e);
        }
    }

    /** A new pool on this backend for one tenant, sized and timed by the backend's {@code pool} settings. */
    public HikariDataSource poolFor(String tenant, io.micrometer.core.instrument.MeterRegistry metrics) {
        return poolFor(tenant, null, null, metrics);
    }

    /** As {@link #poolFor(String, io.micrometer.core.instrument.MeterRegistry)}, sessions in catalog.schema. */
    public HikariDataSource poolFor(String tenant, String catalog, String schema,
                                    io.micrometer.core.instrument.MeterRegistry metrics) {
        HikariConfig hc = new HikariConfig();
        hc.setMetricRegistry(metrics);
        hc.setPoolName(name + "-" + tenant);
        DataSource tenantSessions = sessionsIn.open(tenant, catalog, schema);
        hc.setDataSource(tenantSessions != null ? tenantSessions : connections);
        hc.setMaximumPoolSize(poolSettings.maxSize());
        hc.setMinimumIdle(0);
        // the configured wait is the borrower's, in turns (borrow)
        hc.setConnectionTimeout(askAgainMillis(poolSettings.connectionTimeout().toMillis()));
        hc.setIdleTimeout(poolSettings.idleTimeout().toMillis());
        hc.setMaxLifetime(poolSettings.maxLifetime().toMillis());
        hc.setAutoCommit(true);
        // the pool starts even when the backend does not answer (a workspace down at start-up): the proxy serves
        // its other backends and reports this one not ready, and connects once it answers
        hc.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(hc);
        pools.add(pool);
        return pool;
    }

    /** Connections lent out by all of this backend's pools. */
    public int activeConnections() {
        int active = 0;
        for (HikariDataSource pool : pools) {
            active += pool.getHikariPoolMXBean().getActiveConnections();
        }
        return active;
    }

    @Override
    public void close() throws IOException {
        for (HikariDataSource pool : pools) {
            pool.close();
        }
        resources.close();
    }
}

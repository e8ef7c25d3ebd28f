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

    /** A new pool on this backend for one tenant, sized and timed by the backend's {@code pool} settings. */
    public HikariDataSource poolFor(String tenant, io.micrometer.core.instrument.MeterRegistry metrics) {
        HikariConfig hc = new HikariConfig();
        hc.setMetricRegistry(metrics);
        hc.setPoolName(name + "-" + tenant);
        hc.setDataSource(connections);
        hc.setMaximumPoolSize(poolSettings.maxSize());
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(poolSettings.connectionTimeout().toMillis());
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

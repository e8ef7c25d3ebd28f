package com.akkio.dbproxy.server.avatica;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.akkio.dbproxy.server.backend.Backend;
import org.apache.calcite.avatica.jdbc.JdbcMeta;

/**
 * Avatica's JDBC-backed {@code Meta} for one tenant on one backend, taking its connections from the tenant's pool
 * instead of
 * {@code DriverManager}, and never passing client-supplied properties on: the backend connection is the proxy's own.
 */
final class BackendMeta extends JdbcMeta {
    private final Backend backend;
    private final DataSource pool;

    BackendMeta(Backend backend, DataSource pool, long idleSeconds) throws SQLException {
        super("jdbc:akkio-backend:" + backend.name(), cacheSettings(idleSeconds));
        this.backend = backend;
        this.pool = pool;
    }

    /**
     * The proxy expires idle connections itself ({@link GovernedMeta#expireIdle}), closing them deterministically;
     * Avatica's own caches evict lazily and only back that up, so they wait longer.
     */
    private static Properties cacheSettings(long idleSeconds) {
        long backstop = idleSeconds * 2 + 60;
        Properties p = new Properties();
        p.setProperty("avatica.connectioncache.expiryduration", Long.toString(backstop));
        p.setProperty("avatica.connectioncache.expiryunit", TimeUnit.SECONDS.name());
        p.setProperty("avatica.statementcache.expiryduration", Long.toString(backstop));
        p.setProperty("avatica.statementcache.expiryunit", TimeUnit.SECONDS.name());
        return p;
    }

    Backend backend() {
        return backend;
    }

    @Override
    protected Connection createConnection(String url, Properties info) throws SQLException {
        Connection connection = pool.getConnection();
        String timeout = info.getProperty(QueryTimeouts.PROPERTY);
        return timeout == null ? connection : QueryTimeouts.apply(connection, Integer.parseInt(timeout));
    }

    /** Avatica's description of a backend result's columns. */
    static java.util.List<org.apache.calcite.avatica.ColumnMetaData> describe(java.sql.ResultSetMetaData md)
            throws SQLException {
        return columns(md);
    }

    /** The warehouse the backend connection of an Avatica connection uses (Databricks failover), or the backend's. */
    String warehouseOf(String connectionId) {
        try {
            return backend.warehouseOf(getConnection(connectionId));
        } catch (SQLException | RuntimeException e) {
            return backend.warehouseId();
        }
    }

    /** Cancels the statements of an Avatica connection's backend connection (see {@link QueryTimeouts}). */
    void cancelRunning(String connectionId) throws SQLException {
        if (getConnection(connectionId) instanceof QueryTimeouts.Cancellable c) {
            c.cancelStatements();
        }
    }

    /** The backend connection behind an Avatica connection id, for metadata the proxy filters itself. */
    Connection backendConnection(String connectionId) throws SQLException {
        return getConnection(connectionId);
    }
}

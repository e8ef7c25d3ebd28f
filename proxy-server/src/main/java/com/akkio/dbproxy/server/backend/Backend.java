package com.akkio.dbproxy.server.backend;

import java.io.Closeable;
import java.sql.Connection;
import java.sql.SQLException;

import com.akkio.dbproxy.policy.Dialect;
import com.zaxxer.hikari.HikariDataSource;

/** A database the proxy forwards to, with its connection pool. */
public final class Backend implements Closeable {
    private final String name;
    private final Dialect dialect;
    private final String warehouseId;
    private final HikariDataSource pool;
    private final Closeable resources;

    public Backend(String name, Dialect dialect, String warehouseId, HikariDataSource pool, Closeable resources) {
        this.name = name;
        this.dialect = dialect;
        this.warehouseId = warehouseId;
        this.pool = pool;
        this.resources = resources;
    }

    public String name() {
        return name;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The Databricks SQL warehouse behind this backend, or null. */
    public String warehouseId() {
        return warehouseId;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public HikariDataSource pool() {
        return pool;
    }

    @Override
    public void close() throws java.io.IOException {
        pool.close();
        resources.close();
    }
}

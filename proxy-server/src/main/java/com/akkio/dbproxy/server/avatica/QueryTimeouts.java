package com.akkio.dbproxy.server.avatica;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;

/**
 * Avatica's protocol has no cancel or timeout message, so the proxy enforces the tenant's query timeout itself: every
 * statement created on a backend connection gets it as its JDBC query timeout, and the backend cancels the query
 * (DuckDB interrupts it; the Databricks driver cancels the statement on the warehouse).
 */
final class QueryTimeouts {
    /** Connection property carrying the timeout from {@link GovernedMeta} to {@link BackendMeta}; set only by us. */
    static final String PROPERTY = "akkio.query_timeout_seconds";

    private QueryTimeouts() {
    }

    static Connection apply(Connection connection, int seconds) {
        return (Connection) Proxy.newProxyInstance(QueryTimeouts.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof Statement statement) {
                        statement.setQueryTimeout(seconds);
                    }
                    return result;
                });
    }
}

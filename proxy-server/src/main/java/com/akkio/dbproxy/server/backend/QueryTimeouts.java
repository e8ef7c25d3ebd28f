package com.akkio.dbproxy.server.backend;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;


/**
 * Avatica's protocol has no cancel or timeout message, so the proxy enforces the tenant's query timeout itself: every
 * statement created on a backend connection gets it as its JDBC query timeout, and the backend cancels the query
 * (DuckDB interrupts it; the Databricks driver cancels the statement on the warehouse). The connection also keeps
 * (weakly) the statements it created, because Avatica's statement cache does not expose them and a client's cancel
 * request (PostgreSQL front end) must reach the one that is running.
 */
public final class QueryTimeouts {
    /** Connection property carrying the timeout from the governed core to {@link BackendMeta}; set only by us. */
    public static final String PROPERTY = "akkio.query_timeout_seconds";

    /** What the wrapped connection offers beyond {@link Connection}. */
    interface Cancellable {
        /** Cancels every open statement of this connection (at most one runs at a time per client connection). */
        void cancelStatements() throws SQLException;
    }

    private QueryTimeouts() {
    }

    static Connection apply(Connection connection, int seconds) {
        Set<Statement> statements = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
        return (Connection) Proxy.newProxyInstance(QueryTimeouts.class.getClassLoader(),
                new Class<?>[] {Connection.class, Cancellable.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Cancellable.class) {
                        cancel(statements);
                        return null;
                    }
                    Object result;
                    try {
                        result = method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof Statement statement) {
                        statement.setQueryTimeout(seconds);
                        statements.add(statement);
                    }
                    return result;
                });
    }

    private static void cancel(Set<Statement> statements) throws SQLException {
        List<Statement> open;
        synchronized (statements) {
            open = List.copyOf(statements);
        }
        for (Statement statement : open) {
            if (!statement.isClosed()) {
                statement.cancel();
            }
        }
    }
}

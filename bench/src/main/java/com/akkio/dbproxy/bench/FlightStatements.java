package com.akkio.dbproxy.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A statement for the Arrow Flight SQL JDBC driver that runs each query on a new statement of its connection,
 * closing the one before. The driver (18.3.0) prepares every query on the server and, when a statement runs another,
 * replaces the previous prepared statement without closing it (apache/arrow-java#1129); the proxy keeps each one's
 * backend connection until its client closes it or it idles out, so a harness reusing one statement for thousands of
 * queries exhausted the tenant's pool within its warm-up. An application on this driver has to do the same.
 */
final class FlightStatements {
    private FlightStatements() {
    }

    static Statement of(Connection connection) {
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {Statement.class},
                new OneQueryEach(connection));
    }

    /** Used by one thread at a time, as the harness's statements are. */
    private static final class OneQueryEach implements InvocationHandler {
        private final Connection connection;
        private Statement current;

        OneQueryEach(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "getConnection":
                    return connection;
                case "close":
                    closeCurrent();
                    return null;
                case "executeQuery":
                    closeCurrent(); // its result set was read and closed: the harness reads each to the end
                    break;
                default:
                    break;
            }
            if (current == null) {
                current = connection.createStatement();
            }
            try {
                return method.invoke(current, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private void closeCurrent() throws java.sql.SQLException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}

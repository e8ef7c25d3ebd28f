package com.akkio.dbproxy.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;

/**
 * Connections for the tests that check every {@link SQLException} a client gets from the proxy, whatever the test
 * was about: its SQLState is a real one (five characters, never {@code 00000}, which clients read as success) and its
 * vendor code is not -1 (Avatica's "unknown"). A test that provokes an error without looking at its state still
 * fails if the proxy sent one of those; the check throws an {@link AssertionError} in place of the exception.
 */
public final class SqlStates {
    private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, ResultSet.class, DatabaseMetaData.class, ResultSetMetaData.class, Array.class);

    private SqlStates() {
    }

    /** {@code DriverManager.getConnection}, with this connection's errors (and its own refusal) checked. */
    public static Connection connect(String url, Properties properties) throws SQLException {
        try {
            return checked(DriverManager.getConnection(url, properties));
        } catch (SQLException e) {
            throw check(e);
        }
    }

    public static Connection checked(Connection c) {
        return (Connection) wrap(c, Connection.class);
    }

    /** {@code e}, after checking it and every exception chained to it. */
    public static SQLException check(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState();
            if (state == null || !state.matches("[0-9A-Z]{5}") || state.equals("00000") || s.getErrorCode() == -1) {
                throw new AssertionError("a client got an error without a real SQLState or vendor code (state "
                        + state + ", code " + s.getErrorCode() + "): " + s.getMessage(), e);
            }
        }
        return e;
    }

    private static Object wrap(Object target, Class<?> type) {
        return Proxy.newProxyInstance(SqlStates.class.getClassLoader(), new Class<?>[] {type}, new Checking(target));
    }

    private record Checking(Object target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof SQLException s ? check(s) : e.getCause();
            }
            Class<?> type = method.getReturnType();
            return result != null && WRAPPED.contains(type) && !(result instanceof Proxy) ? wrap(result, type)
                    : result;
        }
    }
}

package com.akkio.dbproxy.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;

/**
 * Avatica's client raises some server errors unchecked (creating a statement on a connection the server has closed,
 * for example); JDBC callers expect {@link SQLException}. This wraps the JDBC objects the driver hands out so that
 * every such error arrives as an SQLException carrying the server's SQLState and code. Result sets also answer the
 * value calls Avatica's client cannot ({@link ZonedAndBinaryValues}).
 */
final class SqlExceptions implements InvocationHandler {
    private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

    private final Object target;
    /** The connection's cancel requests, for its statements' cancel() and query timeouts. */
    private final ProxyCancels cancels;
    /** A statement's query timeout in seconds (0: none), enforced by the driver since Avatica's protocol has none. */
    private volatile int queryTimeout;

    private SqlExceptions(Object target, ProxyCancels cancels) {
        this.target = target;
        this.cancels = cancels;
    }

    static Connection wrap(Connection connection, ProxyCancels cancels) {
        return (Connection) wrap(connection, Connection.class, cancels);
    }

    private static Object wrap(Object target, Class<?> type, ProxyCancels cancels) {
        if (target == null) {
            return null;
        }
        return Proxy.newProxyInstance(SqlExceptions.class.getClassLoader(), new Class<?>[] {type},
                new SqlExceptions(target, cancels));
    }

    /** Statement calls Avatica's client does not honour: answered here, or null to pass the call on. */
    private Object statementCall(Method method, Object[] args) throws SQLException {
        switch (method.getName()) {
            case "cancel" -> {
                cancels.cancel();
                return Void.TYPE;
            }
            case "setQueryTimeout" -> {
                int seconds = (Integer) args[0];
                if (seconds < 0) {
                    throw new SQLException("query timeout must not be negative, got " + seconds, "22023");
                }
                queryTimeout = seconds;
                return Void.TYPE;
            }
            case "getQueryTimeout" -> {
                return queryTimeout;
            }
            default -> {
                return null;
            }
        }
    }

    static SQLException translate(AvaticaClientRuntimeException e) {
        String message = e.getMessage() == null ? "error from akkio-dbproxy"
                : e.getMessage().strip().lines().findFirst().orElse("");
        return new SQLException(message, e.getSqlState(), e.getErrorCode());
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("unwrap") && args != null && args.length == 1
                && ((Class<?>) args[0]).isInstance(proxy)) {
            return proxy;
        }
        if (target instanceof Statement && cancels != null) {
            Object answered = statementCall(method, args);
            if (answered != null) {
                return answered == Void.TYPE ? null : answered;
            }
        }
        Object result;
        try {
            if (target instanceof Connection c && ConnectionDefaults.handles(method)) {
                result = ConnectionDefaults.set(c, method, args);
            } else if (queryTimeout > 0 && method.getName().startsWith("execute")) {
                result = cancels.withTimeout(target, method, args, queryTimeout);
            } else {
                result = target instanceof ResultSet rs ? ZonedAndBinaryValues.answer(rs, method, args)
                        : ZonedAndBinaryValues.AVATICA;
                if (result == ZonedAndBinaryValues.AVATICA) {
                    result = method.invoke(target, args);
                }
            }
        } catch (AvaticaClientRuntimeException avatica) {
            throw translate(avatica);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AvaticaClientRuntimeException avatica) {
                throw translate(avatica);
            }
            throw cause;
        }
        Class<?> type = method.getReturnType();
        if (result != null && WRAPPED.contains(type) && !(result instanceof Proxy)) {
            return wrap(result, type, cancels);
        }
        return result;
    }
}

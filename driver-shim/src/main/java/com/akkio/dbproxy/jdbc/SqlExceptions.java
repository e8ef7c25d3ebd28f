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
import java.util.List;
import java.util.Set;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaSqlException;

/**
 * Avatica's client raises some server errors unchecked (creating a statement on a connection the server has closed,
 * for example), and words the same server error differently on each path: {@code Statement.execute} gives
 * {@code Error 1201 (42501) : Error while executing SQL "...": Remote driver error: OBJECT_NOT_READABLE: ...},
 * {@code prepareStatement} only {@code Error 1201 (42501) : while preparing SQL: ...}, without the code name and
 * the rule. This wraps the JDBC objects the driver hands out so that every error arrives as an SQLException
 * carrying the server's SQLState, code and own message ({@code OBJECT_NOT_READABLE: object ... (rule: ...)}), the
 * same on every path. Result sets also answer the value calls Avatica's client cannot ({@link ZonedAndBinaryValues})
 * and stop at the statement's {@code setMaxRows}, which Avatica's client does not send for a prepared statement;
 * metadata answers as {@link ProxyMetaData} says.
 */
final class SqlExceptions implements InvocationHandler {
    private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

    private final Object target;
    /** The connection the object belongs to: its cancel requests, URL and tenant. */
    private final ClientSession session;
    /** A statement's query timeout in seconds (0: none), enforced by the driver since Avatica's protocol has none. */
    private volatile int queryTimeout;
    /** A result set's row limit (its statement's max rows; 0: none) and the rows it has given so far. */
    private final long maxRows;
    private long rows;

    private SqlExceptions(Object target, ClientSession session, long maxRows) {
        this.target = target;
        this.session = session;
        this.maxRows = maxRows;
    }

    static Connection wrap(Connection connection, ClientSession session) {
        Connection wrapped = (Connection) wrap(connection, Connection.class, session, 0);
        session.opened(wrapped);
        return wrapped;
    }

    private static Object wrap(Object target, Class<?> type, ClientSession session, long maxRows) {
        if (target == null) {
            return null;
        }
        return Proxy.newProxyInstance(SqlExceptions.class.getClassLoader(), new Class<?>[] {type},
                new SqlExceptions(target, session, maxRows));
    }

    /** Statement calls Avatica's client does not honour: answered here, or null to pass the call on. */
    private Object statementCall(Method method, Object[] args) throws SQLException {
        switch (method.getName()) {
            case "cancel" -> {
                session.requests().cancel();
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

    /** An error of Avatica's client as an SQLException with the proxy's (or the transport's) own message. */
    static SQLException translate(AvaticaClientRuntimeException e) {
        String message = serverMessage(e.getServerExceptions());
        if (message == null) {
            message = e.getMessage() == null ? "error from akkio-dbproxy"
                    : e.getMessage().strip().lines().findFirst().orElse("");
            message = message.startsWith(REMOTE) ? message.substring(REMOTE.length()) : message;
        }
        return new SQLException(message, e.getSqlState(), e.getErrorCode());
    }

    /** Avatica's prefix of a server's message in its exceptions. */
    private static final String REMOTE = "Remote driver error: ";

    /**
     * Avatica's exception for a server error, with the server's message in place of Avatica's wording of it. The
     * proxy sends its message as the one line of the error's "stack traces", which Avatica keeps on every path.
     */
    static SQLException translate(AvaticaSqlException e) {
        String message = serverMessage(e.getStackTraces());
        if (message == null) {
            int remote = e.getErrorMessage() == null ? -1 : e.getErrorMessage().indexOf(REMOTE);
            if (remote < 0) {
                return e;
            }
            message = e.getErrorMessage().substring(remote + REMOTE.length());
        }
        return new SQLException(message, e.getSQLState(), e.getErrorCode());
    }

    /** The one line the proxy sends with an error; null when there is none (another server, a client error). */
    private static String serverMessage(List<String> lines) {
        if (lines == null || lines.size() != 1 || lines.get(0) == null || lines.get(0).isBlank()
                || lines.get(0).contains("\n")) {
            return null;
        }
        return lines.get(0);
    }

    /** Any failure of a call as the SQLException JDBC promises; a driver bug keeps its cause for the report. */
    private static Throwable asSqlException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AvaticaClientRuntimeException avatica) {
                return translate(avatica);
            }
        }
        if (failure instanceof AvaticaSqlException avatica) {
            return translate(avatica);
        }
        if (failure instanceof RuntimeException) {
            return new SQLException("akkio-jdbc: " + failure, "HY000", failure);
        }
        if (failure instanceof SQLException e && e.getSQLState() == null) {
            // Avatica's client raises its own errors without a state ("Connection is closed", "not supported")
            return e instanceof java.sql.SQLFeatureNotSupportedException
                    ? new java.sql.SQLFeatureNotSupportedException(e.getMessage(), "0A000", e.getErrorCode(), e)
                    : new SQLException(e.getMessage(), "HY000", e.getErrorCode(), e);
        }
        return failure;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("unwrap") && args != null && args.length == 1
                && ((Class<?>) args[0]).isInstance(proxy)) {
            return proxy;
        }
        if (target instanceof Statement && session != null) {
            Object answered = statementCall(method, args);
            if (answered != null) {
                return answered == Void.TYPE ? null : answered;
            }
        }
        if (target instanceof ResultSet && maxRows > 0 && method.getName().equals("next") && rows >= maxRows) {
            return false; // JDBC: rows beyond a statement's max rows are dropped silently
        }

        Object result;
        try {
            if (target instanceof Connection c && ConnectionDefaults.handles(method)) {
                result = ConnectionDefaults.set(c, method, args);
            } else if (queryTimeout > 0 && method.getName().startsWith("execute")) {
                result = session.requests().withTimeout(target, method, args, queryTimeout);
            } else {
                result = target instanceof ResultSet rs ? ZonedAndBinaryValues.answer(rs, method, args)
                        : target instanceof DatabaseMetaData md && session != null
                        ? ProxyMetaData.answer(md, session, method, args) : ZonedAndBinaryValues.AVATICA;
                if (result == ZonedAndBinaryValues.AVATICA || result == ProxyMetaData.AVATICA) {
                    result = method.invoke(target, args);
                }
            }
        } catch (InvocationTargetException e) {
            throw asSqlException(e.getCause());
        } catch (RuntimeException | SQLException e) {
            throw asSqlException(e);
        }
        if (target instanceof ResultSet && method.getName().equals("next") && Boolean.TRUE.equals(result)) {
            rows++;
        }
        Class<?> type = method.getReturnType();
        if (result != null && WRAPPED.contains(type) && !(result instanceof Proxy)) {
            long limit = type == ResultSet.class && target instanceof Statement s ? s.getLargeMaxRows() : 0;
            return wrap(result, type, session, limit);
        }
        return result;
    }
}

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
 * every such error arrives as an SQLException carrying the server's SQLState and code.
 */
final class SqlExceptions implements InvocationHandler {
    private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

    private final Object target;

    private SqlExceptions(Object target) {
        this.target = target;
    }

    static Connection wrap(Connection connection) {
        return (Connection) wrap(connection, Connection.class);
    }

    private static Object wrap(Object target, Class<?> type) {
        if (target == null) {
            return null;
        }
        return Proxy.newProxyInstance(SqlExceptions.class.getClassLoader(), new Class<?>[] {type},
                new SqlExceptions(target));
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
        Object result;
        try {
            result = target instanceof Connection c && ConnectionDefaults.handles(method)
                    ? ConnectionDefaults.set(c, method, args) : method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AvaticaClientRuntimeException avatica) {
                throw translate(avatica);
            }
            throw cause;
        }
        Class<?> type = method.getReturnType();
        if (result != null && WRAPPED.contains(type) && !(result instanceof Proxy)) {
            return wrap(result, type);
        }
        return result;
    }
}

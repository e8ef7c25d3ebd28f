package com.akkio.dbproxy.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * {@code setCatalog}, {@code setSchema} and {@code setReadOnly}, which the proxy may refuse (a schema the tenant's
 * policy does not reach). Avatica's client only records the new value, and sends it before the next call, again and
 * again while the server refuses it: one refusal would fail every later call, none of them the setter. This sends
 * the value at once, so the setter reports the refusal, and on a refusal sets the previous value back, which the
 * server accepts: the connection stays as it was, and usable.
 */
final class ConnectionDefaults {
    private static final Set<String> SETTERS = Set.of("setCatalog", "setSchema", "setReadOnly");

    private ConnectionDefaults() {
    }

    static boolean handles(Method method) {
        return SETTERS.contains(method.getName()) && method.getParameterCount() == 1;
    }

    /**
     * Calls {@code method} on {@code connection} and has the server apply it; if the server refuses, restores the
     * previous value and rethrows (as the {@link InvocationTargetException} a reflective call would give).
     */
    static Object set(Connection connection, Method method, Object[] args) throws Throwable {
        Object previous = switch (method.getName()) {
            case "setCatalog" -> connection.getCatalog();
            case "setSchema" -> connection.getSchema();
            default -> connection.isReadOnly();
        };
        try {
            method.invoke(connection, args);
            SYNC.invoke(connection);
            return null;
        } catch (InvocationTargetException e) {
            try {
                method.invoke(connection, previous);
                SYNC.invoke(connection);
            } catch (InvocationTargetException | RuntimeException restoreFailed) {
                e.getCause().addSuppressed(restoreFailed);
            }
            throw e;
        }
    }

    /** A call that sends the connection's recorded properties to the server (Avatica syncs before answering it). */
    private static final Method SYNC;

    static {
        try {
            SYNC = Connection.class.getMethod("getSchema");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

package com.akkio.dbproxy.server.backend.databricks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A Databricks connection that prepares PostgreSQL-numbered statements ({@code $1}, as the PostgreSQL front end's
 * clients send them) as Databricks SQL's positional ones ({@link DollarMarkers}), and binds each numbered parameter to
 * every {@code ?} it became. This sits below the policy: the gate decided, audited and rewrote the client's own text,
 * and only the markers change on the way to the driver, so the statement that runs is the one that was checked.
 * Texts without numbered markers (the client jar's {@code ?}) pass through untouched.
 */
final class DollarParameters {
    private DollarParameters() {
    }

    /** {@code connection}, preparing numbered statements as positional ones; it stays {@link RenewedSessions.Renewable}. */
    static Connection wrap(Connection connection) {
        ConnectionHandler handler = new ConnectionHandler(connection);
        Connection proxy = (Connection) Proxy.newProxyInstance(DollarParameters.class.getClassLoader(),
                new Class<?>[] {Connection.class, RenewedSessions.Renewable.class}, handler);
        handler.self = proxy;
        return proxy;
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        return RenewedSessions.call(target, method, args);
    }

    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection delegate;
        private Connection self;

        ConnectionHandler(Connection delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == RenewedSessions.Renewable.class) {
                return delegate instanceof RenewedSessions.Renewable r ? r.current() : delegate;
            }
            switch (method.getName()) {
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(proxy) ? proxy : delegate.unwrap((Class<?>) args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(proxy) || delegate.isWrapperFor((Class<?>) args[0]);
                case "prepareStatement":
                    DollarMarkers.Positional positional = DollarMarkers.of((String) args[0]);
                    if (positional == null) {
                        return call(delegate, method, args);
                    }
                    Object[] rewritten = args.clone();
                    rewritten[0] = positional.sql();
                    PreparedStatement statement = (PreparedStatement) call(delegate, method, rewritten);
                    return Proxy.newProxyInstance(DollarParameters.class.getClassLoader(),
                            new Class<?>[] {PreparedStatement.class},
                            new StatementHandler(statement, positional, self));
                default:
                    return call(delegate, method, args);
            }
        }
    }

    /** Binds parameter n to each of its places; describes parameters by number, as the client numbered them. */
    private static final class StatementHandler implements InvocationHandler {
        private final PreparedStatement delegate;
        private final DollarMarkers.Positional positional;
        private final Connection connection;
        /** The numbers bound since the last {@code clearParameters}. */
        private final java.util.BitSet bound = new java.util.BitSet();

        StatementHandler(PreparedStatement delegate, DollarMarkers.Positional positional, Connection connection) {
            this.delegate = delegate;
            this.positional = positional;
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (binds(method)) {
                int number = (Integer) args[0];
                if (number < 1 || number > positional.count()) {
                    throw new SQLException("parameter $" + number + " does not appear in the statement (it has $1 to $"
                            + positional.count() + ")", "07009");
                }
                // a number the text skips ($1 and $3 only) has no place: its value is not sent, as PostgreSQL does
                for (int place : positional.places(number)) {
                    Object[] at = args.clone();
                    at[0] = place;
                    call(delegate, method, at);
                }
                bound.set(number);
                return null;
            }
            return switch (method.getName()) {
                case "getConnection" -> connection;
                case "clearParameters" -> {
                    bound.clear();
                    yield call(delegate, method, args);
                }
                case "getParameterMetaData" -> numbered((ParameterMetaData) call(delegate, method, args));
                default -> call(delegate, method, args);
            };
        }

        /** A setter of one parameter: {@code PreparedStatement.setXxx(int parameterIndex, …)}. */
        private static boolean binds(Method method) {
            return method.getDeclaringClass() == PreparedStatement.class && method.getName().startsWith("set")
                    && method.getParameterCount() >= 2 && method.getParameterTypes()[0] == int.class;
        }

        /**
         * The parameters by number, as the client numbered them ({@code $1} to the highest): a bound one as the driver
         * describes its first place; one not bound yet as {@code STRING}, since databricks-jdbc describes bound
         * parameters only (its count is theirs) and a warehouse reads an untyped marker's value as a string. So a
         * client that leaves the types to the server (a Parse without them) is told how many values to send.
         */
        private ParameterMetaData numbered(ParameterMetaData places) {
            return (ParameterMetaData) Proxy.newProxyInstance(DollarParameters.class.getClassLoader(),
                    new Class<?>[] {ParameterMetaData.class}, (p, m, a) -> {
                        if (m.getName().equals("getParameterCount")) {
                            return positional.count();
                        }
                        if (a == null || a.length != 1 || m.getParameterTypes()[0] != int.class) {
                            return call(places, m, a);
                        }
                        int number = (Integer) a[0];
                        List<Integer> at = positional.places(number);
                        if (number < 1 || number > positional.count()) {
                            throw new SQLException("parameter $" + number + " does not appear in the statement",
                                    "07009");
                        }
                        if (!at.isEmpty() && bound.get(number)) {
                            return call(places, m, new Object[] {at.get(0)});
                        }
                        return unbound(m.getName());
                    });
        }

        private static Object unbound(String property) throws SQLException {
            return switch (property) {
                case "getParameterType" -> java.sql.Types.VARCHAR;
                case "getParameterTypeName" -> "STRING";
                case "getParameterClassName" -> String.class.getName();
                case "isSigned" -> false;
                case "getPrecision", "getScale" -> 0;
                case "isNullable" -> ParameterMetaData.parameterNullableUnknown;
                case "getParameterMode" -> ParameterMetaData.parameterModeIn;
                default -> throw new SQLException("ParameterMetaData." + property + " is not supported", "0A000");
            };
        }
    }
}

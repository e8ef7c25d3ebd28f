package com.akkio.dbproxy.server.backend.databricks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.akkio.dbproxy.server.backend.SuppliedDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A databricks-jdbc connection whose warehouse session can end under it ("Invalid SessionHandle": the session timed
 * out, or the warehouse stopped or restarted). The driver's {@code isValid()} makes no network check, so the pool
 * would keep lending the connection and every statement on it would fail until the connection retired (600 s idle,
 * 1800 s lifetime). Here the first statement that meets a gone session replaces the connection's driver connection
 * with a new one (a new session, on the first warehouse that accepts it), and runs again once on it when it
 * provably never ran: the warehouse refused it before giving it a statement id (the driver's statement id did not
 * change). A statement that had an id may have run, and fails as it is.
 */
final class RenewedSessions {
    private static final Logger LOG = LoggerFactory.getLogger(RenewedSessions.class);
    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate");
    /** A prepared statement's description (the driver's DESCRIBE QUERY) runs nothing: always safe to ask again. */
    private static final Set<String> DESCRIPTIONS = Set.of("getMetaData", "getParameterMetaData");

    /** What a wrapped connection offers beyond {@link Connection}: the driver connection it uses now. */
    interface Renewable {
        Connection current();
    }

    private RenewedSessions() {
    }

    /** {@code first}, renewed with {@code opener} when its session is gone. */
    static Connection wrap(Connection first, SuppliedDataSource.Opener opener) {
        ConnectionHandler handler = new ConnectionHandler(first, opener);
        Connection proxy = (Connection) Proxy.newProxyInstance(RenewedSessions.class.getClassLoader(),
                new Class<?>[] {Connection.class, Renewable.class}, handler);
        handler.self = proxy;
        return proxy;
    }

    /** True when {@code e} says the warehouse no longer knows the connection's session. */
    static boolean sessionGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("Invalid SessionHandle")) {
                return true;
            }
        }
        return false;
    }

    /** {@code method} on {@code target}, throwing what it throws (not reflection's wrapper). */
    static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class ConnectionHandler implements InvocationHandler {
        private final SuppliedDataSource.Opener opener;
        private volatile Connection current;
        private Connection self;

        ConnectionHandler(Connection first, SuppliedDataSource.Opener opener) {
            this.current = first;
            this.opener = opener;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Renewable.class) {
                return current;
            }
            switch (method.getName()) {
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(proxy) ? proxy : current.unwrap((Class<?>) args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(proxy) || current.isWrapperFor((Class<?>) args[0]);
                case "createStatement", "prepareStatement", "prepareCall":
                    Statement statement = (Statement) call(current, method, args);
                    return Proxy.newProxyInstance(RenewedSessions.class.getClassLoader(),
                            statement instanceof PreparedStatement ? new Class<?>[] {
                                    method.getReturnType()} : new Class<?>[] {Statement.class},
                            new StatementHandler(this, method, args, statement));
                default:
                    return call(current, method, args);
            }
        }

        /** Replaces {@code failed} with a new driver connection, unless another statement did so already. */
        synchronized Connection renew(Connection failed) throws SQLException {
            if (current == failed) {
                try {
                    failed.close();
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("closing a connection whose session is gone failed", e);
                }
                current = opener.open();
                LOG.info("a Databricks session was gone (Invalid SessionHandle); the connection has a new one");
            }
            return current;
        }
    }

    /** Records how the statement was made and set up, so that it can be made again on a renewed connection. */
    private static final class StatementHandler implements InvocationHandler {
        private record Call(Method method, Object[] args) {
        }

        private final ConnectionHandler connection;
        private final Method creation;
        private final Object[] creationArgs;
        private final List<Call> settings = new ArrayList<>();
        private volatile Statement delegate;
        private Connection madeOn;

        StatementHandler(ConnectionHandler connection, Method creation, Object[] creationArgs, Statement delegate) {
            this.connection = connection;
            this.creation = creation;
            this.creationArgs = creationArgs;
            this.delegate = delegate;
            this.madeOn = connection.current;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("getConnection")) {
                return connection.self;
            }
            if (name.startsWith("set") || name.equals("clearParameters")) {
                Object result = call(delegate, method, args);
                synchronized (settings) {
                    settings.add(new Call(method, args));
                }
                return result;
            }
            if (name.equals("close")) {
                return close();
            }
            boolean description = DESCRIPTIONS.contains(name) && delegate instanceof PreparedStatement;
            if (!EXECUTIONS.contains(name) && !description) {
                return call(delegate, method, args);
            }
            Object before = statementId(delegate);
            try {
                return call(delegate, method, args);
            } catch (SQLException e) {
                if (!sessionGone(e)) {
                    throw e;
                }
                boolean neverRan = description || Objects.equals(before, statementId(delegate));
                renew();
                if (!neverRan) {
                    throw e;
                }
                return call(delegate, method, args);
            }
        }

        /**
         * Closes the driver statement, which closes it on the warehouse too ({@code DELETE}); the driver lets its
         * SDK's unchecked exception out when the workspace does not answer, which JDBC callers do not expect.
         */
        private Object close() throws SQLException {
            try {
                delegate.close();
                return null;
            } catch (RuntimeException e) {
                throw new SQLException("closing the statement on the warehouse failed: " + e.getMessage(), "08006",
                        e);
            }
        }

        /** A new driver statement on the renewed connection, set up as this one was. */
        private void renew() throws Throwable {
            Connection fresh = connection.renew(madeOn);
            Statement old = delegate;
            delegate = (Statement) call(fresh, creation, creationArgs);
            madeOn = fresh;
            synchronized (settings) {
                for (Call c : settings) {
                    call(delegate, c.method(), c.args());
                }
            }
            try {
                old.close();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("closing a statement of a gone session failed", e);
            }
        }

        /** The id the warehouse gave the statement's last execution (the driver keeps it), or null. */
        private static Object statementId(Statement statement) {
            try {
                return statement.unwrap(com.databricks.jdbc.api.impl.DatabricksStatement.class).getStatementId();
            } catch (SQLException | RuntimeException e) {
                return null;
            }
        }
    }
}

package com.akkio.dbproxy.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;

/**
 * A forward-only, read-only result over rows the driver holds, for metadata it answers itself (primary keys, which
 * Avatica's client never asks the server for). The JDK's {@code CachedRowSet} was tried and is no JDBC result set
 * for tools: its {@code next()} past the last row throws and it has no {@code isClosed()} (sqlline's
 * {@code !primarykeys} failed on both). Values are read by column index or label, as text or number; anything a
 * metadata result is not asked for is {@link SQLFeatureNotSupportedException}.
 */
final class ListResultSet implements InvocationHandler {
    private final ResultSetMetaData metaData;
    private final List<Object[]> rows;
    /** Index of the current row; -1 before the first, rows.size() after the last. */
    private int position = -1;
    private boolean closed;
    private boolean wasNull;

    private ListResultSet(ResultSetMetaData metaData, List<Object[]> rows) {
        this.metaData = metaData;
        this.rows = rows;
    }

    static ResultSet of(ResultSetMetaData metaData, List<Object[]> rows) {
        return (ResultSet) Proxy.newProxyInstance(ListResultSet.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, new ListResultSet(metaData, rows));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        switch (name) {
            case "close" -> {
                closed = true;
                return null;
            }
            case "isClosed" -> {
                return closed;
            }
            case "unwrap" -> {
                if (((Class<?>) args[0]).isInstance(proxy)) {
                    return proxy;
                }
                throw new SQLException("not a wrapper for " + args[0], "HY000");
            }
            case "isWrapperFor" -> {
                return ((Class<?>) args[0]).isInstance(proxy);
            }
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            case "equals" -> {
                return proxy == args[0];
            }
            case "toString" -> {
                return "ListResultSet(" + rows.size() + " rows)";
            }
            default -> {
            }
        }
        if (closed) {
            throw new SQLException("the result set is closed", "HY010");
        }
        return switch (name) {
            case "next" -> {
                position = Math.min(position + 1, rows.size());
                yield position < rows.size();
            }
            case "getMetaData" -> metaData;
            case "findColumn" -> column(args[0]);
            case "wasNull" -> wasNull;
            case "getRow" -> position >= 0 && position < rows.size() ? position + 1 : 0;
            case "isBeforeFirst" -> position < 0 && !rows.isEmpty();
            case "isAfterLast" -> position >= rows.size() && !rows.isEmpty();
            case "isFirst" -> position == 0 && !rows.isEmpty();
            case "isLast" -> position == rows.size() - 1;
            case "getType" -> ResultSet.TYPE_FORWARD_ONLY;
            case "getConcurrency" -> ResultSet.CONCUR_READ_ONLY;
            case "getHoldability" -> ResultSet.CLOSE_CURSORS_AT_COMMIT;
            case "getFetchDirection" -> ResultSet.FETCH_FORWARD;
            case "getFetchSize" -> rows.size();
            case "setFetchSize", "setFetchDirection", "clearWarnings" -> null;
            case "getStatement", "getWarnings" -> null;
            case "getObject", "getString", "getShort", "getInt", "getLong", "getBigDecimal" ->
                    value(name, args);
            default -> throw new SQLFeatureNotSupportedException(name + " on a metadata result of akkio-jdbc");
        };
    }

    private int column(Object indexOrLabel) throws SQLException {
        if (indexOrLabel instanceof Integer i) {
            if (i < 1 || i > metaData.getColumnCount()) {
                throw new SQLException("no column " + i, "07009");
            }
            return i;
        }
        for (int i = 1; i <= metaData.getColumnCount(); i++) {
            if (metaData.getColumnLabel(i).equalsIgnoreCase((String) indexOrLabel)) {
                return i;
            }
        }
        throw new SQLException("no column named " + indexOrLabel, "42703");
    }

    private Object value(String getter, Object[] args) throws SQLException {
        if (position < 0 || position >= rows.size()) {
            throw new SQLException("not on a row", "24000");
        }
        Object v = rows.get(position)[column(args[0]) - 1];
        wasNull = v == null;
        return switch (getter) {
            case "getString" -> v == null ? null : v.toString();
            case "getShort" -> v == null ? (short) 0 : ((Number) v).shortValue();
            case "getInt" -> v == null ? 0 : ((Number) v).intValue();
            case "getLong" -> v == null ? 0L : ((Number) v).longValue();
            case "getBigDecimal" -> v == null ? null : new BigDecimal(v.toString());
            default -> v;
        };
    }
}

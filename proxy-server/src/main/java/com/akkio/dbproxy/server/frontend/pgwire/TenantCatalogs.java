package com.akkio.dbproxy.server.frontend.pgwire;

import java.io.Closeable;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.CatalogSnapshot;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.types.ValueType;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every tenant's governed catalog ({@link CatalogDatabase}), built when a session of the tenant first sends a
 * catalog query and built again when it may be out of date: the policy was reloaded, a statement through the proxy
 * changed the tenant's tables ({@link GovernedConnection#schemaVersion}), or it is older than {@link #MAX_AGE_SECONDS}
 * (tables created outside the proxy). Queries of one tenant's catalog run one at a time: they take milliseconds.
 */
final class TenantCatalogs implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TenantCatalogs.class);
    static final long MAX_AGE_SECONDS = 60;

    /** One tenant's catalog as built, and what it was built from. */
    private static final class Entry {
        CatalogDatabase database;
        TenantPolicy policy;
        long schemaVersion;
        long builtNanos;
    }

    /** A catalog query's answer: its columns (as the front end sends them) and rows. */
    record Answer(List<ColumnMetaData> columns, List<Object> rows, int parameters) {
    }

    private final Map<String, Entry> tenants = new ConcurrentHashMap<>();

    /** The rewrite of {@code sql} for the tenant's catalog, or null when it is not a catalog query. */
    String recognise(GovernedConnection connection, String sql) {
        if (!CatalogQuery.mentionsCatalog(sql)) {
            return null;
        }
        Entry e = tenants.computeIfAbsent(connection.tenantName(), t -> new Entry());
        synchronized (e) {
            try {
                return CatalogQuery.rewrite(sql, current(e, connection));
            } catch (SQLException ex) {
                LOG.debug("a text was not read as a catalog query", ex);
                return null;
            }
        }
    }

    /** Runs a recognised catalog query ({@code rewritten}) with {@code parameters}; {@code describeOnly}: no rows. */
    Answer run(GovernedConnection connection, String rewritten, List<TypedValue> parameters, boolean describeOnly) {
        Entry e = tenants.computeIfAbsent(connection.tenantName(), t -> new Entry());
        synchronized (e) {
            CatalogDatabase db = current(e, connection);
            try (PreparedStatement ps = db.connection().prepareStatement(rewritten)) {
                for (int i = 0; i < parameters.size(); i++) {
                    ps.setObject(i + 1, parameters.get(i).toLocal());
                }
                if (describeOnly) {
                    return new Answer(columns(ps.getMetaData()), List.of(),
                            ps.getParameterMetaData().getParameterCount());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    List<ColumnMetaData> columns = columns(rs.getMetaData());
                    List<Object> rows = new ArrayList<>();
                    while (rs.next()) {
                        Object[] row = new Object[columns.size()];
                        for (int i = 0; i < row.length; i++) {
                            row[i] = value(rs.getObject(i + 1), columns.get(i));
                        }
                        rows.add(row);
                    }
                    return new Answer(columns, rows, parameters.size());
                }
            } catch (SQLException ex) {
                String message = String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
                throw ProxyError.of(ErrorCode.CATALOG_QUERY_FAILED, "the governed catalog cannot answer this"
                        + " catalog query: " + message);
            }
        }
    }

    /** The tenant's catalog, built again first if it may be out of date. */
    private static CatalogDatabase current(Entry e, GovernedConnection connection) {
        TenantPolicy policy = connection.policy();
        long version = connection.schemaVersion();
        if (e.database != null && e.policy == policy && e.schemaVersion == version
                && System.nanoTime() - e.builtNanos < TimeUnit.SECONDS.toNanos(MAX_AGE_SECONDS)) {
            return e.database;
        }
        CatalogSnapshot snapshot = connection.catalogSnapshot();
        String database = policy.logicalCatalog(policy.defaultCatalog());
        List<String> catalogs = new ArrayList<>();
        catalogs.add(database);
        snapshot.schemas().stream().map(CatalogSnapshot.Schema::catalog).distinct()
                .filter(c -> !catalogs.contains(c)).forEach(catalogs::add);
        CatalogDatabase built;
        try {
            built = CatalogDatabase.build(snapshot, database, catalogs, policy.defaultSchema(),
                    connection.tenantName());
        } catch (SQLException ex) {
            LOG.warn("the governed catalog of tenant {} could not be built", connection.tenantName(), ex);
            throw ProxyError.of(ErrorCode.CATALOG_QUERY_FAILED, "the governed catalog could not be built");
        }
        if (e.database != null) {
            e.database.close();
        }
        e.database = built;
        e.policy = policy;
        e.schemaVersion = version;
        e.builtNanos = System.nanoTime();
        return built;
    }

    private static List<ColumnMetaData> columns(ResultSetMetaData md) throws SQLException {
        List<ColumnMetaData> out = new ArrayList<>();
        int n = md == null ? 0 : md.getColumnCount();
        for (int i = 0; i < n; i++) {
            ValueType t = type(md.getColumnType(i + 1), md.getColumnTypeName(i + 1));
            String name = md.getColumnLabel(i + 1);
            out.add(new ColumnMetaData(i, false, false, false, false, ResultSetMetaData.columnNullable, t.signed(),
                    0, name, name, null, t.precision(), t.scale(), null, null, t.avaticaType(), true, false, false,
                    t.javaClassName()));
        }
        return out;
    }

    /** What a catalog column is sent as: numbers, booleans and arrays of them as such, everything else as text. */
    private static ValueType type(int jdbcType, String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.endsWith("[]")) {
            ValueType element = type(elementJdbcType(n.substring(0, n.length() - 2)), n.substring(0, n.length() - 2));
            return ValueType.array(n, element);
        }
        return switch (jdbcType) {
            case Types.BOOLEAN -> ValueType.of(ValueType.Kind.BOOLEAN, n);
            case Types.TINYINT, Types.SMALLINT -> ValueType.of(ValueType.Kind.SMALLINT, n);
            case Types.INTEGER -> ValueType.of(ValueType.Kind.INTEGER, n);
            case Types.BIGINT -> ValueType.of(ValueType.Kind.BIGINT, n);
            case Types.FLOAT, Types.REAL -> ValueType.of(ValueType.Kind.REAL, n);
            case Types.DOUBLE -> ValueType.of(ValueType.Kind.DOUBLE, n);
            default -> ValueType.of(ValueType.Kind.TEXT, "VARCHAR");
        };
    }

    private static int elementJdbcType(String name) {
        return switch (name) {
            case "BOOLEAN" -> Types.BOOLEAN;
            case "SMALLINT", "TINYINT" -> Types.SMALLINT;
            case "INTEGER" -> Types.INTEGER;
            case "BIGINT" -> Types.BIGINT;
            default -> Types.VARCHAR;
        };
    }

    private static Object value(Object v, ColumnMetaData column) throws SQLException {
        if (v == null) {
            return null;
        }
        ValueType t = ValueType.of(column);
        if (t.kind() == ValueType.Kind.ARRAY) {
            Object[] items = v instanceof Array a ? (Object[]) a.getArray() : new Object[] {v};
            List<Object> out = new ArrayList<>(items.length);
            for (Object item : items) {
                out.add(item == null || t.element().kind() != ValueType.Kind.TEXT ? item : item.toString());
            }
            return out;
        }
        return switch (t.kind()) {
            case BOOLEAN, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE -> v;
            default -> v instanceof Object[] a ? Arrays.toString(a) : v.toString();
        };
    }

    @Override
    public void close() {
        for (Entry e : tenants.values()) {
            synchronized (e) {
                if (e.database != null) {
                    e.database.close();
                    e.database = null;
                }
            }
        }
    }
}

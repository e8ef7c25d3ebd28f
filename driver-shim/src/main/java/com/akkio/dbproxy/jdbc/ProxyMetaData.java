package com.akkio.dbproxy.jdbc;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.sql.rowset.RowSetMetaDataImpl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@link DatabaseMetaData} answers Avatica's client gets wrong for the proxy, because it answers them itself, for
 * any Avatica server alike: product "Avatica" with an unknown version, the internal {@code jdbc:avatica:remote:}
 * URL, no user name, upper-case identifiers, no transactions. Here: the product and version the proxy reports
 * ({@code akkio-dbproxy}, {@code 0.1.0 (DuckDB v1.4.4)}), the user's own {@code jdbc:akkio://} URL without
 * secrets, the tenant as user name, this driver's name and version, identifiers as the backends treat them
 * (unquoted and quoted names are case-insensitive in DuckDB and Databricks; the proxy's metadata finds a name
 * given in capitals in lower case), transactions (auto-commit off, commit and rollback reach the backend), and the
 * connection a tool holds rather than the one this driver wraps, and primary keys (asked of the proxy, see
 * {@link #primaryKeys}). Every other call goes to Avatica.
 */
final class ProxyMetaData {
    /** What {@link #answer} returns when Avatica's own answer is the right one. */
    static final Object AVATICA = new Object();

    private ProxyMetaData() {
    }

    /** The answer to {@code method} on {@code md} of the connection {@code session} describes, or {@link #AVATICA}. */
    static Object answer(DatabaseMetaData md, ProxySession session, Method method, Object[] args)
            throws SQLException {
        if (method.getName().equals("getPrimaryKeys") && args != null && args.length == 3) {
            return primaryKeys(session.requests().primaryKeys((String) args[0], (String) args[1], (String) args[2]));
        }
        if (method.getName().equals("supportsTransactionIsolationLevel") && args != null && args.length == 1) {
            // the backend's own level; Avatica's client says no to every level, also to the default it reports
            return args[0] instanceof Integer level && level == md.getDefaultTransactionIsolation();
        }
        if (method.getParameterCount() != 0) {
            return AVATICA;
        }
        return switch (method.getName()) {
            case "getDatabaseProductName" -> server(md, "GET_DATABASE_PRODUCT_NAME", "akkio-dbproxy");
            case "getDatabaseProductVersion" -> server(md, "GET_DATABASE_PRODUCT_VERSION", "unknown");
            case "getDatabaseMajorVersion" -> Integer.parseInt(server(md, "GET_DATABASE_MAJOR_VERSION", "0"));
            case "getDatabaseMinorVersion" -> Integer.parseInt(server(md, "GET_DATABASE_MINOR_VERSION", "0"));
            case "getDriverName" -> "akkio-dbproxy JDBC driver";
            case "getDriverVersion" -> ClientVersion.get();
            case "getDriverMajorVersion" -> ClientVersion.part(0);
            case "getDriverMinorVersion" -> ClientVersion.part(1);
            case "getURL" -> session.url();
            case "getUserName" -> session.user();
            case "getConnection" -> session.connection();
            case "storesLowerCaseIdentifiers", "storesMixedCaseQuotedIdentifiers", "supportsTransactions",
                 "supportsDataDefinitionAndDataManipulationTransactions" -> true;
            case "storesUpperCaseIdentifiers", "storesMixedCaseIdentifiers", "supportsMixedCaseIdentifiers",
                 "storesUpperCaseQuotedIdentifiers", "storesLowerCaseQuotedIdentifiers",
                 "supportsMixedCaseQuotedIdentifiers" -> false;
            default -> AVATICA;
        };
    }

    private static final String[] PRIMARY_KEY_COLUMNS = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME",
        "KEY_SEQ", "PK_NAME"};

    /**
     * JDBC's getPrimaryKeys result from the rows the proxy sent, in their order (by column name, then KEY_SEQ, as
     * JDBC orders them). Avatica's client answers getPrimaryKeys with nothing without asking the server, so the
     * driver asks the proxy's own endpoint and builds the result itself ({@link ListResultSet}).
     */
    private static ResultSet primaryKeys(JsonNode rows) throws SQLException {
        RowSetMetaDataImpl md = new RowSetMetaDataImpl();
        md.setColumnCount(PRIMARY_KEY_COLUMNS.length);
        for (int i = 1; i <= PRIMARY_KEY_COLUMNS.length; i++) {
            boolean seq = i == 5;
            md.setColumnName(i, PRIMARY_KEY_COLUMNS[i - 1]);
            md.setColumnLabel(i, PRIMARY_KEY_COLUMNS[i - 1]);
            md.setColumnType(i, seq ? Types.SMALLINT : Types.VARCHAR);
            md.setColumnTypeName(i, seq ? "SMALLINT" : "VARCHAR");
            md.setNullable(i, i == 1 || i == 6 ? ResultSetMetaData.columnNullable : ResultSetMetaData.columnNoNulls);
        }
        List<Object[]> result = new ArrayList<>();
        for (JsonNode row : rows) {
            Object[] values = new Object[PRIMARY_KEY_COLUMNS.length];
            for (int i = 0; i < values.length; i++) {
                JsonNode value = row.path(i);
                values[i] = value.isNull() || value.isMissingNode() ? null
                        : i == 4 ? (Object) (short) value.asInt() : value.asText();
            }
            result.add(values);
        }
        return ListResultSet.of(md, result);
    }

    /** A database property the proxy sends (Avatica's client fetches them once per connection). */
    private static String server(DatabaseMetaData md, String property, String otherwise) throws SQLException {
        Properties remote = md.unwrap(Properties.class);
        return remote.getProperty(property, otherwise);
    }

    /** What the metadata of one connection needs to know about it. */
    interface ProxySession {
        ProxyRequests requests();

        String url();

        String user();

        Connection connection();
    }
}

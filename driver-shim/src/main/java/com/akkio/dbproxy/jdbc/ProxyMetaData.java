package com.akkio.dbproxy.jdbc;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Properties;

/**
 * {@link DatabaseMetaData} answers Avatica's client gets wrong for the proxy, because it answers them itself, for
 * any Avatica server alike: product "Avatica" with an unknown version, the internal {@code jdbc:avatica:remote:}
 * URL, no user name, upper-case identifiers, no transactions. Here: the product and version the proxy reports
 * ({@code akkio-dbproxy}, {@code 0.1.0 (DuckDB v1.4.4)}), the user's own {@code jdbc:akkio://} URL without
 * secrets, the tenant as user name, this driver's name and version, identifiers as the backends treat them
 * (unquoted and quoted names are case-insensitive in DuckDB and Databricks; the proxy's metadata finds a name
 * given in capitals in lower case), transactions (auto-commit off, commit and rollback reach the backend), and the
 * connection a tool holds rather than the one this driver wraps. Every other call goes to Avatica.
 */
final class ProxyMetaData {
    /** What {@link #answer} returns when Avatica's own answer is the right one. */
    static final Object AVATICA = new Object();

    private ProxyMetaData() {
    }

    /** The answer to {@code method} on {@code md} of the connection {@code session} describes, or {@link #AVATICA}. */
    static Object answer(DatabaseMetaData md, ProxySession session, Method method) throws SQLException {
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

    /** A database property the proxy sends (Avatica's client fetches them once per connection). */
    private static String server(DatabaseMetaData md, String property, String otherwise) throws SQLException {
        Properties remote = md.unwrap(Properties.class);
        return remote.getProperty(property, otherwise);
    }

    /** What the metadata of one connection needs to know about it. */
    interface ProxySession {
        String url();

        String user();

        Connection connection();
    }
}

package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.util.Locale;
import java.util.Set;

/**
 * The Unity Catalog schemas the service principal may use ({@code USE CATALOG} + {@code USE SCHEMA}), when a test
 * narrows them: a session opened in any other schema is refused as a warehouse refuses it, PERMISSION_DENIED. A
 * session without a catalog is in the workspace's default catalog ({@code hive_metastore} here).
 */
final class SchemaGrants {
    static final String DEFAULT_CATALOG = "hive_metastore";

    private volatile Set<String> granted;

    /** Only these {@code catalog.schema} may be used; null: any. */
    void only(Set<String> schemas) {
        this.granted = schemas == null ? null : Set.copyOf(schemas);
    }

    /** Null when a session may be opened in {@code catalog.schema}, else the refusal's message. */
    String refusal(String catalog, String schema) {
        Set<String> g = granted;
        String c = catalog == null || catalog.isEmpty() ? DEFAULT_CATALOG : catalog;
        String s = schema == null || schema.isEmpty() ? "default" : schema;
        if (g == null || g.contains((c + "." + s).toLowerCase(Locale.ROOT))) {
            return null;
        }
        return "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have USE SCHEMA on Schema '" + c
                + "." + s + "'. SQLSTATE: 42501";
    }
}

package com.akkio.dbproxy.policy;

import java.util.Locale;
import java.util.Objects;

/** A physical {@code catalog.schema.table} name, normalised to lower case as Unity Catalog and DuckDB compare them. */
public final class QualifiedName {
    private final String catalog;
    private final String schema;
    private final String table;

    /**
     * A name from its three parts, as found: no part may be null, but any string is taken (backend metadata can report
     * an empty schema, for example).
     */
    public QualifiedName(String catalog, String schema, String table) {
        this.catalog = normalise(catalog, "catalog");
        this.schema = normalise(schema, "schema");
        this.table = normalise(table, "table");
    }

    /**
     * Parses dotted text {@code catalog.schema.table}: three non-empty parts, no quoting.
     *
     * @throws NullPointerException     if {@code dotted} is null
     * @throws IllegalArgumentException if it does not have three non-empty parts
     */
    public static QualifiedName parse(String dotted) {
        String[] parts = Objects.requireNonNull(dotted, "dotted").split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected catalog.schema.table, got '" + dotted + "'");
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("catalog.schema.table '" + dotted + "' has an empty part");
            }
        }
        return new QualifiedName(parts[0], parts[1], parts[2]);
    }

    private static String normalise(String part, String which) {
        return Objects.requireNonNull(part, which).toLowerCase(Locale.ROOT);
    }

    public String catalog() {
        return catalog;
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QualifiedName other
                && catalog.equals(other.catalog) && schema.equals(other.schema) && table.equals(other.table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(catalog, schema, table);
    }

    @Override
    public String toString() {
        return catalog + "." + schema + "." + table;
    }
}

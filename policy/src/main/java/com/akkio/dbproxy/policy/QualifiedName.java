package com.akkio.dbproxy.policy;

import java.util.Locale;
import java.util.Objects;

/** A physical {@code catalog.schema.table} name, normalised to lower case as Unity Catalog and DuckDB compare them. */
public final class QualifiedName {
    private final String catalog;
    private final String schema;
    private final String table;

    public QualifiedName(String catalog, String schema, String table) {
        this.catalog = normalise(catalog);
        this.schema = normalise(schema);
        this.table = normalise(table);
    }

    public static QualifiedName parse(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected catalog.schema.table, got '" + dotted + "'");
        }
        return new QualifiedName(parts[0], parts[1], parts[2]);
    }

    static String normalise(String part) {
        return Objects.requireNonNull(part, "name part").toLowerCase(Locale.ROOT);
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

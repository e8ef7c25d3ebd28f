package com.akkio.dbproxy.server.governed;

import java.util.List;

import com.akkio.dbproxy.server.types.ValueType;

/**
 * What one tenant may see of its backend's catalog, read from the backend's own metadata (JDBC
 * {@code DatabaseMetaData}, for DuckDB and Databricks alike), under the tenant's logical names: the catalogs and
 * schemas its read and write patterns reach (an empty write-back schema included) and the tables it may read, each
 * with its columns (as the backend's type mapping gives their results) and primary key. Nothing else is in it, so
 * whatever a front end builds from it can show no more than the policy allows.
 */
public record CatalogSnapshot(List<Schema> schemas, List<Table> tables) {
    public CatalogSnapshot {
        schemas = List.copyOf(schemas);
        tables = List.copyOf(tables);
    }

    /** A schema of a logical catalog. */
    public record Schema(String catalog, String name) {
    }

    /** A table or view ({@code view}), its columns in order, and the names of its primary key's columns. */
    public record Table(String catalog, String schema, String name, boolean view, List<Column> columns,
                        List<String> primaryKey) {
        public Table {
            columns = List.copyOf(columns);
            primaryKey = List.copyOf(primaryKey);
        }
    }

    /** A column: its type as results carry it, whether it may be null, and its default expression (or null). */
    public record Column(String name, ValueType type, boolean nullable, String defaultValue) {
    }
}

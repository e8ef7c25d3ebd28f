package com.akkio.dbproxy.policy;

import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.create.table.ForeignKeyIndex;
import net.sf.jsqlparser.statement.create.table.ForeignKeyReference;

/**
 * Foreign keys on DuckDB, denied up front. DuckDB's parser refuses a {@code REFERENCES} that names a catalog
 * ("FOREIGN KEY constraints cannot be defined cross-database", even when it is the table's own catalog), and binds a
 * reference without one in the session's default catalog, never the new table's ("across different schemas or
 * catalogs is not supported"). The proxy names every table by its physical catalog, on connections shared by all
 * tenants of the backend, so no text it could send declares the key: deny it with the reason rather than forward
 * a statement DuckDB refuses. Databricks takes catalog-qualified (informational) keys and is left alone.
 */
final class ForeignKeys {
    private ForeignKeys() {
    }

    /** Denies {@code node} if it declares a foreign key and the dialect is DuckDB. */
    static void check(Object node, Dialect dialect) {
        if (dialect == Dialect.DUCKDB && (node instanceof ForeignKeyIndex || node instanceof ForeignKeyReference
                || node instanceof AlterExpression a && a.getFkSourceTable() != null)) {
            throw new Denial(DenyCode.FOREIGN_KEY_NOT_SUPPORTED, "a FOREIGN KEY (REFERENCES) cannot be declared on a"
                    + " DuckDB backend: DuckDB refuses a reference naming a catalog and the proxy names every table by"
                    + " its catalog; declare the table without it (rule: DuckDB foreign keys)");
        }
    }
}

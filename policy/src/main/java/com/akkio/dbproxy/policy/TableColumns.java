package com.akkio.dbproxy.policy;

import java.util.List;

/**
 * The columns of a backend's tables, for the views of filtered and masked tables ({@link RowPolicies}): a view lists
 * every column of its table, and {@code SELECT *} over it expands from this list, never from the client. The policy
 * module does no I/O, so the proxy implements it from the backend's own metadata (JDBC {@code DatabaseMetaData}),
 * cached; {@link #version} moves on whenever a cached list may have changed, which empties the decision memo of every
 * policy that uses it, so that no decision made with an earlier list is served again.
 */
public interface TableColumns {
    /** No metadata: a statement that reads a filtered or masked table is denied. */
    TableColumns NONE = new TableColumns() {
        @Override
        public List<String> columns(QualifiedName table) {
            return null;
        }

        @Override
        public long version() {
            return -1;
        }
    };

    /**
     * The columns of a physical table in their order, as the backend spells them; null when the table is unknown or
     * its metadata cannot be read now (the statement is then denied, never guessed at).
     */
    List<String> columns(QualifiedName table);

    /** A number that changes whenever an answer of {@link #columns} may have changed. */
    long version();
}

package org.apache.calcite.avatica.jdbc;

import java.sql.ResultSet;

import org.apache.calcite.avatica.Meta;

/**
 * The proxy's one class in Avatica's package. The proxy runs a query on a prepared statement it keeps for the text
 * ({@code com.akkio.dbproxy.server.backend.KeptPlans}) where {@link JdbcMeta#prepareAndExecute} would run it
 * on a new plan, and must answer exactly as that method does (signature, first frame, array component types). What
 * builds that answer, {@link JdbcResultSet}, is not public: this calls it rather than a copy of it, so an Avatica
 * upgrade that changes it fails the build instead of the wire format.
 */
public final class ExecutionResults {
    private ExecutionResults() {
    }

    /** The result of an execution whose backend result is {@code rs}, as {@link JdbcMeta} reports it. */
    public static Meta.MetaResultSet of(String connectionId, int statementId, ResultSet rs, int maxRowsInFirstFrame) {
        return JdbcResultSet.create(connectionId, statementId, rs, maxRowsInFirstFrame);
    }
}

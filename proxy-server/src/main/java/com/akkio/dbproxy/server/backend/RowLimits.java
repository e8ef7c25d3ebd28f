package com.akkio.dbproxy.server.backend;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.calcite.avatica.Meta.StatementHandle;

/**
 * Row limits ({@code Statement.setMaxRows}) a backend's driver does not apply itself: DuckDB's accepts the call and
 * ignores it, so a client asking for 7 rows got 1,000. For each statement whose limit the driver did not take, the
 * rows its current result may still send; {@link ResultFrames} stops there and ends the result.
 */
final class RowLimits {
    /** Per connection id, per statement id: rows left. Per connection, so closing one forgets its statements. */
    private final Map<String, Map<Integer, Long>> left = new ConcurrentHashMap<>();

    /** After an execution with {@code maxRowCount} (0 or less: none): keeps the limit if the driver did not. */
    void executed(StatementHandle h, Statement statement, long maxRowCount) throws SQLException {
        if (maxRowCount > 0 && statement.getLargeMaxRows() != maxRowCount) {
            left.computeIfAbsent(h.connectionId, id -> new ConcurrentHashMap<>()).put(h.id, maxRowCount);
        } else {
            forget(h);
        }
    }

    /** Rows the statement's current result may still send. */
    long left(StatementHandle h) {
        Map<Integer, Long> statements = left.get(h.connectionId);
        Long n = statements == null ? null : statements.get(h.id);
        return n == null ? Long.MAX_VALUE : n;
    }

    /** Counts {@code rows} sent from the statement's current result. */
    void sent(StatementHandle h, int rows) {
        Map<Integer, Long> statements = left.get(h.connectionId);
        if (statements != null) {
            statements.computeIfPresent(h.id, (id, n) -> n - rows);
        }
    }

    void forget(StatementHandle h) {
        Map<Integer, Long> statements = left.get(h.connectionId);
        if (statements != null) {
            statements.remove(h.id);
        }
    }

    void forgetConnection(String connectionId) {
        left.remove(connectionId);
    }
}

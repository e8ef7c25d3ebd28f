package com.akkio.dbproxy.server.governed;

import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.Meta.ExecuteResult;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.Meta.MetaResultSet;

/** What the core adjusts in the backend's answers before a front end sees them, and counts for the audit log. */
final class Results {
    private Results() {
    }

    /**
     * DDL such as CREATE TABLE AS reports neither rows nor an update count (-1) in DuckDB's driver, which Avatica's
     * service would mistake for a result set without a signature: report it as 0 rows changed.
     */
    static ExecuteResult countless(ExecuteResult result) {
        List<MetaResultSet> fixed = null;
        for (int i = 0; i < result.resultSets.size(); i++) {
            MetaResultSet rs = result.resultSets.get(i);
            if (rs.signature == null && rs.updateCount < 0) {
                if (fixed == null) {
                    fixed = new ArrayList<>(result.resultSets);
                }
                fixed.set(i, MetaResultSet.count(rs.connectionId, rs.statementId, 0));
            }
        }
        return fixed == null ? result : new ExecuteResult(fixed);
    }

    /**
     * The rows a write reported as a result rather than an update count (databricks-jdbc answers a statement that
     * begins with WITH with a result set, even a {@code WITH … INSERT}): its one row's {@code num_affected_rows}, or
     * -1 when the result is not that (the write's count is then unknown).
     */
    static long affectedRows(MetaResultSet rs) {
        if (rs.signature == null || rs.firstFrame == null || !rs.firstFrame.done) {
            return -1;
        }
        int column = -1;
        for (int i = 0; i < rs.signature.columns.size(); i++) {
            if ("num_affected_rows".equalsIgnoreCase(rs.signature.columns.get(i).label)) {
                column = i;
            }
        }
        java.util.Iterator<Object> rows = rs.firstFrame.rows.iterator();
        Object row = rows.hasNext() ? rows.next() : null;
        if (column < 0 || row == null || rows.hasNext()) {
            return -1;
        }
        Object value = row instanceof Object[] a ? a[column] : row instanceof List<?> l ? l.get(column) : null;
        return value instanceof Number n ? n.longValue() : -1;
    }

    static long count(Frame frame) {
        if (frame.rows instanceof java.util.Collection<?> c) {
            return c.size();
        }
        long n = 0;
        for (Object ignored : frame.rows) {
            n++;
        }
        return n;
    }

    /** The signature the client sees names its own SQL text, not the physical rewrite. */
    static Meta.Signature withSql(Meta.Signature sig, String sql) {
        if (sig == null) {
            return null;
        }
        return new Meta.Signature(sig.columns, sql, sig.parameters, sig.internalParameters, sig.cursorFactory,
                sig.statementType);
    }
}

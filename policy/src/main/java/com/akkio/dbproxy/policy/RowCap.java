package com.akkio.dbproxy.policy;

import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.Values;

/** Caps the rows a query returns at the tenant's {@code max_rows}, editing the statement where it can. */
final class RowCap {
    /** What {@link #apply} did. */
    enum Outcome {
        /** The query already returns at most the cap. */
        WITHIN,
        /** A LIMIT was added or lowered in place. */
        CAPPED,
        /** The row count is not a literal (a parameter, an expression, TOP) or the query is a set operation. */
        WRAP
    }

    static final String WRAP_ALIAS = "akkio_capped";

    private RowCap() {
    }

    static Outcome apply(Select query, long maxRows) {
        if (query instanceof Values) {
            return Outcome.WITHIN; // its rows are written out in the statement
        }
        if (query instanceof SetOperationList || query instanceof PlainSelect ps && ps.getTop() != null) {
            // JSqlParser attaches a trailing LIMIT to the last branch of a set operation, the backend to the whole
            return Outcome.WRAP;
        }
        Fetch fetch = query.getFetch();
        if (fetch != null) {
            if (fetch.getExpression() instanceof LongValue rows) {
                if (rows.getValue() <= maxRows) {
                    return Outcome.WITHIN;
                }
                fetch.setExpression(new LongValue(maxRows));
                return Outcome.CAPPED;
            }
            return Outcome.WRAP;
        }
        Limit limit = query.getLimit();
        if (limit == null) {
            query.setLimit(new Limit().withRowCount(new LongValue(maxRows)));
            return Outcome.CAPPED;
        }
        if (limit.getRowCount() == null || limit.isLimitAll() || limit.isLimitNull()) {
            limit.setLimitAll(false);
            limit.setLimitNull(false);
            limit.setRowCount(new LongValue(maxRows));
            return Outcome.CAPPED;
        }
        if (limit.getRowCount() instanceof LongValue rows) {
            if (rows.getValue() <= maxRows) {
                return Outcome.WITHIN;
            }
            limit.setRowCount(new LongValue(maxRows));
            return Outcome.CAPPED;
        }
        return Outcome.WRAP;
    }

    static String wrap(String query, long maxRows) {
        return "SELECT * FROM (" + query + ") AS " + WRAP_ALIAS + " LIMIT " + maxRows;
    }
}

package com.akkio.dbproxy.policy;

import java.util.List;

import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.HexValue;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Concat;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
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
        /**
         * The row count is not a literal (a parameter, an expression, TOP), or the query is a set operation whose
         * text does not end in its own {@code LIMIT n} within the cap ({@link #limitedAsWritten}).
         */
        WRAP
    }

    static final String WRAP_ALIAS = "akkio_capped";

    private RowCap() {
    }

    /**
     * Caps {@code query}, read from {@code tokens} (the parser's tokens of the text it was read from: a set operation
     * is within the cap only by the LIMIT its text ends in, {@link #limitedAsWritten}).
     */
    static Outcome apply(Select query, List<Token> tokens, long maxRows) {
        if (query instanceof SetOperationList set) {
            // JSqlParser attaches a trailing LIMIT to the last branch of a set operation, the backend to the whole
            return limitedAsWritten(set, tokens, maxRows) ? Outcome.WITHIN : Outcome.WRAP;
        }
        return apply(query, maxRows);
    }

    /**
     * A set operation returns at most the cap when its text ends in {@code LIMIT n}, n a plain number within the
     * cap: after the statement's last token every bracket is closed, and DuckDB's grammar and Spark's apply a LIMIT
     * there to the whole set operation (their set operations take no LIMIT per branch but inside brackets). JSqlParser
     * must read that LIMIT as a clause too, as the last one of the set operation or of its last branch (where it
     * attaches a trailing LIMIT without ORDER BY), with no OFFSET or FETCH beside it, so that its deparse ends in
     * those two tokens as well. Why the text sent ends in them too: SECURITY.md.
     */
    static boolean limitedAsWritten(SetOperationList set, List<Token> tokens, long maxRows) {
        int end = tokens == null ? 0 : RewriteProof.statementEnd(tokens);
        if (end < 2 || tokens.get(end - 2).kind != CCJSqlParserConstants.K_LIMIT) {
            return false;
        }
        Token count = tokens.get(end - 1);
        if (count.kind != CCJSqlParserConstants.S_LONG || count.image.length() > 18
                || !count.image.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        long rowCount = Long.parseLong(count.image);
        if (rowCount > maxRows) {
            return false;
        }
        Select owner = set;
        if (set.getLimit() == null) {
            List<Select> branches = set.getSelects();
            owner = branches.get(branches.size() - 1);
            if (!(owner instanceof PlainSelect)) {
                return false;
            }
        }
        Limit limit = owner.getLimit();
        return limit != null && owner.getOffset() == null && owner.getFetch() == null && limit.getOffset() == null
                && !limit.isLimitAll() && !limit.isLimitNull() && limit.getByExpressions() == null
                && limit.getRowCount() instanceof LongValue rows && rows.getValue() == rowCount;
    }

    /** Caps a query that is not a set operation ({@link #apply(Select, List, long)} for any). */
    private static Outcome apply(Select query, long maxRows) {
        if (query instanceof Values) {
            return Outcome.WITHIN; // its rows are written out in the statement
        }
        if (query instanceof PlainSelect ps && isOneRowOfConstants(ps)) {
            // SELECT 1, the validation query of every pool and BI tool: a LIMIT would only cost the backend work
            return Outcome.WITHIN;
        }
        if (query instanceof PlainSelect ps && ps.getTop() != null) {
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

    /**
     * A SELECT without FROM, GROUP BY or window whose items are literals, casts and arithmetic of literals returns
     * exactly one row. Anything else (a function call could be set-returning: {@code SELECT unnest(range(1000000))},
     * a subquery, a parameter) is capped: this test only accepts what it can prove.
     */
    static boolean isOneRowOfConstants(PlainSelect ps) {
        if (ps.getFromItem() != null || (ps.getJoins() != null && !ps.getJoins().isEmpty()) || ps.getGroupBy() != null
                || ps.getWindowDefinitions() != null || ps.getSelectItems() == null) {
            return false;
        }
        for (SelectItem<?> item : ps.getSelectItems()) {
            if (!isConstant(item.getExpression())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isConstant(Expression e) {
        if (e instanceof LongValue || e instanceof DoubleValue || e instanceof StringValue || e instanceof NullValue
                || e instanceof BooleanValue || e instanceof HexValue || e instanceof DateTimeLiteralExpression) {
            return true;
        }
        if (e instanceof SignedExpression signed) {
            return isConstant(signed.getExpression());
        }
        if (e instanceof CastExpression cast) {
            return isConstant(cast.getLeftExpression());
        }
        if (e instanceof Parenthesis p) {
            return isConstant(p.getExpression());
        }
        if (e instanceof ParenthesedExpressionList<?> list) {
            return list.size() == 1 && isConstant(list.get(0));
        }
        if (e instanceof Addition || e instanceof Subtraction || e instanceof Multiplication
                || e instanceof Division || e instanceof Concat) {
            BinaryExpression binary = (BinaryExpression) e;
            return isConstant(binary.getLeftExpression()) && isConstant(binary.getRightExpression());
        }
        return false;
    }

    static String wrap(String query, long maxRows) {
        return "SELECT * FROM (" + query + ") AS " + WRAP_ALIAS + " LIMIT " + maxRows;
    }
}

package com.akkio.dbproxy.policy;

import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.merge.MergeInsert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.upsert.Upsert;

/**
 * Bounds the rows one write statement adds ({@code max_write_rows}) without ever truncating a write silently: the
 * rows a statement writes are written in the statement ({@code VALUES}: counted here, and a statement over the limit
 * is denied), or come from a query, which is rewritten to fail in the backend as soon as it produces row
 * {@code max + 1}:
 *
 * <pre>
 * SELECT * FROM (SELECT * FROM (query) AS akkio_write_source LIMIT max + 1) AS akkio_write_capped
 * QUALIFY CASE WHEN row_number() OVER () &gt; max THEN error('WRITE_ROWS_EXCEEDED: …') ELSE TRUE END
 * </pre>
 *
 * <p><b>Databricks SQL</b> ({@link #applyToText}): its rewrite sends the tenant's own text with the names replaced
 * ({@code DatabricksRewrite}), and the wrapper is put around the query's text where the parser read it. Spark numbers
 * rows only in an ordered window ({@code row_number()} without ORDER BY fails analysis), so the condition counts
 * instead: {@code QUALIFY CASE WHEN count(*) OVER () > max THEN raise_error('WRITE_ROWS_EXCEEDED: …') ELSE TRUE END}
 * (QUALIFY and {@code raise_error} are Databricks SQL's; the window holds at most {@code max + 1} rows, which the
 * inner {@code LIMIT} lets through). The verification parses the rewrite again and requires exactly this wrapper.
 *
 * <p>The error fails the statement, and a failed statement writes nothing (DuckDB and Delta tables are atomic per
 * statement; in a client's transaction the transaction is aborted, as PostgreSQL does). Both engines number the rows
 * as they stream ({@code row_number() OVER ()} without partition or order keeps the rows' order and holds none of
 * them), and the inner {@code LIMIT} stops the query at row {@code max + 1} whatever the plan. The error function is
 * the dialect's ({@code error} in DuckDB, {@code raise_error} in Databricks SQL), and its message begins with
 * {@link #MARKER}, by which the proxy tells the client {@code WRITE_ROWS_EXCEEDED} rather than a backend error.
 */
final class WriteCap {
    /** How the backend's error message for a write over the limit begins. */
    static final String MARKER = "WRITE_ROWS_EXCEEDED: ";
    /** How the rest of that message ends, so that what the backend appends is left out. */
    static final String MESSAGE_END = "nothing was written";
    static final String SOURCE_ALIAS = "akkio_write_source";
    static final String CAPPED_ALIAS = "akkio_write_capped";

    private WriteCap() {
    }

    /**
     * Applies the tenant's {@code max_write_rows} to a write: denies a {@code VALUES} list longer than the limit,
     * wraps a query source as the class comment shows. Statements that add no rows from a query (UPDATE, DELETE,
     * DROP, CREATE TABLE with columns, a view) and a one-row SELECT of constants are left alone.
     *
     * @return true when the statement was rewritten
     */
    static boolean apply(Statement statement, TenantPolicy policy) {
        if (statement instanceof Merge merge) {
            return capMergeSource(merge, policy);
        }
        Select source = source(statement);
        if (source == null || countValues(statement, policy)) {
            return false;
        }
        long max = policy.maxWriteRows();
        if (source instanceof PlainSelect ps && RowCap.isOneRowOfConstants(ps)) {
            return false;
        }
        Select capped = wrap(source, max, policy);
        if (statement instanceof Insert insert) {
            insert.setSelect(capped);
        } else if (statement instanceof Upsert upsert) {
            upsert.setSelect(capped);
        } else {
            CreateTable ct = (CreateTable) statement;
            ct.setSelect(capped, false);
        }
        return true;
    }

    /**
     * A MERGE that can insert ({@code WHEN NOT MATCHED THEN INSERT}) adds at most one row per row of its source: the
     * source is wrapped, a table as {@code (SELECT * FROM table)} under its alias. The cap counts the source's rows,
     * so a MERGE whose source holds more than {@code max_write_rows} fails even where most of them would update.
     */
    private static boolean capMergeSource(Merge merge, TenantPolicy policy) {
        if (!inserts(merge)) {
            return false;
        }
        long max = policy.maxWriteRows();
        FromItem from = merge.getFromItem();
        if (from instanceof ParenthesedSelect ps) {
            ps.setSelect(wrap(ps.getSelect(), max, policy));
        } else {
            Table table = mergeSourceTable(merge);
            Alias alias = table.getAlias();
            table.setAlias(null);
            PlainSelect all = new PlainSelect().addSelectItem(new AllColumns()).withFromItem(table);
            merge.setFromItem(new ParenthesedSelect().withSelect(wrap(all, max, policy)).withAlias(alias));
        }
        return true;
    }

    /** A MERGE's source table, which needs an alias for the wrapper to stand in its place; else denied. */
    private static Table mergeSourceTable(Merge merge) {
        if (!(merge.getFromItem() instanceof Table table) || table.getAlias() == null) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the write cap (max_write_rows) wraps a MERGE's source"
                    + " in a subquery: give its source table an alias (USING orders AS s) or make it a subquery");
        }
        return table;
    }

    /** Whether a MERGE can add rows: it has a WHEN NOT MATCHED … THEN INSERT. */
    private static boolean inserts(Merge merge) {
        if (merge.getMergeInsert() != null) {
            return true;
        }
        return merge.getOperations() != null && merge.getOperations().stream().anyMatch(o -> o instanceof MergeInsert);
    }

    /**
     * Denies a write whose {@code VALUES} list is longer than {@code max_write_rows}.
     *
     * @return true when the statement's rows are a VALUES list (within the limit), so there is nothing to wrap
     */
    static boolean countValues(Statement statement, TenantPolicy policy) {
        if (!(source(statement) instanceof Values values)) {
            return false;
        }
        long max = policy.maxWriteRows();
        int rows = values.getExpressions() == null ? 0 : values.getExpressions().size();
        if (rows > max) {
            throw new Denial(DenyCode.WRITE_ROWS_EXCEEDED, "the statement writes " + rows + " rows, over tenant '"
                    + policy.tenant() + "''s limit of " + max + " rows per statement (rule: max_write_rows)");
        }
        return true;
    }

    /**
     * True when a rewritten statement adds at most {@code max_write_rows} rows: its source is written out within the
     * limit, is one row of constants, or is wrapped as {@link #apply} wraps it, with this policy's limit.
     */
    static boolean holds(Statement statement, TenantPolicy policy) {
        if (statement instanceof Merge merge) {
            return !inserts(merge) || merge.getFromItem() instanceof ParenthesedSelect ps
                    && ps.getSelect() instanceof PlainSelect outer && wrapped(outer, policy);
        }
        Select source = source(statement);
        long max = policy.maxWriteRows();
        if (source == null) {
            return true;
        }
        if (source instanceof Values values) {
            return values.getExpressions() == null || values.getExpressions().size() <= max;
        }
        return source instanceof PlainSelect outer && (RowCap.isOneRowOfConstants(outer) || wrapped(outer, policy));
    }

    /** True when {@code outer} is the wrapper {@link #apply} makes, with this policy's limit. */
    private static boolean wrapped(PlainSelect outer, TenantPolicy policy) {
        long max = policy.maxWriteRows();
        if (!selectsAll(outer) || !(outer.getFromItem() instanceof ParenthesedSelect from) || from.getAlias() == null
                || !CAPPED_ALIAS.equals(from.getAlias().getName()) || !(from.getSelect() instanceof PlainSelect inner)
                || outer.getJoins() != null && !outer.getJoins().isEmpty() || outer.getWhere() != null
                || outer.getGroupBy() != null || outer.getLimit() != null || outer.getFetch() != null) {
            return false;
        }
        Limit limit = inner.getLimit();
        return selectsAll(inner) && limit != null && limit.getOffset() == null && limit.getRowCount() instanceof LongValue rows
                && rows.getValue() == max + 1 && inner.getFetch() == null
                && outer.getQualify() != null && outer.getQualify().toString().equals(check(max, policy).toString());
    }

    /**
     * The Databricks form of {@link #apply}: counts a VALUES list, or puts the wrapper around the text of the query
     * the rows come from, in {@code rewrite} (the tenant's own text, its names already replaced).
     *
     * @throws Denial when the query cannot be found in the text
     */
    static void applyToText(Statement statement, DatabricksRewrite rewrite, TenantPolicy policy) {
        if (statement instanceof Merge merge) {
            if (!inserts(merge)) {
                return;
            }
            if (merge.getFromItem() instanceof ParenthesedSelect ps) {
                rewrite.wrapInside(ps, TEXT_BEFORE, textAfter(policy));
            } else {
                rewrite.wrapName(mergeSourceTable(merge), "(" + TEXT_BEFORE + "SELECT * FROM ",
                        textAfter(policy) + ")");
            }
            return;
        }
        Select source = source(statement);
        if (source == null || countValues(statement, policy)
                || source instanceof PlainSelect ps && RowCap.isOneRowOfConstants(ps)) {
            return;
        }
        rewrite.wrap(source, TEXT_BEFORE, textAfter(policy));
    }

    /** What {@link #applyToText} puts in front of a write's query. */
    static final String TEXT_BEFORE = "SELECT * FROM (SELECT * FROM (";

    /** What {@link #applyToText} puts behind a write's query (at the end of the statement). */
    static String textAfter(TenantPolicy policy) {
        long max = policy.maxWriteRows();
        return ") AS " + SOURCE_ALIAS + " LIMIT " + (max + 1) + ") AS " + CAPPED_ALIAS + " QUALIFY " + check(max, policy);
    }

    /**
     * The reason to give a client whose write the backend failed at the write cap, from the backend's message, or
     * null. The marker counts only where the backend raised it: not inside a quoted literal, as in the statement's
     * own text that a parse or analysis error may quote back ({@code raise_error('WRITE_ROWS_EXCEEDED: …')}).
     */
    static String reason(String backendMessage) {
        if (backendMessage == null) {
            return null;
        }
        for (int at = backendMessage.indexOf(MARKER); at >= 0; at = backendMessage.indexOf(MARKER, at + 1)) {
            if (at > 0 && backendMessage.charAt(at - 1) == '\'') {
                continue;
            }
            String rest = backendMessage.substring(at + MARKER.length());
            int end = rest.indexOf(MESSAGE_END);
            return end < 0 ? null : rest.substring(0, end + MESSAGE_END.length());
        }
        return null;
    }

    /** The rows a write statement adds come from this, or null for a statement that adds none from a source. */
    private static Select source(Statement statement) {
        if (statement instanceof Insert insert) {
            return insert.getSelect();
        }
        if (statement instanceof Upsert upsert) {
            return upsert.getSelect();
        }
        if (statement instanceof CreateTable ct) {
            return ct.getSelect();
        }
        return null;
    }

    private static Select wrap(Select source, long max, TenantPolicy policy) {
        PlainSelect inner = new PlainSelect()
                .addSelectItem(new AllColumns())
                .withFromItem(new ParenthesedSelect().withSelect(source).withAlias(new Alias(SOURCE_ALIAS, true)));
        inner.setLimit(new Limit().withRowCount(new LongValue(max + 1)));
        PlainSelect outer = new PlainSelect()
                .addSelectItem(new AllColumns())
                .withFromItem(new ParenthesedSelect().withSelect(inner).withAlias(new Alias(CAPPED_ALIAS, true)));
        outer.setQualify(check(max, policy));
        return outer;
    }

    /**
     * The QUALIFY condition that fails the statement past row {@code max}, in the tenant's dialect: DuckDB numbers the
     * rows as they stream, Databricks SQL counts them (Spark has no unordered {@code row_number()}).
     */
    private static Expression check(long max, TenantPolicy policy) {
        boolean databricks = policy.dialect() == Dialect.DATABRICKS;
        String raise = databricks ? "raise_error" : "error";
        String rows = databricks ? "count(*)" : "row_number()";
        String message = MARKER + "the statement would write more than " + max + " rows (rule: max_write_rows);"
                + " " + MESSAGE_END;
        try {
            return SqlParser.parseExpression("CASE WHEN " + rows + " OVER () > " + max + " THEN " + raise + "('"
                    + message + "') ELSE TRUE END", policy.dialect());
        } catch (SqlParser.SyntaxError e) {
            throw new IllegalStateException("the write cap's own condition does not parse", e);
        }
    }

    /** The wrapper's select items are exactly {@code *}: it passes the source's columns on unchanged. */
    private static boolean selectsAll(PlainSelect ps) {
        return ps.getSelectItems() != null && ps.getSelectItems().size() == 1
                && ps.getSelectItems().get(0).getExpression() instanceof AllColumns;
    }
}

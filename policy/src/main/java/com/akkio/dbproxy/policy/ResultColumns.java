package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Where the columns of a query's result come from, when that is plain: a SELECT from one table, without joins, whose
 * items are that table's columns as they are (renamed or not) or all of them ({@code *}). JDBC's ResultSetMetaData
 * names a column's table, schema and nullability, which the backends' drivers do not report for a result (DuckDB's
 * has none); this says which result columns are a table's columns, and nothing for anything else (an expression, a
 * join, a set operation), so that nothing is claimed that may be wrong. Pure: text in, names out.
 */
public final class ResultColumns {
    private final QualifiedName table;
    /** Per select item, the table's column it is; null for a computed one; empty for {@code *} (by result label). */
    private final List<Optional<String>> items;

    private ResultColumns(QualifiedName table, List<Optional<String>> items) {
        this.table = table;
        this.items = items;
    }

    /** The one table the result's plain columns come from (the names as the text gives them: qualified, physical). */
    public QualifiedName table() {
        return table;
    }

    /**
     * The table's column that result column {@code index} (0-based, of {@code count}) with label {@code label} is,
     * or null when it is computed or cannot be told.
     */
    public String columnOf(int index, int count, String label) {
        if (items.size() == 1 && items.get(0) != null && items.get(0).isEmpty()) {
            return label; // SELECT *: every result column is the table's column of that name
        }
        if (items.size() != count || index >= items.size() || items.get(index) == null) {
            return null;
        }
        return items.get(index).orElse(null);
    }

    /** The sources of {@code sql}'s result, when it is a plain one-table SELECT with fully qualified table name. */
    public static Optional<ResultColumns> of(String sql, Dialect dialect) {
        List<Statement> statements;
        try {
            statements = SqlParser.parse(sql, dialect).statements();
        } catch (SqlParser.SyntaxError | RuntimeException e) {
            return Optional.empty();
        }
        return statements.size() == 1 ? of(statements.get(0)) : Optional.empty();
    }

    /** The sources of {@code statement}'s result, as {@link #of(String, Dialect)} tells them of its text. */
    static Optional<ResultColumns> of(Statement statement) {
        if (!(statement instanceof PlainSelect select) || !(select.getFromItem() instanceof Table from)
                || (select.getJoins() != null && !select.getJoins().isEmpty()) || from.getSchemaName() == null
                || from.getDatabaseName() == null || select.getSelectItems() == null) {
            return Optional.empty();
        }
        String alias = from.getAlias() == null ? null : unquote(from.getAlias().getName());
        List<Optional<String>> items = new ArrayList<>();
        for (SelectItem<?> item : select.getSelectItems()) {
            Expression e = item.getExpression();
            if (e instanceof AllColumns && !(e instanceof AllTableColumns) && select.getSelectItems().size() == 1) {
                items.add(Optional.empty());
            } else if (e instanceof Column c && ownColumn(c, from, alias)) {
                items.add(Optional.of(unquote(c.getColumnName())));
            } else if (e instanceof AllColumns) {
                return Optional.empty(); // a star among other items: which result column is which is not plain
            } else {
                items.add(null);
            }
        }
        return Optional.of(new ResultColumns(new QualifiedName(unquote(from.getDatabaseName()),
                unquote(from.getSchemaName()), unquote(from.getName())), items));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResultColumns r && table.equals(r.table) && items.equals(r.items);
    }

    @Override
    public int hashCode() {
        return 31 * table.hashCode() + items.hashCode();
    }

    @Override
    public String toString() {
        return table + " " + items;
    }

    /** A column of the FROM table: unqualified, or qualified with its alias or its name. */
    private static boolean ownColumn(Column c, Table from, String alias) {
        Table t = c.getTable();
        if (t == null || t.getName() == null) {
            return true;
        }
        String qualifier = unquote(t.getName());
        return t.getSchemaName() == null && (qualifier.equals(alias) || alias == null
                && qualifier.equals(unquote(from.getName())));
    }

    private static String unquote(String name) {
        if (name == null) {
            return null;
        }
        String n = name.length() > 1 && (name.startsWith("\"") && name.endsWith("\"")
                || name.startsWith("`") && name.endsWith("`")) ? name.substring(1, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }
}

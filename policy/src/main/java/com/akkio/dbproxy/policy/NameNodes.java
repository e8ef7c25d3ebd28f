package com.akkio.dbproxy.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;

/**
 * The column and table nodes JSqlParser's constructors build from a list of names, built without what those
 * constructors do to each single name: read a system property and match the name against a regular expression, to
 * split a quoted name at its dots. A name without a dot is stored as it is either way, and that is all this class
 * builds; a name with a dot, and a JSqlParser whose private fields are not the ones looked up here, take JSqlParser's
 * own constructors. Why: {@link FastSelect} builds one node per name of every first-time statement, and in the server
 * that statement follows the backend's work, which has left the processor's caches without the regular expression's
 * code and data ({@code PolicyBuildComparison -Dakkio.between=duckdb}). {@code FastSelectTest} holds the trees to the
 * grammar's, field by field.
 */
final class NameNodes {
    private static final VarHandle COLUMN_NAME = field(Column.class, "columnName", String.class);
    private static final VarHandle TABLE_PARTS = field(Table.class, "partItems", List.class);

    private NameNodes() {
    }

    private static VarHandle field(Class<?> owner, String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another JSqlParser, or no access: its constructors
        }
    }

    /** As {@code new Table(names)}. */
    static Table table(List<String> names) {
        if (names.size() != 1 || TABLE_PARTS == null || names.get(0).indexOf('.') >= 0) {
            return new Table(names);
        }
        Table table = new Table();
        @SuppressWarnings("unchecked")
        List<String> parts = (List<String>) TABLE_PARTS.get(table);
        parts.add(names.get(0));
        return table;
    }

    /** As {@code new Column(names, dots)}, with one dot fewer than names. */
    static Column column(List<String> names, List<String> dots) {
        int n = names.size();
        String name = names.get(n - 1);
        if (COLUMN_NAME == null || name.indexOf('.') >= 0 || n == 2 && names.get(0).indexOf('.') >= 0
                || n > 1 && TABLE_PARTS == null) {
            return new Column(names, dots);
        }
        Column column = new Column();
        if (n > 1) {
            column.setTable(n == 2 ? table(names.subList(0, 1))
                    : new Table(names.subList(0, n - 1), dots.subList(0, dots.size() - 1)));
        }
        COLUMN_NAME.set(column, name);
        column.setTableDelimiter(dots.isEmpty() ? "." : dots.get(dots.size() - 1));
        return column;
    }
}

package com.akkio.dbproxy.policy;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * View semantics for filtered and masked tables ({@link RowPolicies}): every reference a statement makes to such a
 * table becomes its view, a derived table under the reference's alias (or the table's name), so every clause of the
 * statement sees only the filter's rows and the masks' values. DuckDB: the reference is replaced in the tree;
 * Databricks: the view's text goes where the name was written ({@link ObjectAnalyzer#rewriteText}).
 *
 * <p>Refused (fail closed): writing such a table, a view or DESCRIBE/EXPLAIN over one (a stored view would keep the
 * policy's text past a reload; a plan shows the filter and the salt), a reference that carries more than a name and
 * an alias (time travel, sampling, PIVOT, hints), and a reference where a derived table cannot stand.
 * {@link #verify} then proves, on the rewritten text parsed again, that every reference to such a table is the
 * inside of exactly its view.
 */
final class GovernedViews {
    private final TenantPolicy policy;
    /** Each governed reference of the statement, and its view. */
    private final Map<Table, RowPolicies.View> references = new IdentityHashMap<>();

    private GovernedViews(TenantPolicy policy) {
        this.policy = policy;
    }

    /**
     * The views a checked statement needs, or null when it touches no filtered or masked table.
     *
     * @throws Denial when it uses one in a way views cannot govern
     */
    static GovernedViews plan(TenantPolicy policy, Statement statement, StatementKind kind, ObjectAnalyzer analyzer,
                              DatabricksSyntax.Normalised text) {
        RowPolicies rules = policy.rowPolicies();
        if (rules.isEmpty()) {
            return null;
        }
        for (QualifiedName written : analyzer.writes()) {
            if (rules.governs(written)) {
                throw new Denial(DenyCode.FILTER_OR_MASK, policy.logicalName(written) + " has a row filter or"
                        + " column masks and cannot be written through the proxy (rule: row_filters, masks)");
            }
        }
        GovernedViews views = new GovernedViews(policy);
        TableColumns columns = policy.tableColumns();
        for (Map.Entry<Table, QualifiedName> read : analyzer.tablesRead().entrySet()) {
            QualifiedName name = read.getValue();
            if (!rules.governs(name)) {
                continue;
            }
            if (kind == StatementKind.DESCRIBE || statement instanceof CreateView || statement instanceof AlterView) {
                throw new Denial(DenyCode.FILTER_OR_MASK, (kind == StatementKind.DESCRIBE ? "DESCRIBE and EXPLAIN"
                        : "a view") + " of " + policy.logicalName(name) + ", which has a row filter or column masks,"
                        + " is not allowed: " + (kind == StatementKind.DESCRIBE ? "a plan shows the filter and masks"
                        : "a stored view would keep today's filter and masks") + " (rule: row_filters, masks)");
            }
            Table table = read.getKey();
            if (table.getTimeTravel() != null || table.getTimeTravelStrAfterAlias() != null
                    || table.getSampleClause() != null || table.getPivot() != null || table.getUnPivot() != null
                    || table.getIndexHint() != null || table.getSqlServerHints() != null) {
                throw new Denial(DenyCode.FILTER_OR_MASK, policy.logicalName(name) + " has a row filter or column"
                        + " masks: it may carry an alias only (no time travel, TABLESAMPLE, PIVOT or hints), so that"
                        + " every reference reads its view (rule: row_filters, masks)");
            }
            views.references.put(table, rules.view(policy, name, columns.columns(name)));
        }
        if (!views.references.isEmpty() && text != null && sampled(text)) {
            // the analysis text blanks Databricks' TABLESAMPLE, so the tree cannot tell which table it samples
            throw new Denial(DenyCode.FILTER_OR_MASK, "TABLESAMPLE in a statement that reads a table with a row filter"
                    + " or column masks is not allowed (rule: row_filters, masks)");
        }
        return views.references.isEmpty() ? null : views;
    }

    private static boolean sampled(DatabricksSyntax.Normalised text) {
        for (DatabricksSyntax.Edit e : text.edits()) {
            if (text.original().regionMatches(true, e.start(), "TABLESAMPLE", 0, "TABLESAMPLE".length())) {
                return true;
            }
        }
        return false;
    }

    /** The alias a reference's view goes by: the reference's own, else the table's name. */
    private String alias(Table table, RowPolicies.View view) {
        return table.getAlias() != null ? null : policy.dialect().quote(view.table().table());
    }

    /**
     * The text that replaces the name of a governed reference in the tenant's Databricks text, or null for another
     * reference. The reference's own alias, if any, follows the name in the text and stays.
     */
    String textFor(Table table) {
        RowPolicies.View view = references.get(table);
        if (view == null) {
            return null;
        }
        String alias = alias(table, view);
        return "(" + view.select() + ")" + (alias == null ? "" : " AS " + alias);
    }

    /** DuckDB: replaces every governed reference in the tree by its view. */
    void replaceIn(Statement statement) {
        Map<Object, Object> replacements = new IdentityHashMap<>();
        for (Map.Entry<Table, RowPolicies.View> e : references.entrySet()) {
            Table table = e.getKey();
            Select select;
            try {
                select = (Select) SqlParser.parse(e.getValue().select(), policy.dialect()).statements().get(0);
            } catch (SqlParser.SyntaxError ex) {
                throw new Denial(DenyCode.FILTER_OR_MASK, "the view of " + policy.logicalName(e.getValue().table())
                        + " does not parse");
            }
            ParenthesedSelect derived = new ParenthesedSelect();
            derived.setSelect(select);
            String alias = alias(table, e.getValue());
            derived.setAlias(alias == null ? table.getAlias() : new Alias(alias, true));
            replacements.put(table, derived);
        }
        Set<Object> unplaced = NodeSlots.replace(statement, replacements);
        if (!unplaced.isEmpty()) {
            Table table = (Table) unplaced.iterator().next();
            throw new Denial(DenyCode.FILTER_OR_MASK, policy.logicalName(references.get(table).table()) + " has a"
                    + " row filter or column masks and is used where its view cannot stand (rule: row_filters,"
                    + " masks)");
        }
    }

    /**
     * On the rewritten statement, parsed again and analysed by {@code check}: every read of a filtered or masked
     * table must be the one table of a derived table whose SELECT is exactly the table's view today (same columns,
     * masks and filter, as the parser deparses them). Anything else is denied.
     */
    static void verify(TenantPolicy policy, Statement statement, ObjectAnalyzer check) {
        RowPolicies rules = policy.rowPolicies();
        if (rules.isEmpty()) {
            return;
        }
        Map<Table, QualifiedName> governed = new IdentityHashMap<>();
        check.tablesRead().forEach((table, name) -> {
            if (rules.governs(name)) {
                governed.put(table, name);
            }
        });
        if (governed.isEmpty()) {
            return;
        }
        Set<Object> inViews = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        TableColumns columns = policy.tableColumns();
        NodeSlots.forEach(statement, node -> {
            if (node instanceof ParenthesedSelect derived && derived.getSelect() instanceof PlainSelect inner
                    && inner.getFromItem() instanceof Table table && governed.containsKey(table)
                    && (inner.getJoins() == null || inner.getJoins().isEmpty())) {
                QualifiedName name = governed.get(table);
                RowPolicies.View view = rules.view(policy, name, columns.columns(name));
                if (inner.toString().equals(view.canonical())) {
                    inViews.add(table);
                }
            }
        });
        for (Map.Entry<Table, QualifiedName> e : governed.entrySet()) {
            if (!inViews.contains(e.getKey())) {
                throw new Denial(DenyCode.FILTER_OR_MASK, "the rewritten statement reads "
                        + policy.logicalName(e.getValue()) + " outside its row filter and masks (rule: row_filters,"
                        + " masks)");
            }
        }
    }
}

package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;

/**
 * A tenant's row filters and column masks ({@code row_filters}, {@code masks}), and the view each filtered or masked
 * table is read through: {@code SELECT <each column, masked where a mask says> FROM <table> AS akkio_t WHERE
 * <filter>}. The proxy puts that view in place of every reference to the table ({@link GovernedViews}), so whatever
 * the statement does with the table, it sees only the filter's rows and the masks' values.
 *
 * <p>A filter and an expression mask are the policy's own SQL, in the tenant's dialect, over the table's unqualified
 * columns; {@code :tenant} in them is the tenant's name as a string literal (bound in the tree, never spliced into
 * text). Their columns are qualified with the view's own alias, so that none of them can bind to a column of the
 * client's statement. A view lists the table's columns as the backend's metadata gives them ({@link TableColumns}),
 * never as a client does; a view is built once per table and column list and kept.
 */
public final class RowPolicies {
    /** The alias of the table inside its view: every column of a filter or mask is qualified with it. */
    static final String INNER_ALIAS = "akkio_t";
    /** Salts go into the statement as a string literal: characters every dialect lexes alike, and enough of them. */
    private static final Pattern SALT = Pattern.compile("[A-Za-z0-9_+/=-]{16,256}");
    private static final Pattern BINDABLE_TENANT = Pattern.compile("[A-Za-z0-9_.-]+");
    static final RowPolicies NONE = new RowPolicies(Map.of(), null);

    /** The filter and masks of one physical table. */
    record Rule(QualifiedName table, String filter, Map<String, DataMask> masks) {
    }

    /** The view of one table over one list of its columns: its SELECT as sent, and as the parser deparses it. */
    record View(QualifiedName table, List<String> columns, String select, String canonical) {
    }

    private final Map<QualifiedName, Rule> rules;
    private final String salt;
    private final Map<QualifiedName, View> views = new ConcurrentHashMap<>();

    private RowPolicies(Map<QualifiedName, Rule> rules, String salt) {
        this.rules = rules;
        this.salt = salt;
    }

    /** True when the policy filters or masks nothing. */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The tables with a row filter or a mask. */
    public Set<QualifiedName> tables() {
        return rules.keySet();
    }

    boolean governs(QualifiedName table) {
        return rules.containsKey(table);
    }

    /**
     * What the filters and masks applied to a statement reading {@code reads} are, for its audit record and the
     * {@code check} command: {@code filter catalog.schema.table}, {@code mask catalog.schema.table.column kind}.
     * Never the salt, nor the filter's text.
     */
    public List<String> applied(Collection<QualifiedName> reads) {
        if (rules.isEmpty()) {
            return List.of(); // most tenants: asked for every statement's audit record
        }
        List<String> out = new ArrayList<>();
        for (QualifiedName read : new LinkedHashSet<>(reads)) {
            Rule rule = rules.get(read);
            if (rule == null) {
                continue;
            }
            if (rule.filter() != null) {
                out.add("filter " + read);
            }
            rule.masks().forEach((column, mask) -> out.add("mask " + read + "." + column + " " + mask.describe()));
        }
        return out;
    }

    /** {@code text} (a rewritten statement, a backend's message) with the tenant's salt replaced by a placeholder. */
    public String redact(String text) {
        return salt == null || text == null ? text : text.replace(salt, "<mask_salt>");
    }

    /** The columns of each table a filter or expression mask names, and the masked columns: what must exist. */
    public Map<QualifiedName, Set<String>> namedColumns(Dialect dialect) {
        Map<QualifiedName, Set<String>> out = new LinkedHashMap<>();
        for (Rule rule : rules.values()) {
            Set<String> names = new LinkedHashSet<>(rule.masks().keySet());
            if (rule.filter() != null) {
                names.addAll(columnsOf(parse(rule.filter(), dialect, "filter")));
            }
            for (DataMask mask : rule.masks().values()) {
                if (mask.kind() == DataMask.Kind.EXPRESSION) {
                    names.addAll(columnsOf(parse(mask.expressionText(), dialect, "mask expression")));
                }
            }
            out.put(rule.table(), names);
        }
        return out;
    }

    /**
     * The view of {@code table} over {@code columns} (the backend's, in order), checked under {@code policy} like any
     * statement the engine sends: only allowed functions, no other object.
     *
     * @throws Denial when the columns are unknown, a filter or mask names a column the table does not have, or the
     *                view does not pass the tenant's policy
     */
    View view(TenantPolicy policy, QualifiedName table, List<String> columns) {
        Rule rule = rules.get(table);
        if (columns == null || columns.isEmpty()) {
            throw new Denial(DenyCode.FILTER_OR_MASK, "the columns of " + policy.logicalName(table) + ", which has a"
                    + " row filter or column masks, cannot be read from the backend's metadata now; the statement is"
                    + " denied rather than run without them (rule: row_filters, masks)");
        }
        View known = views.get(table);
        if (known != null && known.columns().equals(columns)) {
            return known;
        }
        View built = build(policy, rule, List.copyOf(columns));
        views.put(table, built);
        return built;
    }

    private View build(TenantPolicy policy, Rule rule, List<String> columns) {
        Dialect dialect = policy.dialect();
        Map<String, String> byName = new LinkedHashMap<>();
        for (String c : columns) {
            byName.put(c.toLowerCase(Locale.ROOT), c);
        }
        for (String masked : rule.masks().keySet()) {
            if (!byName.containsKey(masked)) {
                throw missing(policy, rule, masked, "masks");
            }
        }
        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            String qualified = INNER_ALIAS + "." + dialect.quote(column);
            DataMask mask = rule.masks().get(column.toLowerCase(Locale.ROOT));
            String expression = mask == null ? qualified : mask.sql(qualified, dialect, salt,
                    mask.kind() == DataMask.Kind.EXPRESSION
                            ? qualify(policy, rule, mask.expressionText(), byName, "masks") : null);
            select.append(i == 0 ? "" : ", ").append(expression).append(" AS ").append(dialect.quote(column));
        }
        select.append(" FROM ").append(dialect.quote(rule.table())).append(" AS ").append(INNER_ALIAS);
        if (rule.filter() != null) {
            select.append(" WHERE ").append(qualify(policy, rule, rule.filter(), byName, "row_filters"));
        }
        String text = select.toString();
        Statement parsed;
        try {
            parsed = SqlParser.parse(text, dialect).statements().get(0);
        } catch (SqlParser.SyntaxError e) {
            throw new Denial(DenyCode.FILTER_OR_MASK, "the view of " + policy.logicalName(rule.table()) + " does not"
                    + " parse (" + e.getMessage() + ") (rule: row_filters, masks)");
        }
        ObjectAnalyzer check = new ObjectAnalyzer(policy, true);
        try {
            check.analyze(parsed);
        } catch (Denial d) {
            throw new Denial(DenyCode.FILTER_OR_MASK, "the row filter or masks of " + policy.logicalName(rule.table())
                    + " do not pass the tenant's own policy: " + d.getMessage());
        }
        if (!check.reads().equals(Set.of(rule.table())) || !check.writes().isEmpty()) {
            throw new Denial(DenyCode.FILTER_OR_MASK, "the row filter or masks of "
                    + policy.logicalName(rule.table()) + " may read no other object (rule: row_filters, masks)");
        }
        return new View(rule.table(), columns, text, parsed.toString());
    }

    private static Denial missing(TenantPolicy policy, Rule rule, String column, String key) {
        return new Denial(DenyCode.FILTER_OR_MASK, "the " + key + " of " + policy.logicalName(rule.table())
                + " name column " + column + ", which the table does not have (rule: " + key + ")");
    }

    /**
     * The policy's expression with each column qualified by the view's alias and quoted as the backend spells it,
     * and {@code :tenant} bound to the tenant's name: done in the parsed tree, then deparsed.
     */
    private String qualify(TenantPolicy policy, Rule rule, String text, Map<String, String> byName, String key) {
        Dialect dialect = policy.dialect();
        Expression expression = parse(text, dialect, key);
        Map<Object, Object> bound = new IdentityHashMap<>();
        NodeSlots.forEach(expression, node -> {
            if (node instanceof Column c && !isLiteralWord(c)) {
                String actual = byName.get(Identifiers.normalise(c.getColumnName()));
                if (actual == null) {
                    throw missing(policy, rule, c.getColumnName(), key);
                }
                c.setTable(new Table(INNER_ALIAS));
                c.setColumnName(dialect.quote(actual));
            } else if (node instanceof JdbcNamedParameter p) {
                bound.put(p, new StringValue(policy.tenant()));
            }
        });
        if (bound.containsKey(expression)) {
            return new StringValue(policy.tenant()).toString();
        }
        if (!NodeSlots.replace(expression, bound).isEmpty()) {
            throw new Denial(DenyCode.FILTER_OR_MASK, ":tenant cannot be used at that place in the " + key + " of "
                    + policy.logicalName(rule.table()));
        }
        return "(" + expression + ")";
    }

    private static boolean isLiteralWord(Column c) {
        String name = c.getColumnName() == null ? "" : c.getColumnName().toLowerCase(Locale.ROOT);
        return c.getTable() == null && (name.equals("true") || name.equals("false") || name.equals("null"));
    }

    private static Expression parse(String text, Dialect dialect, String key) {
        try {
            return SqlParser.parseExpression(text, dialect);
        } catch (SqlParser.SyntaxError e) {
            throw new IllegalArgumentException(key + " '" + RawText.abbreviate(text) + "' does not parse: "
                    + e.getMessage());
        }
    }

    private static Set<String> columnsOf(Expression expression) {
        Set<String> names = new LinkedHashSet<>();
        NodeSlots.forEach(expression, node -> {
            if (node instanceof Column c && !isLiteralWord(c)) {
                names.add(Identifiers.normalise(c.getColumnName()));
            }
        });
        return names;
    }

    /** Collects a policy's row filters and masks; {@link #build} validates them as far as no metadata is needed. */
    public static final class Builder {
        private final Map<QualifiedName, String> filters = new LinkedHashMap<>();
        private final Map<QualifiedName, Map<String, DataMask>> masks = new LinkedHashMap<>();
        private String salt;

        /** The row filter of a physical table: a boolean SQL expression over its unqualified columns. */
        public Builder filter(QualifiedName table, String filter) {
            Objects.requireNonNull(table, "table");
            if (Objects.requireNonNull(filter, "filter").isBlank()) {
                throw new IllegalArgumentException("the row filter of " + table + " is empty");
            }
            if (filters.putIfAbsent(table, filter) != null) {
                throw new IllegalArgumentException("table " + table + " has two row filters; combine them with AND");
            }
            return this;
        }

        /** The mask of one column of a physical table. */
        public Builder mask(QualifiedName table, String column, DataMask mask) {
            Objects.requireNonNull(table, "table");
            String name = Identifiers.normalise(Objects.requireNonNull(column, "column"));
            Objects.requireNonNull(mask, "mask");
            if (masks.computeIfAbsent(table, t -> new LinkedHashMap<>()).putIfAbsent(name, mask) != null) {
                throw new IllegalArgumentException("column " + table + "." + name + " has two masks");
            }
            return this;
        }

        /** The tenant's salt for {@code hash} masks: 16 to 256 letters, digits or {@code _+/=-}. */
        public Builder salt(String value) {
            this.salt = value;
            return this;
        }

        boolean isEmpty() {
            return filters.isEmpty() && masks.isEmpty();
        }

        /** Validates what needs no metadata: syntax, parameters, the salt; the rest when {@code policy} is built. */
        RowPolicies build(String tenant, Dialect dialect) {
            if (isEmpty()) {
                return NONE;
            }
            boolean hashes = masks.values().stream().flatMap(m -> m.values().stream())
                    .anyMatch(m -> m.kind() == DataMask.Kind.HASH);
            if (hashes && salt == null) {
                throw new IllegalArgumentException("mask_salt is required when a mask is hash");
            }
            if (salt != null && !SALT.matcher(salt).matches()) {
                // never echoed: the salt is a secret
                throw new IllegalArgumentException("mask_salt must be 16 to 256 letters, digits or _+/=- characters");
            }
            Map<QualifiedName, Rule> rules = new LinkedHashMap<>();
            Set<QualifiedName> tables = new LinkedHashSet<>(filters.keySet());
            tables.addAll(masks.keySet());
            for (QualifiedName table : tables) {
                String filter = filters.get(table);
                if (filter != null) {
                    checkParameters(parse(filter, dialect, "row_filters"), tenant, "row_filters");
                }
                Map<String, DataMask> columns = masks.getOrDefault(table, Map.of());
                for (DataMask mask : columns.values()) {
                    if (mask.kind() == DataMask.Kind.EXPRESSION) {
                        checkParameters(parse(mask.expressionText(), dialect, "masks"), tenant, "masks");
                    }
                }
                rules.put(table, new Rule(table, filter, Collections.unmodifiableMap(new LinkedHashMap<>(columns))));
            }
            return new RowPolicies(Collections.unmodifiableMap(rules), salt);
        }

        private static void checkParameters(Expression expression, String tenant, String key) {
            NodeSlots.forEach(expression, node -> {
                if (node instanceof JdbcNamedParameter p) {
                    if (!"tenant".equalsIgnoreCase(p.getName())) {
                        throw new IllegalArgumentException(key + ": unknown parameter :" + p.getName()
                                + " (the one there is: :tenant, the tenant's name)");
                    }
                    if (!BINDABLE_TENANT.matcher(tenant).matches()) {
                        throw new IllegalArgumentException(key + ": :tenant needs a tenant name of letters, digits"
                                + " and _.- only");
                    }
                } else if (node instanceof net.sf.jsqlparser.expression.JdbcParameter) {
                    throw new IllegalArgumentException(key + ": ? is not a parameter a policy can bind");
                } else if (node instanceof net.sf.jsqlparser.statement.select.Select) {
                    throw new IllegalArgumentException(key + ": a subquery is not allowed in a row filter or mask");
                }
            });
        }
    }

    /**
     * Validates every rule's view under {@code policy} with the columns its rules name (the backend's own list is
     * checked when it is known): functions allowed, no other object, no subquery.
     */
    void validate(TenantPolicy policy) {
        for (Map.Entry<QualifiedName, Set<String>> e : namedColumns(policy.dialect()).entrySet()) {
            QualifiedName table = e.getKey();
            if (!policy.canRead(table)) {
                throw new IllegalArgumentException("row_filters/masks: table " + table + " is not readable by the"
                        + " policy (read)");
            }
            List<String> columns = new ArrayList<>(e.getValue());
            if (columns.isEmpty()) {
                columns.add("akkio_any");
            }
            try {
                build(policy, rules.get(table), columns);
            } catch (Denial d) {
                throw new IllegalArgumentException("row_filters/masks: " + d.getMessage());
            }
        }
    }
}

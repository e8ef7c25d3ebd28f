package com.akkio.dbproxy.policy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.UserVariable;
import net.sf.jsqlparser.expression.VariableAssignment;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Fetch;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.Offset;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.Top;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;
import net.sf.jsqlparser.statement.alter.Alter;

/**
 * Finds every object a statement touches and checks it against the policy.
 *
 * <p>The walk is generic: it follows every field of every JSqlParser node by reflection instead of relying on
 * visitor coverage, so a construct this class has never heard of cannot hide a table from it. Position only decides
 * how a table is checked: a statement's target is a write, a column qualifier is not an object access, anything else
 * is a read. Denials are thrown as {@link Denial} and end the walk.
 *
 * <p>It is longer than most classes here on purpose: the walk, the scopes it keeps (CTE names, aliases) and the
 * checks of what it finds share one traversal's state, and the fail-closed rules are easiest to review in one place.
 */
final class ObjectAnalyzer {
    private enum Role { READ, WRITE, QUALIFIER }

    /** Deeper than any real query; stops a hostile statement from exhausting the stack. */
    static final int MAX_DEPTH = 600;

    private static final Set<String> SYSTEM_CATALOGS = Set.of("system", "temp", "memory", "information_schema",
            "pg_catalog", "sqlite_master", "__databricks_internal");
    /** Functions both dialects call when written as a bare word, without brackets. */
    private static final Set<String> KEYWORD_FUNCTIONS = Set.of("current_catalog", "current_schema",
            "current_user", "session_user", "current_role", "system_user", "current_database", "user");
    private static final Set<String> SYSTEM_SCHEMAS = Set.of("information_schema", "pg_catalog", "__internal");
    /**
     * DuckDB 1.4's {@code duckdb_keywords()} of the categories reserved and type_function: not a table name, nor
     * the first part of a qualified one, unless quoted.
     */
    private static final Set<String> DUCKDB_RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array",
            "as", "asc", "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create",
            "default", "deferrable", "desc", "describe", "distinct", "do", "else", "end", "except", "false", "fetch",
            "for", "foreign", "from", "group", "having", "in", "initially", "intersect", "into", "lambda", "lateral",
            "leading", "limit", "not", "null", "offset", "on", "only", "or", "order", "pivot", "pivot_longer",
            "pivot_wider", "placing", "primary", "qualify", "references", "returning", "select", "show", "some",
            "summarize", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "unpivot",
            "using", "variadic", "when", "where", "window", "with", "anti", "asof", "at", "authorization", "binary",
            "by", "collation", "columns", "concurrently", "cross", "freeze", "full", "generated", "glob", "ilike",
            "inner", "is", "isnull", "join", "left", "like", "map", "natural", "notnull", "outer", "overlaps",
            "positional", "right", "semi", "similar", "struct", "tablesample", "try_cast", "unpack", "verbose");
    /** Spark's path-addressed tables: {@code delta.`/mnt/x`}, {@code parquet.`s3://…`}. */
    private static final Set<String> PATH_FORMATS = Set.of("delta", "parquet", "csv", "json", "orc", "avro", "text",
            "binaryfile", "jdbc", "cloud_files", "file", "iceberg", "hudi");

    /**
     * What the walk needs of a class, found once per class and looked up once per node: whether it is a syntax node;
     * the fields that may hold other nodes, each with the role a table held there has ({@link #roleOf}); and the
     * fields that can hold text the walk reads ({@link RawText}: the deparser emits such text verbatim), without
     * literals and types, which are not lexed. Why one lookup: a first-time decision in the server follows the
     * backend's work, which has taken the processor's caches, and each lookup is then a trip to memory.
     */
    private record NodeClass(boolean node, Field[] children, Role[] roles, TextField[] texts) {
    }

    private static final NodeClass NOT_A_NODE = new NodeClass(false, new Field[0], new Role[0], new TextField[0]);

    private static final ClassValue<NodeClass> CLASSES = new ClassValue<>() {
        @Override
        protected NodeClass computeValue(Class<?> type) {
            if (!isAstNode(type)) {
                return NOT_A_NODE;
            }
            List<Field> children = new ArrayList<>();
            List<TextField> texts = new ArrayList<>();
            for (Class<?> c = type; c != null && isAstNode(c); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) {
                        continue;
                    }
                    if (mayHoldNodes(f.getType())) {
                        f.setAccessible(true);
                        children.add(f);
                    }
                    if (mayHoldText(f.getType())) {
                        RawText.Holds holds = RawText.holds(c, f.getName());
                        if (holds != RawText.Holds.LITERAL && holds != RawText.Holds.TYPE) {
                            f.setAccessible(true);
                            String owner = c.getName().substring(c.getName().lastIndexOf('.') + 1);
                            texts.add(new TextField(f, holds, owner + "." + f.getName()));
                        }
                    }
                }
            }
            Role[] roles = new Role[children.size()];
            for (int i = 0; i < roles.length; i++) {
                roles[i] = roleOf(type, children.get(i).getName());
            }
            return new NodeClass(true, children.toArray(new Field[0]), roles, texts.toArray(new TextField[0]));
        }
    };

    /** A field that can hold text, what it holds, and its name for a denial. */
    private record TextField(Field field, RawText.Holds holds, String where) {
    }

    private final TenantPolicy policy;
    private final boolean physicalNames;
    private final FunctionRules functions;
    private final Set<Object> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Table, Role> tableRoles = new IdentityHashMap<>();
    private final Set<QualifiedName> reads = new LinkedHashSet<>();
    private final Set<QualifiedName> writes = new LinkedHashSet<>();
    /** The calls of table functions in FROM, which {@link #inspect} checked against the table function list. */
    private final Set<Object> tableFunctionCalls = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** The functions checked and allowed, lower case: what the parser differential oracles compare. */
    private final Set<String> functionNames = new java.util.TreeSet<>();
    private final List<Table> objectTables = new ArrayList<>();
    private final List<QualifiedName> objectNames = new ArrayList<>();
    private final List<Table> qualifiers = new ArrayList<>();
    /** The column or {@code t.*} each qualifier belongs to: where the Databricks rewrite finds it in the text. */
    private final Map<Table, Object> qualifierOwners = new IdentityHashMap<>();
    private final List<String> literals;
    private int depth;
    private int rowBoundDepth;
    /** Above zero while walking an expression parsed from text the parser kept verbatim. */
    private int rawTextDepth;

    /**
     * @param physicalNames true to check SQL the engine itself produced: every object must then be written out in
     *                      full, physical {@code catalog.schema.table} form, and no logical name is mapped
     */
    ObjectAnalyzer(TenantPolicy policy, boolean physicalNames) {
        this(policy, physicalNames, null);
    }

    /**
     * @param literals receives, when not null, every number and unprefixed string literal (in its quotes) outside a
     *                 row bound ({@code LIMIT}, {@code OFFSET}, {@code FETCH}, {@code TOP}), as {@link ShapeTemplate}
     *                 needs them
     */
    ObjectAnalyzer(TenantPolicy policy, boolean physicalNames, List<String> literals) {
        this.policy = policy;
        this.physicalNames = physicalNames;
        this.functions = policy.functionRules();
        this.literals = literals;
    }

    void analyze(Object statement) {
        walk(statement, Scope.EMPTY, Role.READ);
    }

    Set<QualifiedName> reads() {
        return reads;
    }

    Set<QualifiedName> writes() {
        return writes;
    }

    /** Each object the statement reads (not a CTE, not a write target), with its physical name, in walk order. */
    Map<Table, QualifiedName> tablesRead() {
        Map<Table, QualifiedName> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < objectTables.size(); i++) {
            if (tableRoles.get(objectTables.get(i)) == Role.READ) {
                out.put(objectTables.get(i), objectNames.get(i));
            }
        }
        return out;
    }

    Set<String> functionNames() {
        return functionNames;
    }

    /**
     * The Databricks rewrite: the tenant's text with every object name replaced by its quoted physical name and
     * schema-qualified column qualifiers by the table's name, each at the place the parser read it; {@code more}
     * makes the edits that place things around parts of the text (the write cap) once the names are in; a reference
     * to a filtered or masked table gets its view instead of its name ({@link GovernedViews#textFor}).
     */
    String rewriteText(DatabricksSyntax.Normalised text, GovernedViews views,
                       java.util.function.Consumer<DatabricksRewrite> more) {
        DatabricksRewrite rewrite = new DatabricksRewrite(text);
        Dialect dialect = policy.dialect();
        for (int i = 0; i < objectTables.size(); i++) {
            Table table = objectTables.get(i);
            String view = views == null ? null : views.textFor(table);
            rewrite.replaceName(table, table.getNameParts(), view != null ? view : dialect.quote(objectNames.get(i)));
        }
        for (Table qualifier : qualifiers) {
            if (!namesAnObject(qualifier.getNameParts())) {
                // t.s.a with t an alias and s a struct column: a path into a value, no table's name; as written
                continue;
            }
            Object owner = qualifierOwners.get(qualifier);
            if (!(owner instanceof net.sf.jsqlparser.parser.ASTNodeAccess located)) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement cannot be rewritten faithfully: the"
                        + " qualifier " + qualifier.getFullyQualifiedName() + " was not found");
            }
            rewrite.replaceName(located, qualifier.getNameParts(),
                    dialect.quote(Identifiers.normalise(qualifier.getNameParts().get(0))));
        }
        more.accept(rewrite);
        return rewrite.result();
    }

    /**
     * Whether a column qualifier of two or three parts ({@code sales.orders.amount}) names one of the statement's
     * objects as the tenant would name it: then it must follow the object to its physical name.
     */
    private boolean namesAnObject(List<String> parts) {
        String table = Identifiers.normalise(parts.get(0));
        String schema = Identifiers.normalise(parts.get(1));
        String catalog = parts.size() > 2 ? policy.physicalCatalog(Identifiers.normalise(parts.get(2))) : null;
        for (QualifiedName name : objectNames) {
            if (name.table().equals(table) && name.schema().equals(schema)
                    && (catalog == null || name.catalog().equals(catalog))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The names the rewrite replaces ({@link #rewriteNames}, {@link #rewriteText}), each with the node the parser read
     * it at and the text written in its place (for {@link RewriteProof}); null when a qualifier's place is not known.
     * Call before {@link #rewriteNames}.
     */
    List<RewriteProof.Name> renamed() {
        Dialect dialect = policy.dialect();
        List<RewriteProof.Name> names = new ArrayList<>(objectTables.size() + qualifiers.size());
        for (int i = 0; i < objectTables.size(); i++) {
            Table table = objectTables.get(i);
            names.add(new RewriteProof.Name(table, new ArrayList<>(table.getNameParts()),
                    dialect.quote(objectNames.get(i))));
        }
        for (Table qualifier : qualifiers) {
            if (dialect == Dialect.DATABRICKS && !namesAnObject(qualifier.getNameParts())) {
                continue; // left as written by rewriteText
            }
            if (!(qualifierOwners.get(qualifier) instanceof net.sf.jsqlparser.parser.ASTNodeAccess owner)) {
                return null;
            }
            names.add(new RewriteProof.Name(owner, new ArrayList<>(qualifier.getNameParts()),
                    dialect.quote(Identifiers.normalise(qualifier.getNameParts().get(0)))));
        }
        return names;
    }

    /** Replaces every object name by its quoted physical name, and schema-qualified column qualifiers by the table. */
    void rewriteNames() {
        Dialect dialect = policy.dialect();
        for (int i = 0; i < objectTables.size(); i++) {
            QualifiedName q = objectNames.get(i);
            objectTables.get(i).setNameParts(
                    List.of(dialect.quote(q.table()), dialect.quote(q.schema()), dialect.quote(q.catalog())));
        }
        for (Table qualifier : qualifiers) {
            qualifier.setNameParts(List.of(dialect.quote(Identifiers.normalise(qualifier.getNameParts().get(0)))));
        }
    }

    /** The fields of a node class that may hold other nodes: what the walk follows ({@link NodeSlots} too). */
    static Field[] childFields(Class<?> type) {
        return CLASSES.get(type).children();
    }

    /** True for a JSqlParser syntax node class (not its parser's own classes, not an enum). */
    static boolean isNode(Class<?> type) {
        return CLASSES.get(type).node();
    }

    private static boolean mayHoldNodes(Class<?> type) {
        if (type.isPrimitive() || type.isEnum() || type == String.class || Number.class.isAssignableFrom(type)
                || type == Boolean.class || type == Character.class) {
            return false;
        }
        return !type.getName().startsWith("net.sf.jsqlparser.parser.");
    }

    /** Strings, and containers that may hold them (lists, maps, map entries, arrays, plain objects). */
    private static boolean mayHoldText(Class<?> type) {
        return type == String.class || type == Object.class || type.isArray() && !type.getComponentType().isPrimitive()
                || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                || Map.Entry.class.isAssignableFrom(type);
    }

    private static boolean isAstNode(Class<?> type) {
        String name = type.getName();
        return name.startsWith("net.sf.jsqlparser.") && !name.startsWith("net.sf.jsqlparser.parser.")
                && !type.isEnum();
    }

    private void walk(Object node, Scope scope, Role role) {
        if (node == null) {
            return;
        }
        NodeClass facts = CLASSES.get(node.getClass());
        if (!facts.node()) {
            if (node instanceof Collection<?> items) {
                for (Object item : items) {
                    walk(item, scope, role);
                }
            } else {
                forEachContained(node, item -> walk(item, scope, role));
            }
            return;
        }
        if (node instanceof Table table) {
            table(table, scope, role);
        }
        if (!visited.add(node)) {
            return;
        }
        if (++depth > MAX_DEPTH) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                    "statement nests deeper than " + MAX_DEPTH + " levels");
        }
        boolean rowBound = literals != null
                && (node instanceof Limit || node instanceof Offset || node instanceof Fetch || node instanceof Top);
        if (rowBound) {
            rowBoundDepth++;
        }
        try {
            readTexts(node, facts, scope);
            inspect(node);
            if (literals != null && rowBoundDepth == 0 && rawTextDepth == 0) {
                collectLiteral(node);
            }
            children(node, facts, scope);
            if (node instanceof Collection<?> items) {
                // a node that is a list (ExpressionList and its kin): its elements, beside its own fields
                for (Object item : items) {
                    walk(item, scope, role);
                }
            }
        } finally {
            depth--;
            if (rowBound) {
                rowBoundDepth--;
            }
        }
    }

    private void collectLiteral(Object node) {
        if (node instanceof LongValue v) {
            literals.add(v.getStringValue());
        } else if (node instanceof DoubleValue v) {
            literals.add(v.toString());
        } else if (node instanceof StringValue v && (v.getPrefix() == null || v.getPrefix().isEmpty())) {
            literals.add("'" + v.getValue() + "'");
        }
    }

    private void children(Object node, NodeClass facts, Scope scope) {
        List<WithItem<?>> withItems = withItems(node);
        Scope bodyScope = scope;
        if (withItems != null && !withItems.isEmpty()) {
            for (WithItem<?> item : withItems) {
                String name = item.getAliasName() == null ? null : Identifiers.normalise(item.getAliasName());
                if (name == null) {
                    throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "a WITH item has no name");
                }
                walk(item, item.isRecursive() ? bodyScope.plus(name) : bodyScope, Role.READ);
                bodyScope = bodyScope.plus(name);
            }
        }
        Field[] fields = facts.children();
        for (int i = 0; i < fields.length; i++) {
            Object value = read(fields[i], node);
            if (value == null || value == withItems) {
                continue;
            }
            walk(value, bodyScope, facts.roles()[i]);
        }
    }

    /**
     * Reads every text the node holds ({@link RawText}): inert text passes, bare words are checked as functions
     * written without brackets, and expressions are parsed and walked like any other; text that cannot be read is
     * denied. An expression read from text may not touch a table or hold a subquery: the text is sent verbatim, so
     * no name in it could be rewritten, and DuckDB refuses subqueries in generated columns and constraints anyway.
     */
    private void readTexts(Object node, NodeClass facts, Scope scope) {
        // a literal's inside is not lexed, types are read whole by TypeNames, in inspect: neither is in facts.texts
        for (TextField f : facts.texts()) {
            Object value = read(f.field(), node);
            if (value != null) {
                readText(value, f, scope);
            }
        }
    }

    private void readText(Object value, TextField f, Scope scope) {
        if (value instanceof String text) {
            RawText.Reading reading = RawText.read(text, f.holds(), policy.dialect(), f.where());
            for (String word : reading.words()) {
                checkKeywordFunction(word);
            }
            for (String expression : reading.expressions()) {
                Expression parsed;
                try {
                    parsed = SqlParser.parseExpression(expression, policy.dialect());
                } catch (SqlParser.SyntaxError e) {
                    throw RawText.cannot(expression, f.where(), "it is not an expression (" + e.getMessage() + ")");
                }
                rawTextDepth++;
                try {
                    walk(parsed, scope, Role.READ);
                } finally {
                    rawTextDepth--;
                }
            }
        } else {
            // text inside a container; syntax nodes in it are walked by children, not read here
            forEachContained(value, item -> {
                if (item != null && !CLASSES.get(item.getClass()).node()) {
                    readText(item, f, scope);
                }
            });
        }
    }

    /** Hands each element of a list, array or map entry (each key and value of a map) to {@code each}. */
    private static void forEachContained(Object container, java.util.function.Consumer<Object> each) {
        if (container instanceof Collection<?> items) {
            items.forEach(each);
        } else if (container instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                each.accept(key);
                each.accept(value);
            });
        } else if (container instanceof Map.Entry<?, ?> e) {
            each.accept(e.getKey());
            each.accept(e.getValue());
        } else if (container instanceof Object[] array) {
            for (Object item : array) {
                each.accept(item);
            }
        }
    }

    private static Object read(Field field, Object node) {
        try {
            return field.get(node);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }

    private static List<WithItem<?>> withItems(Object node) {
        if (node instanceof Select s) {
            return s.getWithItemsList();
        }
        if (node instanceof Insert s) {
            return s.getWithItemsList();
        }
        if (node instanceof Update s) {
            return s.getWithItemsList();
        }
        if (node instanceof Delete s) {
            return s.getWithItemsList();
        }
        if (node instanceof Merge s) {
            return s.getWithItemsList();
        }
        return null;
    }

    /** The role of a table held directly in {@code field} of a node of class {@code parent}. */
    private static Role roleOf(Class<?> parent, String field) {
        if (Column.class.isAssignableFrom(parent) || AllTableColumns.class.isAssignableFrom(parent)) {
            return field.equals("table") ? Role.QUALIFIER : Role.READ;
        }
        boolean target = switch (field) {
            case "table" -> isA(parent, Insert.class, Upsert.class, CreateTable.class, Update.class, Delete.class,
                    Merge.class, Truncate.class, Alter.class);
            case "tables" -> isA(parent, Delete.class, Truncate.class);
            case "view" -> isA(parent, CreateView.class, AlterView.class);
            case "names", "name" -> isA(parent, Drop.class);
            default -> false;
        };
        return target ? Role.WRITE : Role.READ;
    }

    private static boolean isA(Class<?> type, Class<?>... any) {
        for (Class<?> c : any) {
            if (c.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }

    private void inspect(Object node) {
        if (node instanceof Column c && c.getTable() != null) {
            qualifierOwners.put(c.getTable(), c);
        } else if (node instanceof AllTableColumns star && star.getTable() != null) {
            qualifierOwners.put(star.getTable(), star);
        }
        if (rawTextDepth > 0 && node instanceof Select) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "a subquery in text the parser keeps verbatim (a"
                    + " generated column, a constraint, a time travel clause, ...) is not allowed (rule: no subqueries"
                    + " in text the parser keeps verbatim)");
        }
        ForeignKeys.check(node, policy.dialect());
        if (node instanceof ColDataType type) {
            TypeNames.check(type, policy.dialect());
        } else if (node instanceof TableFunction tf) {
            List<Function> fns = tf.getFunctions() != null && !tf.getFunctions().isEmpty()
                    ? tf.getFunctions() : List.of(tf.getFunction());
            for (Function fn : fns) {
                List<String> parts = fn.getMultipartName();
                String name = parts.size() == 1 ? Identifiers.normalise(parts.get(0)) : String.join(".", parts);
                if (parts.size() != 1 || !functions.isTableFunctionAllowed(name)) {
                    throw new Denial(DenyCode.TABLE_FUNCTION_DENIED, "table function " + name
                            + "() is not allowed in FROM (rule: table_functions " + sorted(functions.tableFunctions())
                            + ")");
                }
                functionNames.add(name);
                // decided as a table function: the allow-lists of scalar functions do not apply (Spark has range
                // as a table function only)
                tableFunctionCalls.add(fn);
            }
        } else if (node instanceof Function f && !tableFunctionCalls.contains(f)) {
            if (f.getKeywordArguments() != null && !f.getKeywordArguments().isEmpty()) {
                // JSqlParser 5.4 does not write keyword arguments back out: the rewrite would drop them
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "keyword arguments of " + f.getName()
                        + "() cannot be rewritten faithfully");
            }
            checkFunction(f.getMultipartName(), f);
        } else if (node instanceof Alias alias && policy.dialect() == Dialect.DUCKDB && !alias.isUseAs()
                && alias.getName() != null && alias.getName().startsWith("'")) {
            // DuckDB reads name 'text' as a literal of the type name, the parser as a column with an alias
            throw new Denial(DenyCode.AMBIGUOUS_LITERAL, "a string alias without AS (" + alias.getName() + ") is a"
                    + " typed literal to DuckDB; write AS " + alias.getName() + " (rule: text every reader reads alike)");
        } else if (node instanceof AllTableColumns star && policy.dialect() == Dialect.DUCKDB
                && star.getTable() != null && star.getTable().getNameParts().size() > 1) {
            throw new Denial(DenyCode.INVALID_NAME, "DuckDB takes table.* with one name before the star, not "
                    + star.getTable().getFullyQualifiedName() + ".* (rule: names the backend reads as written)");
        } else if (node instanceof net.sf.jsqlparser.expression.TimeKeyExpression key
                && RawText.keywordCall(key.getStringValue()) != null) {
            checkFunctionName(RawText.keywordCall(key.getStringValue()), "");
        } else if (node instanceof AnalyticExpression a) {
            checkFunction(List.of(a.getName()), a);
        } else if (node instanceof Column c) {
            checkKeywordFunction(c);
        } else if (node instanceof StringValue s) {
            checkLiteral(s);
        } else if (node instanceof PlainSelect ps) {
            if (ps.getIntoTables() != null && !ps.getIntoTables().isEmpty()) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "SELECT ... INTO creates tables; use CREATE TABLE AS");
            }
            if (hasBareValues(ps)) {
                // DuckDB and Spark read FROM a, VALUES b as a table named values (alias b), the parser as a list
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "VALUES in FROM needs brackets: FROM (VALUES ...) AS"
                        + " v(...) (rule: names the backend reads as written)");
            }
        } else if (node instanceof Insert insert && insert.getColumns() != null
                && insert.getColumns().stream().anyMatch(c -> c.getTable() != null)) {
            // the parser takes t.c in the column list and writes c; neither backend takes it
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "a qualified column in the column list of INSERT:"
                    + " name the columns without their table (rule: names the backend reads as written)");
        } else if (node instanceof UserVariable || node instanceof VariableAssignment
                || node instanceof NextValExpression) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                    "session variables and sequences are not allowed: " + node);
        }
    }

    private static boolean hasBareValues(PlainSelect ps) {
        if (ps.getFromItem() instanceof Values) {
            return true;
        }
        if (ps.getJoins() != null) {
            for (net.sf.jsqlparser.statement.select.Join join : ps.getJoins()) {
                if (join.getFromItem() instanceof Values) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code current_catalog} and its kin are functions written without parentheses, so the parser sees a column;
     * unquoted and unqualified they are the function in both DuckDB and Databricks.
     */
    private void checkKeywordFunction(Column column) {
        if (column.getTable() == null && column.getColumnName() != null) {
            checkKeywordFunction(column.getColumnName());
        }
    }

    /** A bare, unquoted word where an expression may stand: a function if it is one of the keyword functions. */
    private void checkKeywordFunction(String word) {
        String name = word.toLowerCase(Locale.ROOT);
        if (KEYWORD_FUNCTIONS.contains(name)) {
            checkFunctionName(name, "");
        }
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    private void checkFunction(List<String> nameParts, Object node) {
        if (nameParts == null || nameParts.isEmpty() || nameParts.get(0) == null) {
            return; // a construct with function syntax but no name, such as a parenthesised expression list
        }
        if (nameParts.size() > 1) {
            throw new Denial(DenyCode.FUNCTION_DENIED, "qualified function " + String.join(".", nameParts)
                    + "() is not allowed: user-defined functions can run arbitrary code");
        }
        checkFunctionName(Identifiers.normalise(nameParts.get(0)), "()");
    }

    /**
     * Functions fail closed: denied if a deny-list names it, else allowed only if the dialect's allow-list or the
     * policy's {@code allowed_functions} does.
     */
    private void checkFunctionName(String name, String brackets) {
        if (functions.isDenied(name)) {
            throw new Denial(DenyCode.FUNCTION_DENIED, "function " + name + brackets
                    + " is denied: it reaches outside the tenant's tables or changes state (rule: denied_functions)");
        }
        if (!functions.isAllowed(name)) {
            throw new Denial(DenyCode.FUNCTION_NOT_ALLOWED, "function " + name + brackets + " is not an allowed "
                    + (functions.dialect() == Dialect.DATABRICKS ? "Databricks SQL" : "DuckDB") + " function (rule:"
                    + " the dialect's function allow-list and the policy's allowed_functions)");
        }
        functionNames.add(name);
    }

    /**
     * Escape-processing string prefixes ({@code E'…'} in DuckDB, {@code r'…'} in Databricks) are lexed differently
     * by the parser and the backend when they contain backslashes, which could hide text from the check.
     */
    private void checkLiteral(StringValue s) {
        String prefix = s.getPrefix();
        if (prefix != null && !prefix.isEmpty() && s.getValue() != null && s.getValue().indexOf('\\') >= 0) {
            for (int i = 0; i < prefix.length(); i++) {
                char c = Character.toLowerCase(prefix.charAt(i));
                if (c == 'e' || c == 'r') {
                    throw new Denial(DenyCode.AMBIGUOUS_LITERAL, "string literal with prefix " + prefix
                            + " and backslashes is ambiguous between the proxy and the backend");
                }
            }
        }
    }

    private void table(Table table, Scope scope, Role role) {
        if (rawTextDepth > 0 && role != Role.QUALIFIER) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "table " + table.getFullyQualifiedName() + " in text"
                    + " the parser keeps verbatim: its name could not be rewritten (rule: no tables in text"
                    + " the parser keeps verbatim)");
        }
        Role seen = tableRoles.putIfAbsent(table, role);
        if (seen != null) {
            if (seen != role) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                        "table " + table.getFullyQualifiedName() + " appears in conflicting positions");
            }
            return;
        }
        if (table.isTableVariable()) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "table variables are not allowed: " + table);
        }
        List<String> parts = table.getNameParts();
        String written = table.getFullyQualifiedName();
        String dotted = policy.dialect() == Dialect.DATABRICKS && role != Role.QUALIFIER
                ? DatabricksRewrite.dottedName(table) : null;
        if (dotted != null) {
            throw new Denial(DenyCode.INVALID_NAME, "object name " + dotted + " is one name holding a dot to"
                    + " Databricks, which no Unity Catalog object has; write catalog.schema.table with each part"
                    + " quoted on its own (rule: names the backend reads as written)");
        }
        if (role == Role.QUALIFIER) {
            if (parts.size() >= 2) {
                for (String part : parts) {
                    if (part == null || part.isEmpty()) {
                        // the rewrite keeps the last part only, which would turn a.b..c, an error, into b.c
                        throw new Denial(DenyCode.INVALID_NAME, "column qualifier " + written + " has an empty part");
                    }
                }
                qualifiers.add(table);
            }
            return;
        }
        int n = parts.size();
        if (n == 0 || n > 3) {
            throw new Denial(DenyCode.INVALID_NAME, "object name " + written
                    + " must have one to three parts: [catalog.][schema.]table");
        }
        String[] normalised = new String[n];
        for (int i = 0; i < n; i++) {
            String raw = parts.get(i);
            if (raw == null || raw.isEmpty()) {
                throw new Denial(DenyCode.INVALID_NAME, "object name " + written + " has an empty part");
            }
            normalised[i] = Identifiers.normalise(raw);
            if (normalised[i].isEmpty() || Identifiers.looksLikePath(raw, normalised[i])) {
                throw new Denial(DenyCode.PATH_TABLE, "object " + written
                        + " is a file path or URL, not a catalog table");
            }
        }
        if (n == 1 && role == Role.READ && scope.contains(normalised[0])) {
            return; // a reference to a common table expression in scope
        }
        for (String raw : parts) {
            if (policy.dialect() == Dialect.DATABRICKS && raw.startsWith("\"")) {
                // Spark reads "..." as a string, which is no table name; the rewrite would quote it as one
                throw new Denial(DenyCode.AMBIGUOUS_LITERAL, "object name " + written + " is a string in Databricks"
                        + " SQL; quote names with backticks (rule: names the backend reads as written)");
            }
        }
        String first = parts.get(n - 1);
        if (policy.dialect() == Dialect.DUCKDB && !first.startsWith("\"")
                && DUCKDB_RESERVED.contains(first.toLowerCase(Locale.ROOT))) {
            // DuckDB refuses the unquoted word here; the rewrite quotes every name, which would make it a table
            throw new Denial(DenyCode.INVALID_NAME, "object name " + written + " starts with " + first + ", a"
                    + " reserved word in DuckDB; quote it (rule: names the backend reads as written)");
        }
        if (n == 2 && PATH_FORMATS.contains(normalised[1])) {
            throw new Denial(DenyCode.PATH_TABLE, "object " + written
                    + " addresses files through the " + normalised[1] + " format, not a catalog table");
        }
        QualifiedName name = resolve(normalised, written);
        if (SYSTEM_CATALOGS.contains(name.catalog()) || SYSTEM_SCHEMAS.contains(name.schema())
                || name.table().startsWith("duckdb_") || name.table().startsWith("sqlite_")
                || name.table().startsWith("pragma_")) {
            // pragma_database_list and its kin are DuckDB table functions that FROM calls without brackets
            throw new Denial(DenyCode.SYSTEM_OBJECT, "object " + written + " is an engine or system catalog"
                    + " object; use the JDBC metadata calls (rule: no system schemas, metadata views or pragmas)");
        }
        if (role == Role.WRITE) {
            if (!policy.canWrite(name)) {
                throw new Denial(DenyCode.OBJECT_NOT_WRITABLE, describe(written, name)
                        + " is not writable by tenant '" + policy.tenant() + "' (rule: write " + policy.writable()
                        + ")");
            }
            writes.add(name);
        } else {
            if (!policy.canRead(name)) {
                throw new Denial(DenyCode.OBJECT_NOT_READABLE, describe(written, name)
                        + " is not readable by tenant '" + policy.tenant() + "' (rule: read " + policy.readable()
                        + ")");
            }
            reads.add(name);
        }
        objectTables.add(table);
        objectNames.add(name);
    }

    private static String describe(String written, QualifiedName name) {
        return written.equalsIgnoreCase(name.toString())
                ? "object " + name : "object " + written + " (" + name + ")";
    }

    private QualifiedName resolve(String[] parts, String written) {
        int n = parts.length;
        if (physicalNames) {
            if (n != 3) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                        "rewritten statement left object " + written + " without catalog and schema");
            }
            return new QualifiedName(parts[2], parts[1], parts[0]);
        }
        String table = parts[0];
        String schema = n >= 2 ? parts[1] : policy.defaultSchema();
        String catalog = n == 3 ? policy.physicalCatalog(parts[2]) : policy.defaultCatalog();
        return new QualifiedName(catalog, schema, table);
    }
}

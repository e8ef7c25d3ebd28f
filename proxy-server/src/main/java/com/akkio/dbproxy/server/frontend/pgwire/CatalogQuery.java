package com.akkio.dbproxy.server.frontend.pgwire;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Recognises a catalog query and rewrites it for the tenant's {@link CatalogDatabase}, fail closed: a SELECT that
 * DuckDB's own parser (the parser of the engine that will run it, so the two cannot read it differently) reads as
 * one query, whose every table is one of {@code pg_catalog}'s or {@code information_schema}'s (or a CTE of the
 * query), with at least one of them, whose every function is a catalog function ({@link CatalogFunctions#MACROS}) or
 * a computation on values ({@link CatalogFunctions#BUILT_IN}), whose every table function is {@code unnest},
 * {@code generate_series} or {@code generate_subscripts}, and whose every syntax node is of a kind listed here.
 * Anything else is not a catalog query and takes the governed path, where the policy decides it as before (a
 * catalog table there is {@code SYSTEM_OBJECT}). So a data table joined to {@code pg_class}, or {@code read_csv}
 * in a catalog query, is never answered from the catalog: it is denied by the policy.
 *
 * <p>The rewrite names the governed catalog's tables ({@code pg_catalog.pg_class} becomes {@code pgc.pg_class})
 * and functions ({@code pgc.format_type}), turns PostgreSQL's object-identifier casts into numbers and names, and
 * PostgreSQL's {@code ~} (a regular expression search) into DuckDB's {@code regexp_matches}.
 */
final class CatalogQuery {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CatalogQuery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The text must name a catalog at all before it is parsed: every other statement passes at no cost. */
    private static final Pattern MENTIONS_CATALOG = Pattern.compile("pg_|information_schema",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern OPERATOR = Pattern.compile(
            "OPERATOR\\s*\\(\\s*pg_catalog\\s*\\.\\s*([~!<>=@#%^&|`?*+\\-/]+)\\s*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern COLLATE_DEFAULT = Pattern.compile(
            "COLLATE\\s+(pg_catalog\\s*\\.\\s*)?(\"default\"|default|\"C\"|\"POSIX\")", Pattern.CASE_INSENSITIVE);
    private static final Pattern QUALIFIED_TYPE = Pattern.compile("::\\s*pg_catalog\\s*\\.\\s*",
            Pattern.CASE_INSENSITIVE);

    private static final Set<String> QUERY_NODES = Set.of("SELECT_NODE", "SET_OPERATION_NODE", "CTE_NODE",
            "RECURSIVE_CTE_NODE");
    private static final Set<String> TABLE_REFS = Set.of("BASE_TABLE", "TABLE_FUNCTION", "JOIN", "SUBQUERY",
            "EMPTY", "EMPTY_FROM", "EXPRESSION_LIST");
    private static final Set<String> EXPRESSIONS = Set.of("COLUMN_REF", "CONSTANT", "COMPARISON", "CONJUNCTION",
            "OPERATOR", "CASE", "SUBQUERY", "STAR", "PARAMETER", "BETWEEN", "CAST", "FUNCTION", "WINDOW",
            "LAMBDA", "POSITIONAL_REFERENCE", "COLLATE");
    private static final Set<String> TABLE_FUNCTIONS = Set.of("unnest", "generate_series", "generate_subscripts",
            "_pg_expandarray");
    /** Object-identifier types: numbers here, as in PostgreSQL underneath. */
    private static final Set<String> NUMBER_TYPES = Set.of("oid", "regclass", "regtype", "regproc",
            "regprocedure", "regnamespace", "regrole", "regoper", "regconfig", "xid", "cid");
    private static final Set<String> TEXT_TYPES = Set.of("name", "char", "int2vector", "oidvector",
            "pg_node_tree", "regdictionary", "aclitem");

    private CatalogQuery() {
    }

    /** Whether the text names a catalog at all: only then is it parsed (and the tenant's catalog built). */
    static boolean mentionsCatalog(String sql) {
        return MENTIONS_CATALOG.matcher(sql).find();
    }

    /**
     * The text {@code sql} runs as in {@code catalog}, or null when it is not a catalog query.
     *
     * @param parser a connection of the catalog database, used only to parse (DuckDB's json_serialize_sql)
     */
    static String rewrite(String sql, CatalogDatabase catalog) throws SQLException {
        String[] why = new String[1];
        return rewrite(sql, catalog, why);
    }

    /** Why {@code sql} is not a catalog query (null when it is one). */
    static String rejection(String sql, CatalogDatabase catalog) throws SQLException {
        String[] why = new String[1];
        return rewrite(sql, catalog, why) == null ? why[0] : null;
    }

    private static String rewrite(String sql, CatalogDatabase catalog, String[] why) throws SQLException {
        why[0] = "no catalog name in the text";
        if (!mentionsCatalog(sql)) {
            return null;
        }
        why[0] = "not one SELECT DuckDB can parse";
        String text = normalise(sql);
        JsonNode tree = call(catalog.connection(), "SELECT json_serialize_sql(?::VARCHAR)", text);
        if (tree == null || tree.path("error").asBoolean(true)) {
            return null;
        }
        JsonNode statements = tree.path("statements");
        if (!statements.isArray() || statements.size() != 1) {
            return null;
        }
        Walk walk = new Walk(catalog);
        walk.collectCtes(statements);
        if (!walk.check(statements) || !walk.touchedCatalog) {
            why[0] = walk.rejected == null ? "no catalog table" : walk.rejected;
            LOG.debug("not a catalog query: {}", why[0]);
            return null;
        }
        ResultSetText out = new ResultSetText();
        try (PreparedStatement ps = catalog.connection().prepareStatement("SELECT json_deserialize_sql(?::JSON)")) {
            ps.setString(1, JSON.writeValueAsString(tree));
            try (ResultSet rs = ps.executeQuery()) {
                out.text = rs.next() ? rs.getString(1) : null;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
        return out.text;
    }

    private static final class ResultSetText {
        String text;
    }

    private static JsonNode call(Connection c, String query, String argument) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, argument);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? JSON.readTree(rs.getString(1)) : null;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /**
     * PostgreSQL spellings DuckDB's parser does not take, outside literals, quoted names and comments:
     * {@code OPERATOR(pg_catalog.~)} is the operator, {@code COLLATE pg_catalog.default} goes, a type named
     * {@code pg_catalog.text} is {@code text}. What this gets wrong can only make a query fail here or not be
     * recognised: the parse that decides comes after it.
     */
    static String normalise(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int codeStart = 0;
        int n = sql.length();
        while (i < n) {
            char ch = sql.charAt(i);
            int end = -1;
            if (ch == '\'' || ch == '"') {
                end = i + 1;
                boolean escapes = ch == '\'' && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
                while (end < n) {
                    char c = sql.charAt(end);
                    if (escapes && c == '\\') {
                        end += 2;
                        continue;
                    }
                    if (c == ch) {
                        if (end + 1 < n && sql.charAt(end + 1) == ch) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(n, end + 1);
            } else if (ch == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (ch == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            }
            if (end < 0) {
                i++;
                continue;
            }
            out.append(code(sql.substring(codeStart, i))).append(sql, i, end);
            i = end;
            codeStart = end;
        }
        return out.append(code(sql.substring(codeStart))).toString();
    }

    private static String code(String code) {
        String s = OPERATOR.matcher(code).replaceAll(m -> " " + Matcher.quoteReplacement(m.group(1)) + " ");
        s = COLLATE_DEFAULT.matcher(s).replaceAll(" ");
        return QUALIFIED_TYPE.matcher(s).replaceAll("::");
    }

    /** The check and rewrite of one parse tree; any doubt answers false. */
    private static final class Walk {
        private final CatalogDatabase catalog;
        private final Set<String> ctes = new HashSet<>();
        boolean touchedCatalog;
        /** Why the query is not a catalog query (for the debug log and tests). */
        String rejected;

        private boolean no(String why) {
            rejected = why;
            return false;
        }

        Walk(CatalogDatabase catalog) {
            this.catalog = catalog;
        }

        void collectCtes(JsonNode node) {
            if (node.isObject()) {
                JsonNode map = node.path("cte_map").path("map");
                if (map.isArray()) {
                    for (JsonNode entry : map) {
                        ctes.add(lower(entry.path("key").asText()));
                    }
                }
            }
            for (JsonNode child : node) {
                collectCtes(child);
            }
        }

        boolean check(JsonNode node) {
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    JsonNode child = node.get(i);
                    JsonNode replaced = replacement(child);
                    if (replaced != null) {
                        ((ArrayNode) node).set(i, replaced);
                        child = replaced;
                    }
                    if (!check(child)) {
                        return false;
                    }
                }
                return true;
            }
            if (!node.isObject()) {
                return true;
            }
            ObjectNode o = (ObjectNode) node;
            if (!checkNode(o)) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode replaced = replacement(field.getValue());
                if (replaced != null) {
                    field.setValue(replaced);
                }
                if (!check(field.getValue())) {
                    return false;
                }
            }
            return true;
        }

        /**
         * A string constant cast to regclass becomes a lookup of the name among the catalog's tables; {@code x =
         * ANY(array)} (which DuckDB reads as a subquery over the unnested list, and cannot join on) becomes
         * {@code list_contains(array, x)}.
         */
        private JsonNode replacement(JsonNode node) {
            if (node.isObject() && "SUBQUERY".equals(node.path("class").asText())
                    && "ANY".equals(node.path("subquery_type").asText())
                    && "COMPARE_EQUAL".equals(node.path("comparison_type").asText())) {
                JsonNode select = node.path("subquery").path("node");
                JsonNode items = select.path("select_list");
                if ("SELECT_NODE".equals(select.path("type").asText()) && items.size() == 1
                        && "EMPTY".equals(select.path("from_table").path("type").asText())
                        && select.path("where_clause").isNull()
                        && "unnest".equals(items.get(0).path("function_name").asText())
                        && items.get(0).path("children").size() == 1) {
                    return function(node, "list_contains", "", items.get(0).path("children").get(0),
                            node.path("child"));
                }
                return null;
            }
            if (!node.isObject() || !"CAST".equals(node.path("class").asText())) {
                return null;
            }
            JsonNode info = node.path("cast_type").path("type_info");
            JsonNode child = node.path("child");
            if (!"USER".equals(node.path("cast_type").path("id").asText())
                    || !"regclass".equals(lower(info.path("user_type_name").asText()))
                    || !"CONSTANT".equals(child.path("class").asText())
                    || !"VARCHAR".equals(child.path("value").path("type").path("id").asText())) {
                return null;
            }
            return function(node, "akkio_regclass", "", child);
        }

        /** A function call node in place of {@code node}. */
        private static ObjectNode function(JsonNode node, String name, String schema, JsonNode... children) {
            ObjectNode f = JSON.createObjectNode();
            f.put("class", "FUNCTION").put("type", "FUNCTION").put("alias", node.path("alias").asText())
                    .put("query_location", node.path("query_location").asLong());
            f.put("function_name", name).put("schema", schema);
            // the walk then checks the function like any other (and names its schema)
            ArrayNode args = JSON.createArrayNode();
            for (JsonNode c : children) {
                args.add(c);
            }
            f.set("children", args);
            f.putNull("filter");
            ObjectNode orders = JSON.createObjectNode().put("type", "ORDER_MODIFIER");
            orders.set("orders", JSON.createArrayNode());
            f.set("order_bys", orders);
            f.put("distinct", false).put("is_operator", false).put("export_state", false).put("catalog", "");
            return f;
        }

        private boolean checkNode(ObjectNode o) {
            String cls = o.path("class").asText(null);
            String type = o.path("type").asText(null);
            if (cls != null) {
                if (!EXPRESSIONS.contains(cls)) {
                    return no("expression " + cls);
                }
                return switch (cls) {
                    case "FUNCTION", "WINDOW" -> function(o);
                    case "CAST" -> cast(o);
                    case "COLLATE" -> no("collation");
                    default -> true;
                };
            }
            if (type == null) {
                return true; // modifiers, maps, values: their children are checked
            }
            if (QUERY_NODES.contains(type)) {
                return true;
            }
            if (o.has("sample") || o.has("table_name") || TABLE_REFS.contains(type)) {
                return switch (type) {
                    case "BASE_TABLE" -> table(o);
                    case "TABLE_FUNCTION" -> tableFunction(o);
                    case "JOIN", "SUBQUERY", "EMPTY", "EMPTY_FROM", "EXPRESSION_LIST" -> true;
                    default -> no("table reference " + type);
                };
            }
            // other typed objects are parts of nodes (ORDER_MODIFIER, LIMIT_MODIFIER, value types, ...)
            return !type.endsWith("_REF") && !type.startsWith("STATEMENT") || no("node " + type);
        }

        private boolean table(ObjectNode o) {
            String catalogName = o.path("catalog_name").asText("");
            String schema = lower(o.path("schema_name").asText(""));
            String name = lower(o.path("table_name").asText(""));
            if (!catalogName.isEmpty() || !o.path("at_clause").isNull() && !o.path("at_clause").isMissingNode()
                    || !o.path("sample").isNull() && !o.path("sample").isMissingNode()) {
                return no("table " + catalogName + "." + schema + "." + name);
            }
            if (schema.isEmpty() && ctes.contains(name)) {
                return true;
            }
            String target;
            if ((schema.isEmpty() || schema.equals("pg_catalog")) && catalog.pgCatalogTables.contains(name)) {
                target = "pgc";
            } else if (schema.equals("information_schema") && catalog.informationSchemaTables.contains(name)) {
                target = "isc";
            } else {
                return no("table " + schema + "." + name);
            }
            o.put("schema_name", target);
            o.put("table_name", name);
            touchedCatalog = true;
            return true;
        }

        private boolean tableFunction(ObjectNode o) {
            JsonNode f = o.path("function");
            if (!f.isObject() || !"FUNCTION".equals(f.path("class").asText())
                    || !TABLE_FUNCTIONS.contains(lower(f.path("function_name").asText()))) {
                return no("table function " + f.path("function_name").asText());
            }
            return o.path("sample").isNull() || o.path("sample").isMissingNode();
        }

        private boolean function(ObjectNode o) {
            String name = lower(o.path("function_name").asText(""));
            String schema = lower(o.path("schema").asText(""));
            if (!o.path("catalog").asText("").isEmpty()) {
                return no("function " + name + " of a catalog");
            }
            if (name.equals("_pg_expandarray") && (schema.isEmpty() || schema.equals("information_schema"))) {
                o.put("schema", "isc");
                return true;
            }
            // DuckDB's parser names the schema of its own built-ins for some syntax (TRIM(BOTH … FROM …) is main.trim)
            boolean builtInSchema = schema.equals("main") && CatalogFunctions.BUILT_IN.contains(name);
            if (!schema.isEmpty() && !schema.equals("pg_catalog") && !builtInSchema) {
                return no("function " + schema + "." + name);
            }
            if (CatalogFunctions.MACROS.contains(name)) {
                o.put("schema", "pgc");
                o.put("function_name", name);
                return true;
            }
            if (CatalogFunctions.BUILT_IN.contains(name)) {
                o.put("schema", "");
                // PostgreSQL's ~ searches; DuckDB's ~ matches the whole text
                o.put("function_name", name.equals("regexp_full_match") ? "regexp_matches" : name);
                return true;
            }
            return no("function " + name);
        }

        private boolean cast(ObjectNode o) {
            if (!(o.get("cast_type") instanceof ObjectNode type)) {
                return no("cast");
            }
            if (!"USER".equals(type.path("id").asText())) {
                return true;
            }
            JsonNode info = type.path("type_info");
            if (!info.path("catalog").asText("").isEmpty() || !info.path("schema").asText("").isEmpty()) {
                return no("qualified type");
            }
            String name = lower(info.path("user_type_name").asText(""));
            String id = NUMBER_TYPES.contains(name) ? "BIGINT" : TEXT_TYPES.contains(name) ? "VARCHAR" : null;
            if (id == null) {
                return no("type " + name);
            }
            type.put("id", id);
            type.putNull("type_info");
            return true;
        }
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

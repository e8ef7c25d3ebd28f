package com.akkio.dbproxy.policy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * DuckDB's own reading of a statement: the syntax tree its parser builds, from {@code json_serialize_sql(...)} of the
 * DuckDB JDBC driver the proxy ships with, on an empty in-memory database (it parses; it runs nothing). DuckDB
 * serialises SELECT statements only.
 */
final class DuckDbReading {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Functions DuckDB's binder calls when the parser saw an unqualified column of that name. */
    private static final Set<String> BARE_FUNCTIONS = Set.of("current_date", "current_time", "current_timestamp",
            "localtime", "localtimestamp", "current_user", "user", "session_user", "current_role", "current_catalog",
            "current_schema", "current_database");
    private static Connection connection;

    /** The statement as DuckDB parsed it, or why it did not: {@code error} is a parser error or "not a SELECT". */
    record Parse(JsonNode statement, String error) {
        boolean parsed() {
            return statement != null;
        }

        boolean notASelect() {
            return error != null && error.startsWith("not a SELECT");
        }
    }

    private DuckDbReading() {
    }

    static synchronized Parse parse(String sql) {
        try {
            if (connection == null) {
                connection = DriverManager.getConnection("jdbc:duckdb:");
            }
            try (PreparedStatement ps = connection.prepareStatement("SELECT json_serialize_sql(CAST(? AS VARCHAR))")) {
                ps.setString(1, sql);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    JsonNode result = JSON.readTree(rs.getString(1));
                    if (result.path("error").asBoolean()) {
                        String type = result.path("error_type").asText();
                        return new Parse(null, type.equals("not implemented") ? "not a SELECT"
                                : type + ": " + result.path("error_message").asText());
                    }
                    JsonNode statements = result.path("statements");
                    return statements.size() == 1 ? new Parse(statements.get(0), null)
                            : new Parse(null, statements.size() + " statements");
                }
            }
        } catch (SQLException | java.io.IOException e) {
            return new Parse(null, "DuckDB failed: " + e.getMessage());
        }
    }

    /**
     * The tree with what a faithful rewrite changes on purpose taken out, so that an original and its rewrite
     * compare equal exactly when the rewrite kept the meaning: positions in the text, table names' catalog and
     * schema (the rewrite qualifies every name), the case of names, qualifiers beyond table.column, and the row cap
     * (a wrapping {@code SELECT * FROM (...) AS akkio_capped}, the top-level LIMIT).
     */
    static JsonNode forMeaning(JsonNode statement) {
        ObjectNode copy = statement.deepCopy();
        JsonNode node = copy.path("node");
        if (isCapWrapper(node)) {
            copy.set("node", node.path("from_table").path("subquery").path("node"));
        }
        JsonNode top = copy.path("node").path("modifiers");
        if (top instanceof ArrayNode modifiers) {
            for (Iterator<JsonNode> it = modifiers.iterator(); it.hasNext(); ) {
                if (it.next().path("type").asText().equals("LIMIT_MODIFIER")) {
                    it.remove();
                }
            }
        }
        normalise(copy);
        return copy;
    }

    /**
     * The LIMIT DuckDB applies to a statement read as a set operation at its top: {@code [limit]} (-1 where there is
     * none or it is not a constant); an empty list for any other statement.
     */
    static List<Long> setOperationLimit(JsonNode statement) {
        JsonNode node = statement.path("node");
        if (!node.path("type").asText().equals("SET_OPERATION_NODE")) {
            return List.of();
        }
        for (JsonNode modifier : node.path("modifiers")) {
            JsonNode limit = modifier.path("limit");
            if (modifier.path("type").asText().equals("LIMIT_MODIFIER") && limit.path("class").asText().equals("CONSTANT")
                    && limit.path("value").path("value").canConvertToLong()) {
                return List.of(limit.path("value").path("value").asLong());
            }
        }
        return List.of(-1L);
    }

    private static boolean isCapWrapper(JsonNode node) {
        JsonNode from = node.path("from_table");
        return from.path("type").asText().equals("SUBQUERY") && from.path("alias").asText().equals("akkio_capped")
                && node.path("select_list").size() == 1
                && node.path("select_list").get(0).path("class").asText().equals("STAR");
    }

    private static void normalise(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("query_location");
            if (object.path("type").asText().equals("BASE_TABLE")) {
                object.put("catalog_name", "");
                object.put("schema_name", "");
                object.put("table_name", object.path("table_name").asText().toLowerCase(Locale.ROOT));
            }
            if (object.path("class").asText().equals("COLUMN_REF") && object.get("column_names") instanceof ArrayNode names) {
                ArrayNode kept = JSON.createArrayNode();
                for (int i = Math.max(0, names.size() - 2); i < names.size(); i++) {
                    kept.add(names.get(i).asText().toLowerCase(Locale.ROOT));
                }
                object.set("column_names", kept);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                normalise(it.next().getValue());
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(DuckDbReading::normalise);
        }
    }

    /** The objects and functions in DuckDB's tree: what the backend will resolve and call. */
    record Objects(Set<String> tables, Set<String> unqualified, Set<String> ctes, Set<String> functions,
                   Set<String> tableFunctions) {
    }

    static Objects objects(JsonNode statement) {
        Objects found = new Objects(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        // iterative: the oracle reads statements nested as deep as the engine allows, on the engine's small stacks
        java.util.ArrayDeque<JsonNode> pending = new java.util.ArrayDeque<>();
        pending.push(statement);
        while (!pending.isEmpty()) {
            collect(pending.pop(), found, pending);
        }
        return found;
    }

    private static void collect(JsonNode node, Objects found, java.util.Deque<JsonNode> pending) {
        if (node instanceof ObjectNode object) {
            String type = object.path("type").asText();
            String kind = object.path("class").asText();
            if (type.equals("BASE_TABLE")) {
                String catalog = lower(object, "catalog_name");
                String schema = lower(object, "schema_name");
                String table = lower(object, "table_name");
                if (!catalog.isEmpty() && !schema.isEmpty()) {
                    found.tables().add(catalog + "." + schema + "." + table);
                } else {
                    found.unqualified().add((schema.isEmpty() ? "" : schema + ".") + table);
                }
            } else if (type.equals("TABLE_FUNCTION")) {
                JsonNode function = object.path("function");
                found.tableFunctions().add(lower(function, "function_name"));
                function.path("children").forEach(pending::push);
                return;
            } else if ((kind.equals("FUNCTION") && !object.path("is_operator").asBoolean()) || kind.equals("WINDOW")) {
                String schema = lower(object, "schema");
                String name = lower(object, "function_name");
                found.functions().add(schema.isEmpty() || schema.equals("main") ? name : schema + "." + name);
            } else if (kind.equals("COLUMN_REF") && object.path("column_names").size() == 1
                    && BARE_FUNCTIONS.contains(object.path("column_names").get(0).asText().toLowerCase(Locale.ROOT))) {
                found.functions().add(object.path("column_names").get(0).asText().toLowerCase(Locale.ROOT));
            }
            if (object.get("cte_map") != null) {
                object.path("cte_map").path("map").forEach(e -> found.ctes().add(e.path("key").asText()
                        .toLowerCase(Locale.ROOT)));
            }
            object.fields().forEachRemaining(e -> pending.push(e.getValue()));
        } else if (node instanceof ArrayNode array) {
            array.forEach(pending::push);
        }
    }

    private static String lower(JsonNode node, String field) {
        return node.path(field).asText("").toLowerCase(Locale.ROOT);
    }
}

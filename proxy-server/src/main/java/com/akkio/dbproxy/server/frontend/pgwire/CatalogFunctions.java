package com.akkio.dbproxy.server.frontend.pgwire;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The functions a catalog query may call. PostgreSQL's catalog functions are macros of the governed catalog's
 * schema {@code pgc}, over its own tables (never DuckDB's: its {@code pg_catalog} macros read the engine's metadata);
 * a few of DuckDB's built-in functions that compute on values only are allowed as they are. Anything else makes a
 * query not a catalog query ({@link CatalogQuery}).
 */
final class CatalogFunctions {
    private CatalogFunctions() {
    }

    /** Built-in DuckDB functions and operators a catalog query may use: pure computations on their arguments. */
    static final Set<String> BUILT_IN = Set.of(
            // comparison, logic, arithmetic and string operators as DuckDB's parser names them
            "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "//", "%", "||", "~~", "!~~", "~~*", "!~~*",
            "regexp_matches", "regexp_full_match", "regexp_replace", "like_escape", "not_like_escape",
            "ilike_escape", "not_ilike_escape", "starts_with", "prefix", "suffix", "contains",
            // strings
            "lower", "upper", "length", "char_length", "character_length", "octet_length", "concat", "concat_ws",
            "substr", "substring", "strpos", "position", "replace", "trim", "ltrim", "rtrim", "btrim", "&", "|", "<<", ">>", "xor", "left",
            "right", "split_part", "string_split", "string_agg", "lpad", "rpad", "repeat", "reverse", "format",
            "md5",
            // values
            "coalesce", "nullif", "greatest", "least", "abs", "round", "floor", "ceil", "ceiling", "sign", "mod",
            // lists (PostgreSQL arrays)
            "array_to_string", "array_length", "array_upper", "array_lower", "list_contains", "array_contains",
            "list_position", "array_position", "list_extract", "array_extract", "array_slice", "list_slice",
            "len", "list_value", "array_value", "array_cat", "list_concat", "array_append", "list_append",
            "unnest", "generate_subscripts", "generate_series", "range", "cardinality", "array_agg", "list",
            "list_aggr", "any_value",
            // aggregates and windows
            "count", "count_star", "min", "max", "sum", "avg", "bool_and", "bool_or", "first", "last",
            "row_number", "rank", "dense_rank",
            // structs (a composite's field) and JSON objects
            "struct_extract", "struct_pack", "row", "json_object", "to_json");

    /** PostgreSQL's catalog functions, as macros of schema pgc: name → (parameters, body). */
    private static Map<String, String[]> macros(String database, String defaultSchema, String tenant) {
        Map<String, String[]> m = new LinkedHashMap<>();
        String visible = "(SELECT akkio_n.nspname = " + quote(defaultSchema) + " OR akkio_n.nspname = 'pg_catalog'"
                + " FROM pgc.pg_class akkio_c JOIN pgc.pg_namespace akkio_n ON akkio_n.oid = akkio_c.relnamespace WHERE akkio_c.oid = rel)";
        m.put("quote_ident", new String[] {"s", "CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s"
                + " ELSE '\"' || replace(s, '\"', '\"\"') || '\"' END"});
        m.put("pg_table_is_visible", new String[] {"rel", "coalesce(" + visible + ", false)"});
        m.put("pg_type_is_visible", new String[] {"t", "true"});
        m.put("pg_function_is_visible", new String[] {"f", "true"});
        m.put("pg_get_userbyid", new String[] {"r", quote(tenant)});
        m.put("pg_encoding_to_char", new String[] {"e", "'UTF8'"});
        m.put("format_type", new String[] {"t, typmod", "CASE WHEN t IS NULL THEN NULL"
                + " WHEN t = 1700 AND typmod > 4 THEN 'numeric(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535)"
                + " || ')' WHEN t = 1043 AND typmod > 4 THEN 'character varying(' || (typmod - 4) || ')'"
                + " ELSE coalesce((SELECT akkio_t.akkio_format FROM pgc.pg_type akkio_t WHERE akkio_t.oid = t), '???') END"});
        m.put("pg_get_expr", new String[] {"expr, rel|expr, rel, pretty", "expr"});
        m.put("obj_description", new String[] {"o|o, c", "CAST(NULL AS VARCHAR)"});
        m.put("col_description", new String[] {"o, c", "CAST(NULL AS VARCHAR)"});
        m.put("shobj_description", new String[] {"o, c", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_function_result", new String[] {"f", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_function_arguments", new String[] {"f", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_function_identity_arguments", new String[] {"f", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_serial_sequence", new String[] {"t, c", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_viewdef", new String[] {"v|v, pretty", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_partkeydef", new String[] {"t", "CAST(NULL AS VARCHAR)"});
        m.put("pg_get_constraintdef", new String[] {"con|con, pretty", "(SELECT CASE WHEN akkio_k.contype = 'p' THEN 'PRIMARY KEY ('"
                + " || array_to_string((SELECT list(akkio_a.attname ORDER BY akkio_u.i) FROM (SELECT unnest(akkio_k.conkey) AS n,"
                + " generate_subscripts(akkio_k.conkey, 1) AS i) akkio_u JOIN pgc.pg_attribute akkio_a ON akkio_a.attrelid = akkio_k.conrelid"
                + " AND akkio_a.attnum = akkio_u.n), ', ') || ')' END FROM pgc.pg_constraint akkio_k WHERE akkio_k.oid = con)"});
        String indexDef = "(SELECT 'CREATE UNIQUE INDEX ' || pgc.quote_ident(akkio_i.relname)"
                + " || ' ON ' || pgc.quote_ident(akkio_n.nspname) || '.' || pgc.quote_ident(akkio_t.relname)"
                + " || ' USING btree (' || array_to_string((SELECT list(akkio_a.attname ORDER BY akkio_u.i)"
                + " FROM (SELECT unnest(akkio_x.indkey) AS n, generate_subscripts(akkio_x.indkey, 1) AS i) akkio_u"
                + " JOIN pgc.pg_attribute akkio_a ON akkio_a.attrelid = akkio_x.indrelid AND akkio_a.attnum = akkio_u.n),"
                + " ', ') || ')' FROM pgc.pg_index akkio_x JOIN pgc.pg_class akkio_i ON akkio_i.oid = akkio_x.indexrelid"
                + " JOIN pgc.pg_class akkio_t ON akkio_t.oid = akkio_x.indrelid JOIN pgc.pg_namespace akkio_n"
                + " ON akkio_n.oid = akkio_t.relnamespace WHERE akkio_x.indexrelid = idx)";
        // with a column number (from 1) it is that key column's name, as pgjdbc's getIndexInfo asks
        m.put("pg_get_indexdef", new String[] {"idx", indexDef, "idx, col, pretty", "CASE WHEN col = 0 THEN "
                + indexDef + " ELSE (SELECT pgc.quote_ident(akkio_a.attname) FROM pgc.pg_index akkio_x"
                + " JOIN pgc.pg_attribute akkio_a ON akkio_a.attrelid = akkio_x.indrelid"
                + " AND akkio_a.attnum = akkio_x.indkey[col] WHERE akkio_x.indexrelid = idx) END"});
        m.put("pg_get_statisticsobjdef_columns", new String[] {"s", "CAST(NULL AS VARCHAR)"});
        m.put("pg_relation_is_publishable", new String[] {"r", "false"});
        m.put("pg_tablespace_location", new String[] {"t", "''"});
        m.put("pg_total_relation_size", new String[] {"r", "0"});
        m.put("pg_relation_size", new String[] {"r", "0"});
        m.put("pg_table_size", new String[] {"r", "0"});
        m.put("pg_size_pretty", new String[] {"b", "CAST(b AS VARCHAR) || ' bytes'"});
        m.put("has_table_privilege", new String[] {"a, b|u, a, b", "true"});
        m.put("has_schema_privilege", new String[] {"a, b|u, a, b", "true"});
        m.put("has_database_privilege", new String[] {"a, b|u, a, b", "true"});
        m.put("pg_has_role", new String[] {"a, b", "true"});
        m.put("current_schema", new String[] {"", quote(defaultSchema)});
        m.put("current_schemas", new String[] {"implicit", "CASE WHEN implicit THEN ['pg_catalog', "
                + quote(defaultSchema) + "] ELSE [" + quote(defaultSchema) + "] END"});
        m.put("current_database", new String[] {"", quote(database)});
        m.put("current_catalog", new String[] {"", quote(database)});
        m.put("current_user", new String[] {"", quote(tenant)});
        m.put("session_user", new String[] {"", quote(tenant)});
        m.put("user", new String[] {"", quote(tenant)});
        m.put("version", new String[] {"", quote(LocalStatements.VERSION_TEXT)});
        m.put("json_build_object", new String[] {"a := NULL, b := NULL, c := NULL, d := NULL, e := NULL,"
                + " f := NULL, g := NULL, h := NULL, i := NULL, j := NULL, k := NULL, l := NULL, m := NULL,"
                + " n := NULL", "CAST(NULL AS VARCHAR)"});
        m.put("akkio_regclass", new String[] {"name", "CASE lower(name) WHEN 'pg_class' THEN 1259"
                + " WHEN 'pg_catalog.pg_class' THEN 1259 WHEN 'pg_type' THEN 1247 WHEN 'pg_proc' THEN 1255"
                + " WHEN 'pg_attribute' THEN 1249 WHEN 'pg_namespace' THEN 2615 WHEN 'pg_constraint' THEN 2606"
                + " WHEN 'pg_description' THEN 2609 ELSE (SELECT akkio_c.oid FROM pgc.pg_class akkio_c JOIN pgc.pg_namespace akkio_n"
                + " ON akkio_n.oid = akkio_c.relnamespace WHERE akkio_c.relname = name OR akkio_n.nspname || '.' || akkio_c.relname = name"
                + " ORDER BY akkio_n.nspname <> " + quote(defaultSchema) + " LIMIT 1) END"});
        m.put("_pg_expandarray", new String[] {"arr", "unnest(list_transform(generate_series(1, len(arr)),"
                + " i -> {'x': arr[i], 'n': i}))"});
        return m;
    }

    /** The names {@link #create} defines, each called as {@code pgc.name}. */
    static final Set<String> MACROS = macros("", "", "").keySet();

    static void create(Connection c, String database, String defaultSchema, String tenant) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (Map.Entry<String, String[]> e : macros(database, defaultSchema, tenant).entrySet()) {
                String schema = e.getKey().equals("_pg_expandarray") ? "isc" : "pgc";
                // overloads (PostgreSQL's optional arguments): "a|a, b" share one body; else pairs of
                // parameters and body
                StringBuilder sql = new StringBuilder("CREATE MACRO " + schema + ".\"" + e.getKey() + "\"");
                String[] v = e.getValue();
                List<String[]> overloads = new java.util.ArrayList<>();
                if (v.length == 2) {
                    for (String params : v[0].split("\\|", -1)) {
                        overloads.add(new String[] {params, v[1]});
                    }
                } else {
                    for (int i = 0; i < v.length; i += 2) {
                        overloads.add(new String[] {v[i], v[i + 1]});
                    }
                }
                for (int i = 0; i < overloads.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append('(').append(overloads.get(i)[0]).append(") AS ")
                            .append(overloads.get(i)[1]);
                }
                st.execute(sql.toString());
            }
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}

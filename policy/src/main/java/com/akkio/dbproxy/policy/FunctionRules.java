package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which functions a statement may call. Scalar functions are allowed unless denied, because an analytics query calls
 * hundreds of harmless ones; table functions in FROM are denied unless listed, because most of them read files, URLs
 * or other queries.
 */
final class FunctionRules {
    /**
     * Functions that reach outside the catalog model (files, URLs, secrets, reflection, other queries) or reveal the
     * engine's own metadata and physical names, in DuckDB and in Databricks SQL.
     */
    static final List<String> BUILT_IN_DENIALS = List.of(
            // DuckDB: files, URLs, other queries, settings, environment, catalog introspection
            "read_*", "parquet_*", "sniff_csv", "glob", "query", "query_table", "getenv", "current_setting",
            "set_config", "duckdb_*", "pragma_*", "which_secret", "load_aws_credentials", "iceberg_*", "delta_scan",
            "sqlite_*", "postgres_*", "mysql_*", "json_execute_serialized_sql", "json_serialize_sql", "checkpoint",
            "force_checkpoint", "enable_*", "disable_*", "txid_current", "pg_*", "has_*_privilege", "col_description",
            "obj_description", "shobj_description", "current_query", "current_schemas",
            // both: the physical names behind the tenant's logical ones
            "current_catalog", "current_database", "current_schema", "current_user", "session_user", "user",
            // Databricks SQL: reflection, input files, secrets, network, model serving, streaming sources
            "reflect", "java_method", "try_reflect", "input_file_name", "input_file_block_start",
            "input_file_block_length", "current_metastore", "is_member", "is_account_group_member", "secret",
            "try_secret", "list_secrets", "http_request", "ai_*", "vector_search", "cloud_files_state",
            "session_window", "identifier",
            // object names passed as strings, and engine state
            "nextval", "currval", "setval", "lastval", "getvariable", "setvariable", "to_regclass", "to_regtype",
            "txid_*", "current_role", "system_user");

    private final Set<String> tableFunctions;
    private final Set<String> exactDenials = new java.util.HashSet<>();
    private final List<Pattern> globDenials = new ArrayList<>();

    FunctionRules(Collection<String> configuredDenials, Collection<String> tableFunctions) {
        this.tableFunctions = Set.copyOf(tableFunctions);
        for (String rule : BUILT_IN_DENIALS) {
            add(rule);
        }
        for (String rule : configuredDenials) {
            if (rule == null || rule.isBlank()) {
                throw new IllegalArgumentException("denied_functions has an empty entry");
            }
            add(rule);
        }
    }

    private void add(String rule) {
        String r = rule.trim().toLowerCase(Locale.ROOT);
        if (r.indexOf('*') < 0) {
            exactDenials.add(r);
        } else {
            globDenials.add(Pattern.compile(Pattern.quote(r).replace("*", "\\E.*\\Q")));
        }
    }

    Set<String> tableFunctions() {
        return tableFunctions;
    }

    boolean isTableFunctionAllowed(String lowerName) {
        return tableFunctions.contains(lowerName) && !isDenied(lowerName);
    }

    boolean isDenied(String lowerName) {
        if (exactDenials.contains(lowerName)) {
            return true;
        }
        for (Pattern p : globDenials) {
            if (p.matcher(lowerName).matches()) {
                return true;
            }
        }
        return false;
    }
}

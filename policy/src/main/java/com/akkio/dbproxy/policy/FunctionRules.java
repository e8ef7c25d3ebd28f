package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which functions a statement may call. Functions fail closed: a scalar, aggregate or window function must be on the
 * allow-list of the tenant's dialect ({@link #allowList}: the backend's own function catalog, reviewed, as data in
 * {@code functions/<dialect>.txt}) or match the policy's {@code allowed_functions}, and must not be on the built-in
 * deny-list or the policy's {@code denied_functions}; the deny-lists win over every allow-list. Table functions in
 * FROM are denied unless the policy lists them, because most of them read files, URLs or other queries.
 */
final class FunctionRules {
    /**
     * Functions that reach outside the tenant's tables or the statement (files, URLs, secrets, reflection, other
     * queries, settings, the environment, other databases, session state, the engine's metadata and physical names)
     * or change state, in DuckDB and in Databricks SQL. No policy can allow them; the allow-lists are generated
     * without them.
     */
    static final List<String> BUILT_IN_DENIALS = List.of(
            // DuckDB: files, URLs, other queries, settings, environment, catalog introspection
            "read_*", "parquet_*", "sniff_csv", "glob", "query", "query_table", "getenv", "current_setting",
            "set_config", "duckdb_*", "pragma_*", "which_secret", "load_aws_credentials", "iceberg_*", "delta_scan",
            "sqlite_*", "postgres_*", "mysql_*", "json_execute_serialized_sql", "json_serialize_sql", "checkpoint",
            "force_checkpoint", "enable_*", "disable_*", "txid_current", "pg_*", "has_*_privilege", "col_description",
            "obj_description", "shobj_description", "current_query", "current_schemas",
            // DuckDB: session state and its changes, logs, plans of other queries, storage internals
            "setseed", "current_connection_id", "current_query_id", "current_transaction_id", "write_log",
            "parse_duckdb_log_message", "json_serialize_plan", "json_deserialize_sql", "get_block_size", "inet_*",
            "in_search_path", "stats", "format_pg_type", "format_type", "map_to_pg_oid", "__*",
            // both: the physical names behind the tenant's logical ones, the engine and its version
            "current_catalog", "current_database", "current_schema", "current_user", "session_user", "user",
            "version", "current_version",
            // Databricks SQL: reflection, input files, secrets, network, model serving, streaming sources, settings
            "reflect", "java_method", "try_reflect", "input_file_name", "input_file_block_start",
            "input_file_block_length", "current_metastore", "is_member", "is_account_group_member", "secret",
            "try_secret", "list_secrets", "http_request", "ai_*", "vector_search", "cloud_files_state",
            "session_window", "identifier", "spark_partition_id", "current_timezone", "xpath*",
            // object names passed as strings, and engine state
            "nextval", "currval", "setval", "lastval", "getvariable", "setvariable", "to_regclass", "to_regtype",
            "txid_*", "current_role", "system_user");

    private static final Rules BUILT_IN = new Rules();
    private static final Map<Dialect, Set<String>> ALLOW_LISTS = new EnumMap<>(Dialect.class);

    static {
        BUILT_IN_DENIALS.forEach(BUILT_IN::add);
    }

    private final Dialect dialect;
    private final Set<String> tableFunctions;
    private final Rules denied = new Rules();
    private final Set<String> allowed = new HashSet<>();

    FunctionRules(Dialect dialect, Collection<String> configuredDenials, Collection<String> configuredAllowed,
                  Collection<String> tableFunctions) {
        this.dialect = dialect;
        this.tableFunctions = Set.copyOf(tableFunctions);
        BUILT_IN_DENIALS.forEach(denied::add);
        for (String rule : configuredDenials) {
            denied.add(nonBlank(rule, "denied_functions"));
        }
        for (String name : configuredAllowed) {
            try {
                allowed.add(checkAllowable(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("allowed_functions: " + e.getMessage(), e);
            }
        }
    }

    private static String nonBlank(String rule, String key) {
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException(key + " has an empty entry");
        }
        return rule;
    }

    /**
     * An entry of {@code allowed_functions}, lower case: one function name, no glob, since each function a tenant
     * adds is a decision about that function, and not one the built-in deny-list covers, which no policy can allow.
     *
     * @throws IllegalArgumentException naming the entry otherwise
     */
    static String checkAllowable(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an entry is empty");
        }
        String lower = name.strip().toLowerCase(Locale.ROOT);
        if (!lower.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("'" + name + "' is not a function name (one unqualified name per"
                    + " entry; no globs)");
        }
        if (BUILT_IN.matches(lower)) {
            throw new IllegalArgumentException("'" + name + "' is on the built-in deny-list (it reaches outside"
                    + " the tenant's tables or changes state) and cannot be allowed");
        }
        return lower;
    }

    Set<String> tableFunctions() {
        return tableFunctions;
    }

    Dialect dialect() {
        return dialect;
    }

    boolean isTableFunctionAllowed(String lowerName) {
        return tableFunctions.contains(lowerName) && !isDenied(lowerName);
    }

    boolean isDenied(String lowerName) {
        return denied.matches(lowerName);
    }

    /** On the dialect's allow-list or the policy's {@code allowed_functions}; a denial is checked separately. */
    boolean isAllowed(String lowerName) {
        return allowList(dialect).contains(lowerName) || allowed.contains(lowerName);
    }

    /**
     * The functions a tenant of this dialect may call without listing them: the resource
     * {@code functions/<dialect>.txt}, one lower-case name a line, {@code #} comments. Written by
     * {@code FunctionCatalogTest} from the backend's own function catalog, less the built-in denials.
     */
    static Set<String> allowList(Dialect dialect) {
        synchronized (ALLOW_LISTS) {
            return ALLOW_LISTS.computeIfAbsent(dialect, FunctionRules::load);
        }
    }

    static String resourceName(Dialect dialect) {
        return "functions/" + dialect.name().toLowerCase(Locale.ROOT) + ".txt";
    }

    private static Set<String> load(Dialect dialect) {
        return WordLists.read(resourceName(dialect), "function allow-list");
    }

    /** Names and globs ({@code ai_*}), lower case. */
    private static final class Rules {
        private final Set<String> exact = new HashSet<>();
        private final List<Glob> globs = new ArrayList<>();

        void add(String rule) {
            String r = rule.trim().toLowerCase(Locale.ROOT);
            if (r.indexOf('*') < 0) {
                exact.add(r);
            } else {
                globs.add(new Glob(r));
            }
        }

        boolean matches(String lowerName) {
            if (exact.contains(lowerName)) {
                return true;
            }
            for (Glob g : globs) {
                if (g.matches(lowerName)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A rule with stars, each any run of characters but a line end (as {@code .*} of the regular expression it is
     * also kept as, which answers for a name holding a line end): matched on its literal parts without a regular
     * expression, because every function call of every first-time decision is checked against all of them.
     */
    static final class Glob {
        private final String[] parts;
        private final Pattern pattern;

        Glob(String rule) {
            this.parts = rule.split("\\*", -1);
            this.pattern = Pattern.compile(Pattern.quote(rule).replace("*", "\\E.*\\Q"));
        }

        boolean matches(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                    return pattern.matcher(name).matches();
                }
            }
            String first = parts[0];
            String last = parts[parts.length - 1];
            if (name.length() < first.length() + last.length() || !name.startsWith(first) || !name.endsWith(last)) {
                return false;
            }
            int at = first.length();
            int end = name.length() - last.length();
            for (int i = 1; i < parts.length - 1; i++) {
                int found = name.indexOf(parts[i], at);
                if (found < 0 || found + parts[i].length() > end) {
                    return false;
                }
                at = found + parts[i].length();
            }
            return true;
        }
    }
}

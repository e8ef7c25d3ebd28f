package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The function allow-lists ({@code policy/src/main/resources/com/akkio/dbproxy/policy/functions/*.txt}) and the
 * generator that writes them from each backend's own function catalog, less {@link FunctionRules#BUILT_IN_DENIALS}
 * (the reviewed exclusions: whatever reads settings, files, URLs, the environment, other databases or session
 * state, or changes state).
 *
 * <ul>
 *   <li>DuckDB: the scalar, aggregate and macro functions of {@code duckdb_functions()} in the system catalog of the
 *   DuckDB JDBC driver the proxy ships with, plus {@link #DUCKDB_SPECIAL_FORMS}. This test regenerates the list
 *   and fails when the file differs: a DuckDB upgrade that adds a function shows up here for review.</li>
 *   <li>Databricks SQL: Spark's built-in function registry ({@code FunctionRegistry.builtin} of spark-catalyst
 *   3.5.5, the engine under Databricks SQL), plus {@link #SPARK_SPECIAL_FORMS} and {@link #DATABRICKS_ADDITIONS}
 *   (functions of the Databricks SQL language reference that Spark 3.5 does not have). spark-catalyst is not a
 *   dependency (130 jars); with its class path the generator reads the registry:
 *   {@code mvn dependency:build-classpath -Dmdep.outputFile=/tmp/spark.cp} in a project depending on
 *   {@code org.apache.spark:spark-catalyst_2.13:3.5.5}, then
 *   {@code mvn -pl policy test -Dtest=FunctionCatalogTest -Dakkio.functions.spark-classpath=$(cat /tmp/spark.cp)}.
 *   Without it, the checked-in list is checked for the invariants.</li>
 * </ul>
 *
 * {@code -Dakkio.functions.write=true} writes the files instead of comparing.
 */
class FunctionCatalogTest {
    private static final Path RESOURCES = Path.of("src/main/resources/com/akkio/dbproxy/policy");
    private static final boolean WRITE = Boolean.getBoolean("akkio.functions.write");
    /** Functions DuckDB's parser and binder implement themselves, so its catalog does not list them. */
    static final Set<String> DUCKDB_SPECIAL_FORMS = Set.of("coalesce", "ifnull", "if", "try", "grouping",
            "grouping_id", "row_number", "rank", "dense_rank", "rank_dense", "percent_rank", "cume_dist", "ntile",
            "lag", "lead", "first_value", "last_value", "nth_value", "fill", "columns", "unpack", "unnest",
            "percentile_cont", "percentile_disc", "rollup", "cube", "current_date", "current_time",
            "current_timestamp", "localtime", "localtimestamp");
    /** Functions Spark's grammar implements, so its registry does not list them. */
    static final Set<String> SPARK_SPECIAL_FORMS = Set.of("percentile_cont", "percentile_disc", "timestampadd",
            "timestampdiff", "rollup", "cube", "current_date", "current_timestamp");
    /**
     * Databricks SQL functions of its language reference that Spark 3.5 lacks, each pure: strings, numbers, dates,
     * JSON and VARIANT values, aggregates.
     */
    static final Set<String> DATABRICKS_ADDITIONS = Set.of("listagg", "string_agg", "parse_json", "try_parse_json",
            "variant_get", "try_variant_get", "is_variant_null", "schema_of_variant", "schema_of_variant_agg",
            "to_variant_object", "randstr", "uniform", "try_mod", "try_make_timestamp", "try_url_decode",
            "validate_utf8", "try_validate_utf8", "make_valid_utf8", "is_valid_utf8", "quote", "dayname",
            "monthname", "zeroifnull", "nullifzero", "collation", "iff", "approx_top_k");

    private final FunctionRules builtInOnly = new FunctionRules(Dialect.DUCKDB, List.of(), List.of(), Set.of());

    @Test
    void theDuckDbAllowListIsDuckDbsOwnCatalogLessTheDeniedFunctions() throws Exception {
        Set<String> catalog = new TreeSet<>(DUCKDB_SPECIAL_FORMS);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT function_name FROM duckdb_functions()"
                     + " WHERE database_name = 'system' AND function_type IN ('scalar', 'aggregate', 'macro')")) {
            while (rs.next()) {
                catalog.add(rs.getString(1));
            }
        }
        assertThat(catalog).as("DuckDB's catalog").hasSizeGreaterThan(700).contains("sum", "regexp_matches",
                "setseed", "current_setting");
        check(Dialect.DUCKDB, "duckdb_functions() of DuckDB " + duckDbVersion() + " (scalar, aggregate and"
                + " macro functions of the system catalog)\n#   and the functions its parser and binder implement,",
                catalog);
    }

    @Test
    void theDatabricksAllowListIsSparksRegistryAndTheReferencesAdditionsLessTheDeniedFunctions() throws Exception {
        String classPath = System.getProperty("akkio.functions.spark-classpath", "");
        if (classPath.isBlank()) {
            List<String> listed = names(Dialect.DATABRICKS);
            assertThat(listed).as("sorted, unique, lower-case names").isSorted().doesNotHaveDuplicates()
                    .allMatch(n -> n.matches("[a-z_][a-z0-9_]*"));
            assertThat(listed).containsAll(DATABRICKS_ADDITIONS).containsAll(SPARK_SPECIAL_FORMS)
                    .contains("sum", "approx_percentile", "date_trunc", "regexp_extract", "get_json_object")
                    .noneMatch(builtInOnly::isDenied);
            return;
        }
        Set<String> catalog = new TreeSet<>(SPARK_SPECIAL_FORMS);
        catalog.addAll(DATABRICKS_ADDITIONS);
        catalog.addAll(sparkRegistry(classPath));
        check(Dialect.DATABRICKS, "Spark 3.5.5's FunctionRegistry.builtin (the engine under Databricks SQL), the"
                + " functions its grammar\n#   implements and the Databricks SQL reference's functions Spark 3.5 lacks,",
                catalog);
    }

    @Test
    void everyNameOfTheCorporaThatTheBackendsKnowIsOnTheirAllowList() {
        for (String fn : List.of("count", "sum", "avg", "min", "max", "row_number", "rank", "coalesce", "lag",
                "date_trunc", "substring", "round", "abs", "stddev_samp", "regexp_replace", "lower", "cast")) {
            if (!fn.equals("cast")) {
                assertThat(FunctionRules.allowList(Dialect.DUCKDB)).as("duckdb " + fn).contains(fn);
            }
        }
        for (String fn : List.of("count", "sum", "avg", "stddev_samp", "rank", "coalesce", "substr", "round",
                "grouping", "rollup")) {
            assertThat(FunctionRules.allowList(Dialect.DATABRICKS)).as("databricks " + fn).contains(fn);
        }
    }

    /** Compares the list generated from {@code catalog} with the checked-in file, or writes it. */
    private void check(Dialect dialect, String source, Set<String> catalog) throws Exception {
        List<String> generated = new ArrayList<>();
        for (String name : catalog) {
            String lower = name.toLowerCase(Locale.ROOT);
            // operators (+, ||, ~~) are not called by name; denied functions are left out
            if (lower.matches("[a-z_][a-z0-9_]*") && !builtInOnly.isDenied(lower) && !generated.contains(lower)) {
                generated.add(lower);
            }
        }
        generated.sort(null);
        Path file = RESOURCES.resolve(FunctionRules.resourceName(dialect));
        if (WRITE) {
            List<String> lines = new ArrayList<>(List.of(
                    "# Functions a " + dialect + " tenant may call without listing them in allowed_functions.",
                    "# Generated by FunctionCatalogTest (policy tests) from",
                    "#   " + source,
                    "# less FunctionRules.BUILT_IN_DENIALS. Data, not code: regenerate, do not edit."));
            lines.addAll(generated);
            Files.createDirectories(file.getParent());
            Files.write(file, lines);
            return;
        }
        assertThat(names(dialect)).as("%s (regenerate with -Dakkio.functions.write=true, then review the"
                + " difference)", file).containsExactlyElementsOf(generated);
    }

    private static List<String> names(Dialect dialect) throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(RESOURCES.resolve(FunctionRules.resourceName(dialect)))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.strip());
            }
        }
        return names;
    }

    private static String duckDbVersion() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** {@code FunctionRegistry.builtin.listFunction()} of spark-catalyst, loaded from the given class path. */
    private static Set<String> sparkRegistry(String classPath) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), null)) {
            Class<?> registry = loader.loadClass("org.apache.spark.sql.catalyst.analysis.FunctionRegistry$");
            Object module = registry.getField("MODULE$").get(null);
            Object builtin = registry.getMethod("builtin").invoke(module);
            Object functions = builtin.getClass().getMethod("listFunction").invoke(builtin);
            Class<?> converters = loader.loadClass("scala.jdk.javaapi.CollectionConverters");
            Class<?> iterable = loader.loadClass("scala.collection.Iterable");
            Iterable<?> names = (Iterable<?>) converters.getMethod("asJava", iterable).invoke(null, functions);
            Set<String> out = new TreeSet<>();
            for (Iterator<?> it = names.iterator(); it.hasNext(); ) {
                Object id = it.next();
                out.add((String) id.getClass().getMethod("funcName").invoke(id));
            }
            return out;
        }
    }
}

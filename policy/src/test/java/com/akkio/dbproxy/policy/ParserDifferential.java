package com.akkio.dbproxy.policy;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import net.sf.jsqlparser.statement.Statements;

/**
 * The parser differential oracle: the engine decides on JSqlParser's reading of a text, the backend runs its own
 * reading of the rewritten text. For an allowed statement, the backend's parser must see exactly the tables the
 * engine checked, call only functions the policy allows, and (for DuckDB) read the rewrite as it reads the original.
 */
final class ParserDifferential {
    /**
     * Functions JSqlParser keeps as calls that DuckDB's parser turns into syntax of its own (an operator, a CASE, a
     * GROUPING SETS clause, a subquery) or renames ({@code count(*)} is {@code count_star}): they are checked by the
     * engine and absent from DuckDB's calls, which is no difference.
     */
    static final Set<String> DUCKDB_SYNTAX = Set.of("coalesce", "if", "ifnull", "nullif", "grouping", "grouping_id",
            "rollup", "cube", "exists", "count", "unnest", "columns", "unpack", "try", "row", "struct_pack",
            "percentile_cont", "percentile_disc", "mode", "current_date", "current_time", "current_timestamp",
            "localtime", "localtimestamp");

    /**
     * Functions JSqlParser keeps as calls that Spark's grammar has rules of its own for ({@code EXTRACT(...)},
     * {@code SUBSTRING(x FROM 1)}, {@code percentile_cont(...) WITHIN GROUP}, {@code CAST}, ...), or turns into
     * grouping syntax ({@code ROLLUP}, {@code CUBE}).
     */
    static final Set<String> SPARK_SYNTAX = Set.of("extract", "substring", "substr", "trim", "position", "overlay",
            "percentile_cont", "percentile_disc", "timestampadd", "timestampdiff", "dateadd", "datediff",
            "date_add", "date_diff", "struct", "first", "last", "any_value", "cast", "try_cast", "rollup", "cube",
            "grouping_sets", "current_date", "current_timestamp", "exists", "if", "case",
            "any");

    /**
     * What the comparison found for one statement: not compared (the backend's parser does not serialise that kind
     * of statement), refused by the backend's parser as it stands and as rewritten (the backend answers a syntax
     * error; nothing runs), the same reading, or a difference.
     */
    record Outcome(boolean compared, boolean refusedByBackend, String difference) {
        static final Outcome NOT_COMPARED = new Outcome(false, false, null);
        static final Outcome REFUSED = new Outcome(true, true, null);
        static final Outcome SAME = new Outcome(true, false, null);
    }

    private ParserDifferential() {
    }

    /** DuckDB's reading of the rewrite, and of the original, against what the engine checked. */
    static Outcome duckdb(TenantPolicy policy, String original, Decision decision) {
        if (!decision.isAllowed()) {
            return Outcome.NOT_COMPARED;
        }
        String rewritten = decision.rewrittenSql();
        DuckDbReading.Parse backend = DuckDbReading.parse(rewritten);
        if (backend.notASelect()) {
            return Outcome.NOT_COMPARED;
        }
        DuckDbReading.Parse before = DuckDbReading.parse(original);
        if (!backend.parsed()) {
            return before.parsed() ? different("DuckDB parses the original but not the rewrite ("
                    + backend.error() + ")", original, rewritten) : Outcome.REFUSED;
        }
        if (!before.parsed() && !before.notASelect()) {
            return different("DuckDB cannot parse the original (" + before.error() + ") but parses the rewrite: the"
                    + " rewrite means something the tenant did not write", original, rewritten);
        }
        if (before.parsed() && !DuckDbReading.forMeaning(before.statement())
                .equals(DuckDbReading.forMeaning(backend.statement()))) {
            return different("DuckDB reads the rewrite differently from the original", original, rewritten);
        }
        Outcome capped = setOperationCapped("DuckDB", policy, DuckDbReading.setOperationLimit(backend.statement()),
                original, rewritten);
        if (capped != Outcome.SAME) {
            return capped;
        }
        DuckDbReading.Objects seen = DuckDbReading.objects(backend.statement());
        Outcome tables = tables("DuckDB", decision, seen.tables(), seen.unqualified(), seen.ctes(), original);
        return tables != Outcome.SAME ? tables : functions(policy, seen.functions(), seen.tableFunctions(),
                engineFunctions(policy, rewritten), DUCKDB_SYNTAX, original, rewritten);
    }

    /** Spark's reading of the rewrite, and of the original, against what the engine checked (Databricks SQL). */
    static Outcome databricks(TenantPolicy policy, String original, Decision decision) {
        if (!decision.isAllowed()) {
            return Outcome.NOT_COMPARED;
        }
        String rewritten = WriteCapText.withoutWrapper(decision.rewrittenSql(), policy);
        SparkReading.Parse backend = SparkReading.parse(rewritten);
        SparkReading.Parse before = SparkReading.parse(original);
        if (!backend.parsed()) {
            return before.parsed() ? different("Spark parses the original but not the rewrite (" + backend.error()
                    + ")", original, rewritten) : Outcome.REFUSED;
        }
        if (!before.parsed()) {
            return different("Spark cannot parse the original (" + before.error() + ") but parses the rewrite: the"
                    + " rewrite means something the tenant did not write", original, rewritten);
        }
        Outcome capped = setOperationCapped("Spark", policy, SparkReading.setOperationLimit(rewritten), original,
                rewritten);
        if (capped != Outcome.SAME) {
            return capped;
        }
        SparkReading.Objects seen = backend.objects();
        Outcome tables = tables("Spark", decision, seen.tables(), seen.unqualified(), seen.ctes(), original);
        return tables != Outcome.SAME ? tables : functions(policy, seen.functions(), seen.tableFunctions(),
                engineFunctions(policy, rewritten), SPARK_SYNTAX, original, rewritten);
    }

    /**
     * A set operation the engine sent as written (not in the cap's wrapper, RowCap.limitedAsWritten) must be one the
     * backend caps as a whole, by a LIMIT within the tenant's cap.
     *
     * @param limit the backend's {@code setOperationLimit}: empty for a statement that is no set operation at the top
     */
    private static Outcome setOperationCapped(String backend, TenantPolicy policy, List<Long> limit, String original,
                                              String rewritten) {
        if (limit == null || limit.isEmpty() || limit.get(0) >= 0 && limit.get(0) <= policy.maxRows()) {
            return Outcome.SAME;
        }
        return different(backend + " reads a set operation without a LIMIT within the cap of " + policy.maxRows()
                + " over the whole of it", original, rewritten);
    }

    /**
     * The backend must resolve exactly the tables the engine checked, all fully qualified; every other name it reads
     * as a table must be a common table expression of the statement.
     */
    private static Outcome tables(String backend, Decision decision, Set<String> qualified, Set<String> unqualified,
                                  Set<String> ctes, String original) {
        Set<String> checked = new TreeSet<>();
        decision.reads().forEach(q -> checked.add(q.toString()));
        decision.writes().forEach(q -> checked.add(q.toString()));
        if (!qualified.equals(checked)) {
            return different(backend + " resolves tables " + qualified + ", the engine checked " + checked, original,
                    decision.rewrittenSql());
        }
        Set<String> strays = new TreeSet<>(unqualified);
        strays.removeAll(ctes);
        if (!strays.isEmpty()) {
            return different(backend + " reads " + strays + " as tables that are neither fully qualified nor a"
                    + " common table expression", original, decision.rewrittenSql());
        }
        return Outcome.SAME;
    }

    /**
     * Every function the backend will call must be one the policy allows; every function the engine checked must be
     * one the backend calls, unless the backend's parser turns it into syntax of its own ({@code syntax}).
     */
    static Outcome functions(TenantPolicy policy, Set<String> backendCalls, Set<String> backendTableFunctions,
                             Set<String> engineChecked, Set<String> syntax, String original, String rewritten) {
        FunctionRules rules = policy.functionRules();
        for (String name : backendCalls) {
            if (name.contains(".") || rules.isDenied(name) || !rules.isAllowed(name)) {
                return different("the backend calls " + name + "(), which the policy does not allow", original,
                        rewritten);
            }
        }
        for (String name : backendTableFunctions) {
            if (!rules.isTableFunctionAllowed(name)) {
                return different("the backend calls table function " + name + "(), which the policy does not allow",
                        original, rewritten);
            }
        }
        Set<String> unseen = new TreeSet<>(engineChecked);
        unseen.removeAll(backendCalls);
        unseen.removeAll(backendTableFunctions);
        unseen.removeAll(syntax);
        if (!unseen.isEmpty()) {
            return different("the engine checked " + unseen + ", which the backend does not call", original,
                    rewritten);
        }
        return Outcome.SAME;
    }

    /** The functions the engine checks in the rewritten text, as it checks it before sending it. */
    static Set<String> engineFunctions(TenantPolicy policy, String rewritten) {
        try {
            Statements statements = SqlParser.parse(rewritten, policy.dialect()).statements();
            ObjectAnalyzer analyzer = new ObjectAnalyzer(policy, true);
            analyzer.analyze(statements.get(0));
            return analyzer.functionNames();
        } catch (SqlParser.SyntaxError e) {
            throw new AssertionError("the engine's own rewrite does not parse: " + rewritten, e);
        }
    }

    private static Outcome different(String what, String original, String rewritten) {
        record(what + "\n  original:  " + original + "\n  rewritten: " + rewritten + "\n");
        return new Outcome(true, false, what + "\n  original:  " + FuzzOracle.abbreviate(original) + "\n  rewritten: "
                + FuzzOracle.abbreviate(rewritten));
    }

    /** Keeps each difference whole in {@code target/parser-differences.txt}, for a fuzz run's triage. */
    private static synchronized void record(String difference) {
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "parser-differences.txt"), difference,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Tallies of a run: statements compared, refused by the backend's parser, and the differences found. */
    static final class Tally {
        int compared;
        int refused;
        final List<String> differences = new java.util.ArrayList<>();

        void add(Outcome o) {
            compared += o.compared() ? 1 : 0;
            refused += o.refusedByBackend() ? 1 : 0;
            if (o.difference() != null) {
                differences.add(o.difference());
            }
        }

        @Override
        public String toString() {
            return compared + " compared (" + refused + " refused by the backend's parser as written and as"
                    + " rewritten), " + differences.size() + " differences";
        }
    }
}

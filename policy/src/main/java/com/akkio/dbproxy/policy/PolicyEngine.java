package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * The one entry point between the proxy and policy: {@link #decide} takes a tenant's policy and one SQL text and
 * returns a {@link Decision}. Thread-safe and free of I/O; its only state is how many decisions came from where
 * ({@link #decisions}), and each policy's memo.
 *
 * <p>Steps: parse in the backend's dialect (unparseable text is denied), refuse multiple statements, classify and
 * check the kind against the policy, find and check every object and function at any depth, rewrite every object to
 * its quoted physical name and cap the rows of queries, then verify the rewritten text: proven from its tokens where
 * it differs from the parsed text only in those names and the cap ({@link RewriteProof}), else parsed again, and
 * required to touch exactly the objects that were checked. Any doubt is a denial. Decisions are remembered per
 * policy object (see {@link DecisionMemo}), so a repeated text costs a map look-up, and a text that differs from earlier ones only
 * in literal values is decided from their {@link ShapeTemplate} without parsing.
 */
public final class PolicyEngine {
    private static final java.util.regex.Pattern UNICODE_ESCAPE = java.util.regex.Pattern.compile(
            "(?i)(?<![\\p{L}\\p{N}_$])u&['\"]");
    private final LongAdder[] decisions = {new LongAdder(), new LongAdder(), new LongAdder()};

    /**
     * The reason to give a client whose write the backend failed because it would have added more rows than the
     * policy's {@code max_write_rows} (the backend's message carries the rewrite's own error text), or null when
     * {@code backendMessage} is not that failure.
     */
    public static String writeRowsExceeded(String backendMessage) {
        return WriteCap.reason(backendMessage);
    }

    /** True when {@code decision} is a write the engine rewrote to fail over {@code max_write_rows}. */
    public static boolean writeCapped(Decision decision) {
        return decision.isAllowed() && decision.rewrittenSql().contains(WriteCap.MARKER)
                && !decision.writes().isEmpty();
    }

    /** How many decisions this engine has made from the given source since it was created. */
    public long decisions(DecisionSource source) {
        return decisions[Objects.requireNonNull(source, "source").ordinal()].sum();
    }

    /**
     * Decides one SQL text under a tenant's policy. Never throws for any text: whatever the client sent, including
     * no text at all ({@code null}, denied as {@link DenyCode#EMPTY_STATEMENT} like blank text), the answer is a
     * {@link Decision}.
     *
     * @throws NullPointerException if {@code policy} is null: a caller without a policy has no tenant to decide for
     */
    public Decision decide(TenantPolicy policy, String sql) {
        Objects.requireNonNull(policy, "policy");
        if (sql == null) {
            return Decision.deny(DenyCode.EMPTY_STATEMENT, "empty statement", null);
        }
        DecisionMemo memo = policy.memo();
        // views list the backend's columns: a decision made with other columns is not served again
        boolean governed = !policy.rowPolicies().isEmpty();
        long columnsVersion = governed ? memo.sync(policy.tableColumns().version()) : 0;
        Decision known = memo.get(sql);
        if (known != null) {
            decisions[DecisionSource.MEMO.ordinal()].increment();
            return known;
        }
        Decision refused = refuseUnparsed(policy, sql);
        if (refused != null) {
            decisions[DecisionSource.FULL.ordinal()].increment();
            memo.put(sql, refused);
            return refused;
        }
        LiteralShape shape = memo.acceptsShapeOf(sql) ? memo.refined(LiteralShape.of(sql, policy.dialect())) : null;
        ShapeTemplate template = shape == null ? null : memo.template(shape.key());
        Decision.Allowed templated = template == null ? null : template.decide(shape);
        Decision decision = templated != null ? templated : parseAndCheck(policy, sql, null);
        decisions[(templated != null ? DecisionSource.TEMPLATE : DecisionSource.FULL).ordinal()].increment();
        if (template == null && shape != null && decision instanceof Decision.Allowed allowed
                && memo.seenBefore(shape.key())) {
            learn(policy, shape, allowed);
        }
        if (!governed || policy.tableColumns().version() == columnsVersion) {
            memo.put(sql, decision);
        }
        return decision;
    }

    /**
     * Gives a shape seen twice and allowed its template (see {@link ShapeTemplate}); if the parser did not confirm
     * some of its slots as values, keeps those in the key instead, and the shape they make tries again.
     */
    private static void learn(TenantPolicy policy, LiteralShape shape, Decision.Allowed decided) {
        String[] sentinels = ShapeTemplate.sentinels(shape);
        List<String> literals = new ArrayList<>();
        String probeSql = shape.withSlots(sentinels);
        Decision refused = refuseUnparsed(policy, probeSql);
        Decision probe = refused != null ? refused : parseAndCheck(policy, probeSql, literals);
        ShapeTemplate template = ShapeTemplate.of(shape, decided, sentinels, probe, literals);
        BitSet keep = template == null ? ShapeTemplate.unconfirmed(shape, decided, sentinels, probe, literals) : null;
        if (keep != null && shape.canKeep(keep)) {
            policy.memo().putRefinement(shape.key(), keep);
        } else {
            policy.memo().putTemplate(shape.key(), template);
        }
    }

    /**
     * The denial of a text refused before it is parsed (empty, too long, variable substitution for Databricks, nested
     * too deeply), or null.
     */
    private static Decision refuseUnparsed(TenantPolicy policy, String sql) {
        if (sql.isBlank()) {
            return Decision.deny(DenyCode.EMPTY_STATEMENT, "empty statement", null);
        }
        if (sql.length() > policy.maxSqlLength()) {
            return Decision.deny(DenyCode.SQL_TOO_LONG, "statement is " + sql.length()
                    + " characters, over the limit of " + policy.maxSqlLength() + " (rule: max_sql_length)", null);
        }
        if (policy.dialect() == Dialect.DATABRICKS && sql.contains("${")) {
            // Spark substitutes ${var}, ${env:X}, ${system:X} and configuration values into the text before parsing,
            // inside string literals too: the backend would run text the engine never saw
            return Decision.deny(DenyCode.UNSUPPORTED_CONSTRUCT, "'${' is Spark variable substitution, which can"
                    + " expand configuration, system properties and environment variables before the statement is"
                    + " parsed; it is not allowed, also inside literals", null);
        }
        // the pattern needs an '&': a text without one is not searched (4 % of a first-time decision's samples)
        if (policy.dialect() == Dialect.DUCKDB && sql.indexOf('&') >= 0 && UNICODE_ESCAPE.matcher(sql).find()) {
            // DuckDB lexes U&'...' (and U&"...") as one token; the parser reads U & '...', a different expression,
            // and would send that. Searched in the whole text, strings and comments too: a rare false denial is
            // the price of not lexing here
            return Decision.deny(DenyCode.AMBIGUOUS_LITERAL, "U&'...' is a Unicode escape string to DuckDB and an"
                    + " operator to the proxy's parser; write the characters themselves (rule: literals every"
                    + " reader lexes alike)", null);
        }
        int depth = BracketDepth.of(sql);
        if (depth > BracketDepth.MAX) {
            return Decision.deny(DenyCode.UNSUPPORTED_CONSTRUCT, "statement nests brackets " + depth
                    + " levels deep, over the limit of " + BracketDepth.MAX + " (parse time grows steeply with nesting)",
                    null);
        }
        return null;
    }

    /**
     * A full decision of one text that verifies every rewrite by parsing it again, never by {@link RewriteProof}: what
     * the tests compare the proof with. No memo, no template.
     */
    static Decision decideByReparse(TenantPolicy policy, String sql) {
        Decision refused = refuseUnparsed(policy, sql);
        return refused != null ? refused : parseAndCheck(policy, sql, null, false);
    }

    private static Decision parseAndCheck(TenantPolicy policy, String sql, List<String> literals) {
        return parseAndCheck(policy, sql, literals, true);
    }

    /**
     * @param literals collects the statement's literal values for {@link #learn}; null when not needed
     * @param prove false to verify every rewrite by parsing it again, as before {@link RewriteProof}
     */
    private static Decision parseAndCheck(TenantPolicy policy, String sql, List<String> literals, boolean prove) {
        if (prove) {
            // long literal lists parsed folded (LiteralRuns): the decision stands only as a proven allow, any other
            // outcome is made again on an ordinary parse
            Decision folded = parseAndCheck(policy, sql, literals, true, true);
            if (folded != null) {
                return folded;
            }
            if (literals != null) {
                literals.clear();
            }
        }
        return parseAndCheck(policy, sql, literals, prove, false);
    }

    /** @return null only for a parse that folded literals ({@code fold}) and did not end in a proven allow */
    private static Decision parseAndCheck(TenantPolicy policy, String sql, List<String> literals, boolean prove,
                                          boolean fold) {
        SqlParser.Parsed parsed;
        try {
            parsed = SqlParser.parse(sql, policy.dialect(), fold);
        } catch (Denial d) {
            // a Databricks construct recognised before parsing and not allowed (DatabricksSyntax)
            return Decision.deny(d.code, d.getMessage(), null);
        } catch (SqlParser.Ambiguous e) {
            return Decision.deny(DenyCode.AMBIGUOUS_LITERAL, e.getMessage() + "; write it so that every reader cuts"
                    + " it alike (rule: text every reader lexes alike)", null);
        } catch (SqlParser.SyntaxError e) {
            StatementKind kind = StatementClassifier.classifyUnparsed(sql);
            if (kind != null) {
                return kindDenied(policy, kind);
            }
            return Decision.deny(DenyCode.SYNTAX_ERROR, "cannot parse SQL: " + e.getMessage(), null);
        }
        if (fold && !parsed.folded()) {
            fold = false; // nothing was folded: this is the ordinary parse, and its decision stands
        }
        Decision decided = checkParsed(policy, parsed, literals, prove);
        return fold && (decided == null || !decided.isAllowed()) ? null : decided;
    }

    private static Decision checkParsed(TenantPolicy policy, SqlParser.Parsed parsed, List<String> literals,
                                        boolean prove) {
        Statements statements = parsed.statements();
        if (statements.isEmpty()) {
            return Decision.deny(DenyCode.EMPTY_STATEMENT, "no statement (only comments or semicolons)", null);
        }
        if (statements.size() > 1) {
            return Decision.deny(DenyCode.MULTIPLE_STATEMENTS, "one statement per request; got "
                    + statements.size(), null);
        }
        Statement statement = statements.get(0);
        StatementKind kind = StatementClassifier.classify(statement);
        if (!kind.isGovernable() || !policy.allowedKinds().contains(kind)) {
            return kindDenied(policy, kind);
        }
        try {
            return check(policy, parsed, statement, kind, literals, prove);
        } catch (Denial d) {
            return Decision.deny(d.code, d.getMessage(), kind);
        } catch (RuntimeException | StackOverflowError e) {
            // a syntax tree the analysis did not expect: fail closed, never pass it on
            return Decision.deny(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement could not be analysed ("
                    + e.getClass().getSimpleName() + "); it is denied rather than passed on", kind);
        }
    }

    private static Decision kindDenied(TenantPolicy policy, StatementKind kind) {
        String why = switch (kind) {
            case SHOW -> "SHOW statements are not run through the proxy; use the JDBC metadata calls";
            case SESSION -> "session statements (USE, SET, RESET, transactions) are not allowed: the proxy owns the"
                    + " backend session";
            case ENGINE -> "engine commands (COPY, ATTACH, INSTALL, LOAD, PRAGMA, CALL, ...) are not allowed";
            case GRANT -> "GRANT and REVOKE are not allowed through the proxy";
            case OTHER -> "this kind of statement is not supported by the proxy";
            default -> "tenant '" + policy.tenant() + "' may not run " + kind.configName()
                    + " statements (rule: statements " + configNames(policy) + ")";
        };
        return Decision.deny(DenyCode.STATEMENT_KIND_DENIED, why, kind);
    }

    private static String configNames(TenantPolicy policy) {
        ArrayList<String> names = new ArrayList<>();
        for (StatementKind k : StatementKind.values()) {
            if (policy.allowedKinds().contains(k)) {
                names.add(k.configName());
            }
        }
        return names.toString();
    }

    /** @param prove false to verify every rewrite by parsing it again, as before {@link RewriteProof} */
    private static Decision check(TenantPolicy policy, SqlParser.Parsed parsed, Statement statement,
                                  StatementKind kind, List<String> literals, boolean prove) {
        StatementClassifier.checkForm(statement);
        ObjectAnalyzer analyzer = new ObjectAnalyzer(policy, false, literals);
        analyzer.analyze(statement);
        if (literals != null && statement instanceof PlainSelect select) {
            // the names of the result's columns, for alias slots (ShapeTemplate): the outermost select's only
            for (SelectItem<?> item : select.getSelectItems()) {
                if (item.getAlias() != null && item.getAlias().getAliasColumns() == null) {
                    literals.add(ShapeTemplate.ALIAS + item.getAlias().getName());
                }
            }
        }
        String misread = parsed.misreadName();
        if (misread != null) {
            // checked after the objects, so that a denial of another tenant's object names that object
            throw new Denial(DenyCode.AMBIGUOUS_LITERAL, misread + "; the rewrite would send another name than"
                    + " the one written (rule: names the backend reads as written)");
        }
        // Databricks: the tenant's own text with its names replaced, so that every construct reaches the warehouse
        // as written (DatabricksRewrite); located before the tree's names change
        // row filters and column masks: each reference to such a table reads its view (GovernedViews)
        GovernedViews views = GovernedViews.plan(policy, statement, kind, analyzer, parsed.normalised());
        String databricksText = parsed.normalised() == null ? null : analyzer.rewriteText(parsed.normalised(), views,
                rewrite -> WriteCap.applyToText(statement, rewrite, policy));
        // the names the rewrite replaces and where, for a proof of the rewrite from its tokens (RewriteProof); not for
        // a tenant with row filters or column masks, whose views are checked on the re-parse (GovernedViews.verify)
        List<RewriteProof.Name> renamed = prove && policy.rowPolicies().isEmpty() ? analyzer.renamed() : null;
        analyzer.rewriteNames();
        // DuckDB sends the deparsed tree: a query's census waits for the proof, which implies it (nothing between here
        // and there denies a query). Databricks sends its own text, whose census checks the parser's reading of it
        boolean censusLater = renamed != null && kind == StatementKind.QUERY && databricksText == null;
        if (!censusLater) {
            checkCensus(policy, parsed, statement.toString());
        }

        if (views != null && databricksText == null) {
            views.replaceIn(statement); // after the census: the views' own clauses are the engine's
        }
        boolean noLimit = kind == StatementKind.QUERY && ((Select) statement).getLimit() == null;
        boolean unbounded = noLimit && ((Select) statement).getFetch() == null
                && ((Select) statement).getOffset() == null;
        RowCap.Outcome cap = kind == StatementKind.QUERY
                ? RowCap.apply((Select) statement, parsed.tokens(), policy.maxRows()) : RowCap.Outcome.WITHIN;
        String rewritten;
        boolean wrapped = false;
        if (databricksText == null) {
            WriteCap.apply(statement, policy);
            rewritten = statement.toString();
            if (cap == RowCap.Outcome.WRAP) {
                rewritten = RowCap.wrap(rewritten, policy.maxRows());
                wrapped = true;
            }
        } else {
            // the tenant's own text goes to the warehouse, its write cap placed in the text (WriteCap.applyToText)
            rewritten = databricksText;
            if (cap == RowCap.Outcome.CAPPED && unbounded) {
                // a LIMIT after everything else the query says: where Spark's grammar puts it
                rewritten = rewritten + " LIMIT " + policy.maxRows();
            } else if (cap != RowCap.Outcome.WITHIN) {
                rewritten = RowCap.wrap(rewritten, policy.maxRows());
                wrapped = true;
            }
        }
        // a wrapped query is always parsed again: inside the wrapper's brackets the parser can read the tenant's
        // tokens otherwise than alone (MutationFuzzTest found `(… INTERSECT …) TABLE EXCEPT SELECT 1`)
        RewriteProof.Cap proofCap = cap == RowCap.Outcome.WITHIN ? RewriteProof.Cap.NONE
                : cap == RowCap.Outcome.CAPPED && unbounded ? RewriteProof.Cap.APPEND
                : null;
        boolean proven = renamed != null && proofCap != null && WriteCap.holds(statement, policy)
                && RewriteProof.holds(parsed.tokens(), parsed.verbatim(), renamed, rewritten, proofCap,
                        policy.maxRows(), policy.dialect());
        if (!proven) {
            if (parsed.folded()) {
                return null; // made again on an ordinary parse (LiteralRuns)
            }
            if (censusLater) {
                // deparsed only now: a proven query never needs it (3 % of a first-time decision)
                checkCensus(policy, parsed, beforeCap((Select) statement, noLimit));
            }
            verify(policy, rewritten, kind, analyzer);
        }
        // where the result's columns come from, told from the tree the rewrite is: not for a query the cap wrapped
        // (its columns are the wrapper's: not plain), nor for a Databricks text with views (they are in the text,
        // not in the tree): ResultColumnsTest holds this to ResultColumns.of(rewritten)
        Optional<ResultColumns> columns = wrapped || databricksText != null && views != null ? Optional.empty()
                : ResultColumns.of(statement);
        return Decision.allow(kind, rewritten, new ArrayList<>(analyzer.reads()), new ArrayList<>(analyzer.writes()),
                cap != RowCap.Outcome.WITHIN, columns);
    }

    /**
     * The deparse of a query as it was before {@link RowCap#apply}: a LIMIT the cap added (to a query that had none,
     * with or without OFFSET) is taken out for it; what else the cap changes is a count (a number, ALL or NULL), which
     * the census does not count.
     *
     * @param noLimit the query had no LIMIT before the cap
     */
    private static String beforeCap(Select query, boolean noLimit) {
        if (!noLimit || query.getLimit() == null) {
            return query.toString();
        }
        Limit added = query.getLimit();
        query.setLimit(null);
        try {
            return query.toString();
        } finally {
            query.setLimit(added);
        }
    }

    /**
     * The deparser must write the clauses the text has, in its order (JSqlParser keeps one of two LIMITs, puts clauses
     * written out of order in order, writes VALUES for VALUE); compared before the row cap.
     */
    private static void checkCensus(TenantPolicy policy, SqlParser.Parsed parsed, String deparsed) {
        try {
            if (!SqlParser.census(deparsed, policy.dialect()).equals(parsed.census())) {
                throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement cannot be rewritten faithfully: the"
                        + " parser's reading has other clauses, or in another order, than the text");
            }
        } catch (SqlParser.SyntaxError e) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement cannot be rewritten faithfully ("
                    + e.getMessage() + ")");
        }
    }

    /**
     * The backend runs the rewritten text, not the tree that was checked: parse it again and require the same kind,
     * the same objects in full physical form, and a row count within the cap.
     */
    private static void verify(TenantPolicy policy, String rewritten, StatementKind kind, ObjectAnalyzer original) {
        SqlParser.Parsed reparsed;
        try {
            reparsed = SqlParser.parse(rewritten, policy.dialect());
        } catch (SqlParser.SyntaxError e) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                    "the statement cannot be rewritten faithfully (" + e.getMessage() + ")");
        }
        Statements again = reparsed.statements();
        if (again.size() != 1 || StatementClassifier.classify(again.get(0)) != kind) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the statement cannot be rewritten faithfully");
        }
        Statement statement = again.get(0);
        ObjectAnalyzer check = new ObjectAnalyzer(policy, true);
        check.analyze(statement);
        if (!check.reads().equals(original.reads()) || !check.writes().equals(original.writes())) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT,
                    "the rewritten statement touches different objects than the one checked");
        }
        GovernedViews.verify(policy, statement, check);
        if (kind == StatementKind.QUERY
                && RowCap.apply((Select) statement, reparsed.tokens(), policy.maxRows()) != RowCap.Outcome.WITHIN) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the row cap could not be applied to this query");
        }
        if (!WriteCap.holds(statement, policy)) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "the write cap (max_write_rows) could not be applied to"
                    + " this statement");
        }
    }
}

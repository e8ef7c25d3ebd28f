package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Databricks SQL that JSqlParser 5.4 cannot parse, made readable for the analysis without changing what is checked.
 *
 * <p>The engine parses a Databricks statement's <em>analysis text</em>: the tenant's text with each construct
 * JSqlParser lacks replaced by one it reads with the same tables, expressions and functions. The backend never sees
 * the analysis text: the rewrite ({@link DatabricksRewrite}) edits the tenant's own text, name by name, so every
 * construct reaches the warehouse as written. What is replaced, and why the replacement checks the same things:
 *
 * <ul>
 *   <li>{@code ANTI} and {@code SEMI} of a join are blanked: the join's tables and condition stay;</li>
 *   <li>{@code TABLESAMPLE (n PERCENT | n ROWS | BUCKET n OUT OF m) [REPEATABLE (n)]} is blanked after its
 *       inside is shown to be numbers and those keywords only (an expression there could hold a subquery);</li>
 *   <li>a complex type ({@code MAP<…>}, {@code STRUCT<…>}, {@code ARRAY<…>}) after {@code AS} or {@code ::} is
 *       checked whole by {@link TypeNames} (built-in types only) and read as {@code STRING};</li>
 *   <li>{@code window} before {@code (} or {@code .} (the time-window function and its struct) is read quoted,
 *       since the parser takes the bare word for the WINDOW clause;</li>
 *   <li>{@code DESCRIBE TABLE [EXTENDED | FORMATTED] t} is read as {@code DESCRIBE t};</li>
 *   <li>{@code SORT BY}, {@code DISTRIBUTE BY} and {@code CLUSTER BY} of a query are read as one ORDER BY list
 *       (their expressions are checked like any ORDER BY's); in a window's {@code OVER (…)}, where Spark's grammar
 *       takes them too, {@code DISTRIBUTE BY} and {@code CLUSTER BY} are read as PARTITION BY, {@code SORT BY} as
 *       ORDER BY;</li>
 *   <li>an inline table without brackets ({@code FROM VALUES (1, 'a'), (2, 'b') AS t(id, name)}) is read
 *       bracketed, {@code FROM (VALUES …) AS t(…)}, when each row is a bracketed list or one literal;</li>
 *   <li>a string literal holding a backslash or a quote (raw {@code r'…'} strings too) is read as a plain string of
 *       the same extent: its inside is never analysed, and JSqlParser ends {@code "a \" b"} at the escaped quote
 *       where Spark does not;</li>
 *   <li>{@code GROUP BY … WITH CUBE} is read as {@code WITH ROLLUP}: the same grouping expressions.</li>
 * </ul>
 *
 * Two edits reach the backend too ({@link Edit#kept}): comments (hints {@code /*+ … *}{@code /} included) are
 * removed, as the deparsed rewrite always did, and Delta's {@code t@v3} is written {@code t VERSION AS OF 3}, the
 * time travel form the engine checks ({@code t@20240101…} timestamps are denied: write {@code TIMESTAMP AS OF}).
 * Anything the scan cannot place is left alone, so JSqlParser fails on it and the statement is denied.
 */
final class DatabricksSyntax {
    /** Replace {@code [start, end)} of the tenant's text; {@code kept} edits are made in the rewrite too. */
    record Edit(int start, int end, String replacement, boolean kept) {
    }

    /** The tenant's text, the text the analysis parses, and the edits between them (sorted, disjoint). */
    record Normalised(String original, String analysed, List<Edit> edits) {
        /** The offset in the tenant's text of an offset of the analysis text outside every edit. */
        int toOriginal(int analysedOffset) {
            int shift = 0;
            for (Edit e : edits) {
                int editStart = e.start + shift;
                if (analysedOffset < editStart) {
                    break;
                }
                int editEnd = editStart + e.replacement.length();
                if (analysedOffset < editEnd) {
                    return -1; // inside a replacement: no offset of the tenant's text
                }
                shift += e.replacement.length() - (e.end - e.start);
            }
            return analysedOffset - shift;
        }
    }

    private enum Kind { WORD, QUOTED, STRING, NUMBER, PUNCT, COMMENT }

    private record Tok(Kind kind, int start, int end, String upper) {
        boolean is(String word) {
            return (kind == Kind.WORD || kind == Kind.PUNCT) && upper.equals(word);
        }
    }

    private static final Set<String> COMPLEX_TYPES = Set.of("MAP", "STRUCT", "ARRAY");
    private static final Set<String> ORGANIZING = Set.of("SORT", "DISTRIBUTE", "CLUSTER");
    private static final int MAX_TYPE_TOKENS = 2_000;

    private final String sql;
    private final List<Tok> all;
    /** The tokens without comments. */
    private final List<Tok> toks = new ArrayList<>();
    private final List<Edit> edits = new ArrayList<>();

    private DatabricksSyntax(String sql) {
        this.sql = sql;
        this.all = lex(sql);
        for (Tok t : all) {
            if (t.kind == Kind.COMMENT) {
                if (sql.startsWith("/*+", t.start)) {
                    checkHint(t, toks.isEmpty() ? null : toks.get(toks.size() - 1));
                }
                edits.add(new Edit(t.start, t.end, " ", true));
            } else {
                toks.add(t);
            }
        }
    }

    /**
     * The rewrite drops hints, so a hint Spark would not read as one (not right after SELECT, or not of a hint's
     * form) would be dropped from a statement Databricks refuses as written: denied instead.
     */
    private void checkHint(Tok hint, Tok before) {
        String text = sql.substring(hint.start, hint.end);
        if (before == null || !before.is("SELECT") || !isHint(text)) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "a hint /*+ … */ is read by Databricks only right after"
                    + " SELECT and as names with arguments (rule: text every reader reads alike)");
        }
    }

    /**
     * Whether {@code text} ({@code /*+ … *}{@code /}) is a hint as Spark reads one: names separated by commas or
     * spaces, each with an optional bracketed list of names, numbers or quoted strings (read in one pass).
     */
    static boolean isHint(String text) {
        if (!text.startsWith("/*+") || !text.endsWith("*/") || text.length() < 5) {
            return false;
        }
        String body = text.substring(3, text.length() - 2);
        int i = 0;
        int n = body.length();
        boolean expectName = true;
        boolean any = false;
        while (true) {
            while (i < n && (Character.isWhitespace(body.charAt(i)) || (!expectName && body.charAt(i) == ','))) {
                if (body.charAt(i) == ',') {
                    expectName = true;
                }
                i++;
            }
            if (i == n) {
                return any;
            }
            int start = i;
            while (i < n && (LiteralShape.isWordChar(body.charAt(i)))) {
                i++;
            }
            if (i == start || Character.isDigit(body.charAt(start))) {
                return false;
            }
            any = true;
            expectName = false;
            while (i < n && Character.isWhitespace(body.charAt(i))) {
                i++;
            }
            if (i < n && body.charAt(i) == '(') {
                int close = body.indexOf(')', i);
                if (close < 0) {
                    return false;
                }
                for (int k = i + 1; k < close; k++) {
                    char c = body.charAt(k);
                    if (!(LiteralShape.isWordChar(c) || c == '.' || c == ',' || c == '`' || c == '\''
                            || Character.isWhitespace(c))) {
                        return false;
                    }
                }
                i = close + 1;
            }
        }
    }

    /**
     * The analysis text of a Databricks statement.
     *
     * @throws Denial for a construct that is recognised but not allowed (a TABLESAMPLE with an expression, time
     *                travel by {@code @timestamp})
     */
    static Normalised of(String sql) {
        DatabricksSyntax s = new DatabricksSyntax(sql);
        s.scan();
        s.edits.sort(java.util.Comparator.comparingInt(Edit::start));
        StringBuilder analysed = new StringBuilder(sql.length() + 16);
        int at = 0;
        for (Edit e : s.edits) {
            analysed.append(sql, at, e.start).append(e.replacement);
            at = e.end;
        }
        analysed.append(sql, at, sql.length());
        return new Normalised(sql, analysed.toString(), List.copyOf(s.edits));
    }

    /** Offset just past the statement's last token other than {@code ;} (trailing comments and semicolons cut). */
    static int statementEnd(String sql) {
        List<Tok> tokens = lex(sql);
        for (int i = tokens.size() - 1; i >= 0; i--) {
            Tok t = tokens.get(i);
            if (t.kind != Kind.COMMENT && !t.is(";")) {
                return t.end;
            }
        }
        return 0;
    }

    private void scan() {
        if (!toks.isEmpty() && (toks.get(0).is("DESCRIBE") || toks.get(0).is("DESC"))) {
            describe();
        }
        // per bracket depth: whether a query began there, and whether its SORT/DISTRIBUTE/CLUSTER list has begun
        int depth = 0;
        boolean[] query = new boolean[BracketDepth.MAX + 2];
        boolean[] organizing = new boolean[BracketDepth.MAX + 2];
        // per bracket depth: whether it is a window's specification (OVER (…)), and whether it has CLUSTER BY
        boolean[] windowSpec = new boolean[BracketDepth.MAX + 2];
        boolean[] clustered = new boolean[BracketDepth.MAX + 2];
        for (int i = 0; i < toks.size(); i++) {
            Tok t = toks.get(i);
            if (t.is("(")) {
                depth = Math.min(depth + 1, BracketDepth.MAX + 1);
                query[depth] = false;
                organizing[depth] = false;
                windowSpec[depth] = i > 0 && toks.get(i - 1).is("OVER");
                clustered[depth] = false;
            } else if (t.kind == Kind.WORD && ORGANIZING.contains(t.upper) && next(i).is("BY") && windowSpec[depth]
                    && !(clustered[depth] && t.is("SORT"))) {
                // Spark's window specification: DISTRIBUTE BY and CLUSTER BY are PARTITION BY, SORT BY is ORDER BY
                // (CLUSTER BY takes no ordering after it, so a SORT BY there is left to fail)
                edits.add(new Edit(t.start, t.end, t.is("SORT") ? "ORDER" : "PARTITION", false));
                clustered[depth] |= t.is("CLUSTER");
                i++;
            } else if (t.is("VALUES") && i > 0 && (toks.get(i - 1).is("FROM") || toks.get(i - 1).is("JOIN"))) {
                i = inlineTable(i);
            } else if (t.is(")")) {
                depth = Math.max(depth - 1, 0);
            } else if (t.is("SELECT") || t.is("UNION") || t.is("INTERSECT") || t.is("EXCEPT") || t.is("MINUS")) {
                query[depth] = true;
                organizing[depth] = false;
            } else if ((t.is("ANTI") || t.is("SEMI")) && next(i).is("JOIN")) {
                edits.add(new Edit(t.start, t.end, " ".repeat(t.end - t.start), false));
            } else if (t.is("TABLESAMPLE")) {
                i = sample(i);
            } else if (t.kind == Kind.WORD && COMPLEX_TYPES.contains(t.upper) && next(i).is("<") && castTarget(i)) {
                i = complexType(i);
            } else if (t.is("WINDOW") && (next(i).is("(") || next(i).is("."))
                    && !(i > 0 && toks.get(i - 1).is("."))) {
                edits.add(new Edit(t.start, t.end, "`" + sql.substring(t.start, t.end) + "`", false));
            } else if (t.kind == Kind.WORD && ORGANIZING.contains(t.upper) && next(i).is("BY") && query[depth]) {
                Tok by = next(i);
                edits.add(new Edit(t.start, by.end, organizing[depth] ? "," : "ORDER BY", false));
                organizing[depth] = true;
                i++;
            } else if (t.is("WITH") && next(i).is("CUBE") && query[depth] && !next(i + 1).is("AS")
                    && !next(i + 1).is("(")) {
                // GROUP BY a, b WITH CUBE: the same grouping expressions as WITH ROLLUP, which the parser reads
                Tok cube = next(i);
                edits.add(new Edit(cube.start, cube.end, "ROLLUP", false));
                i++;
            } else if (t.kind == Kind.STRING && plainQuote(t) && needsPlainReading(t)) {
                edits.add(new Edit(t.start, t.end, "'" + "_".repeat(t.end - t.start - 2) + "'", false));
            } else if (t.is("@") && i > 0 && toks.get(i - 1).end == t.start && toks.get(i - 1).kind != Kind.PUNCT) {
                versionSuffix(i);
                i++;
            }
        }
    }

    /**
     * Spark's inline table without brackets, {@code FROM VALUES (1, 'a'), (2, 'b') [AS] t(id, name)}, read as the
     * bracketed {@code FROM (VALUES …) [AS] t(…)} the parser knows: the same rows, checked as any VALUES list. Only
     * rows that are a bracketed list or one literal are placed; anything else is left for the parser to deny
     * ({@code FROM VALUES b} is a table named {@code values} to Spark).
     */
    private int inlineTable(int values) {
        int last = -1;
        int k = values + 1;
        while (true) {
            int end = row(k);
            if (end < 0) {
                return values;
            }
            last = end;
            if (!next(end).is(",")) {
                break;
            }
            k = end + 2;
        }
        Tok v = toks.get(values);
        Tok end = toks.get(last);
        if (end.kind == Kind.STRING && needsPlainReading(end)) {
            return values; // its own edit would overlap the closing bracket's: left for the parser to deny
        }
        edits.add(new Edit(v.start, v.end, "(" + sql.substring(v.start, v.end), false));
        edits.add(new Edit(end.start, end.end, sql.substring(end.start, end.end) + ")", false));
        return values; // the rows are scanned as any text
    }

    /** The last token of an inline table's row at {@code k}: a bracketed list, or a literal; -1 for neither. */
    private int row(int k) {
        if (k >= toks.size()) {
            return -1;
        }
        Tok t = toks.get(k);
        if (t.is("(")) {
            return closing(k);
        }
        if (t.is("-") && next(k).kind == Kind.NUMBER && next(k).start == t.end) {
            return k + 1;
        }
        return t.kind == Kind.NUMBER || t.kind == Kind.STRING ? k : -1;
    }

    /** {@code DESCRIBE [TABLE] [EXTENDED | FORMATTED] name}: the words between are blanked for the analysis. */
    private void describe() {
        int i = 1;
        if (i < toks.size() && toks.get(i).is("TABLE")) {
            blank(toks.get(i++));
        }
        if (i < toks.size() && (toks.get(i).is("EXTENDED") || toks.get(i).is("FORMATTED"))
                && i + 1 < toks.size() && toks.get(i + 1).kind != Kind.PUNCT) {
            blank(toks.get(i));
        }
    }

    private void blank(Tok t) {
        edits.add(new Edit(t.start, t.end, " ".repeat(t.end - t.start), false));
    }

    /**
     * {@code TABLESAMPLE ( … ) [REPEATABLE ( n )]} with only numbers and Spark's sampling keywords inside: blanked.
     * Spark takes any expression before ROWS; one here could hold a subquery, so it is denied.
     */
    private int sample(int i) {
        int open = i + 1;
        int close = closing(open);
        if (close < 0) {
            return i;
        }
        StringBuilder shape = new StringBuilder();
        for (int k = open + 1; k < close; k++) {
            Tok t = toks.get(k);
            shape.append(t.kind == Kind.NUMBER ? "N" : t.upper).append(' ');
        }
        String inside = shape.toString().strip();
        if (!inside.matches("-? ?N PERCENT|N ROWS|BUCKET N OUT OF N")) {
            throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "TABLESAMPLE (" + sql.substring(toks.get(open).end,
                    toks.get(close).start).strip() + ") is not allowed: write a number of PERCENT, a number of ROWS"
                    + " or BUCKET x OUT OF y (rule: sampling by literal numbers only)");
        }
        int end = close;
        if (next(close).is("REPEATABLE") && toks.size() > close + 4 && toks.get(close + 2).is("(")
                && toks.get(close + 3).kind == Kind.NUMBER && toks.get(close + 4).is(")")) {
            end = close + 4;
        }
        edits.add(new Edit(toks.get(i).start, toks.get(end).end, " ", false));
        return end;
    }

    /** A type after {@code AS} (CAST) or {@code ::}, or after a column's name in a column list. */
    private boolean castTarget(int i) {
        if (i == 0) {
            return false;
        }
        Tok before = toks.get(i - 1);
        return before.is("AS") || before.is(":") && i > 1 && toks.get(i - 2).is(":") && toks.get(i - 2).end
                == before.start || (before.kind == Kind.WORD || before.kind == Kind.QUOTED) && i > 1
                && (toks.get(i - 2).is("(") || toks.get(i - 2).is(","));
    }

    /** A complex type, checked whole as a built-in type and read as STRING. */
    private int complexType(int i) {
        int depth = 0;
        // no real type is longer; bounds the scan of a text full of MAP< to linear time
        int limit = Math.min(toks.size(), i + 1 + MAX_TYPE_TOKENS);
        for (int k = i + 1; k < limit; k++) {
            Tok t = toks.get(k);
            if (t.is("<")) {
                depth++;
            } else if (t.is(">")) {
                if (--depth == 0) {
                    String type = sql.substring(toks.get(i).start, t.end);
                    TypeNames.checkText(type, Dialect.DATABRICKS);
                    edits.add(new Edit(toks.get(i).start, t.end, "STRING", false));
                    return k;
                }
            } else if (t.is(";") || t.is("(") && depth == 0) {
                return i;
            }
        }
        return i;
    }

    /** Delta's {@code name@v<version>}: the same as {@code VERSION AS OF <version>}, which the engine checks. */
    private void versionSuffix(int at) {
        Tok t = toks.get(at);
        Tok version = next(at);
        String v = version.kind == Kind.WORD ? sql.substring(version.start, version.end) : "";
        if (version.start == t.end && v.length() > 1 && (v.charAt(0) == 'v' || v.charAt(0) == 'V')
                && v.substring(1).chars().allMatch(c -> c >= '0' && c <= '9') && v.length() <= 19) {
            edits.add(new Edit(t.start, version.end, " VERSION AS OF " + v.substring(1), true));
            return;
        }
        throw new Denial(DenyCode.UNSUPPORTED_CONSTRUCT, "time travel '" + sql.substring(t.start,
                Math.max(version.end, t.end)) + "' is not supported: write name@v<version>, VERSION AS OF <version>"
                + " or TIMESTAMP AS OF '<timestamp>' (rule: time travel is VERSION AS OF or TIMESTAMP AS OF only)");
    }

    private static boolean plainQuote(Tok t) {
        return t.end - t.start >= 2;
    }

    /**
     * A string whose inside holds a backslash or a quote character of either kind: unprefixed, or raw ({@code r'…'},
     * which Spark ends at the first closing quote, escapes or not). Other prefixes ({@code x'…'}) are left to the
     * parser and the literal checks.
     */
    private boolean needsPlainReading(Tok t) {
        int quote = t.start;
        char q = sql.charAt(quote);
        if (q == 'r' || q == 'R') {
            q = sql.charAt(++quote);
        }
        if (q != '\'' && q != '"') {
            return false;
        }
        for (int k = quote + 1; k < t.end - 1; k++) {
            char c = sql.charAt(k);
            if (c == '\\' || c == '\'' || c == '"') {
                return true;
            }
        }
        return false;
    }

    private Tok next(int i) {
        return i + 1 < toks.size() ? toks.get(i + 1) : new Tok(Kind.PUNCT, sql.length(), sql.length(), "");
    }

    private int closing(int open) {
        if (open >= toks.size() || !toks.get(open).is("(")) {
            return -1;
        }
        int depth = 0;
        for (int k = open; k < toks.size(); k++) {
            if (toks.get(k).is("(")) {
                depth++;
            } else if (toks.get(k).is(")") && --depth == 0) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Cuts text into tokens as Spark's lexer does for what this class looks at: comments (block comments nest, as
     * in Spark), strings in either quote with backslash escapes (a prefix such as {@code r} stays part of the
     * string), backticked names, words, numbers and single characters. An unterminated quote or comment runs to the
     * end; the parser's own lexing denies it.
     */
    private static List<Tok> lex(String sql) {
        List<Tok> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int end;
            Kind kind;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            } else if (c == '-' && sql.startsWith("--", i)) {
                int nl = sql.indexOf('\n', i);
                end = nl < 0 ? n : nl;
                kind = Kind.COMMENT;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                end = SparkLexing.blockCommentEnd(sql, i);
                kind = Kind.COMMENT;
            } else if (c == '\'' || c == '"') {
                end = SparkLexing.quotedEnd(sql, i, c, true);
                kind = Kind.STRING;
            } else if (c == '`') {
                end = SparkLexing.quotedEnd(sql, i, c, false);
                kind = Kind.QUOTED;
            } else if (c >= '0' && c <= '9' || c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))
                    && (i == 0 || !LiteralShape.isWordChar(sql.charAt(i - 1)))) {
                end = i + 1;
                while (end < n && (LiteralShape.isWordChar(sql.charAt(end)) || sql.charAt(end) == '.')) {
                    end++;
                }
                kind = Kind.NUMBER;
            } else if (LiteralShape.isWordChar(c)) {
                end = i + 1;
                while (end < n && LiteralShape.isWordChar(sql.charAt(end))) {
                    end++;
                }
                if (end < n && (sql.charAt(end) == '\'' || sql.charAt(end) == '"') && end - i <= 2) {
                    // a prefixed string: r'…', x'…'
                    end = SparkLexing.quotedEnd(sql, end, sql.charAt(end), sql.charAt(i) != 'r'
                            && sql.charAt(i) != 'R');
                    kind = Kind.STRING;
                } else {
                    kind = Kind.WORD;
                }
            } else {
                end = i + 1;
                kind = Kind.PUNCT;
            }
            out.add(new Tok(kind, i, end, sql.substring(i, end).toUpperCase(Locale.ROOT)));
            i = end;
        }
        return out;
    }
}

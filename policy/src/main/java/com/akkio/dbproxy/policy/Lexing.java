package com.akkio.dbproxy.policy;

import java.util.Set;

/**
 * Where the backend's lexer cuts a text differently from JSqlParser's. JSqlParser reads {@code //} as the start of a
 * comment, which neither backend does; DuckDB and Spark nest block comments, which JSqlParser ends at the first star
 * and slash; and DuckDB (PostgreSQL's lexer) reads any run of the characters {@code + - * / < > = ~ ! @ # % ^ & |} as
 * one operator (a star and a slash, {@code *>}, {@code @@}), where JSqlParser knows a fixed set and splits the rest.
 * The rewrite re-emits JSqlParser's reading, so a text the two cut differently would reach the backend meaning
 * something else than the tenant wrote.
 */
final class Lexing {
    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|";
    /**
     * Operators of two or more characters that JSqlParser lexes as one token, as DuckDB does (LexingTest). JSqlParser
     * glues an {@code @} to a name or number before it ({@code a@>b} is {@code a@}, {@code >}, {@code b}); such a name
     * is no DuckDB name and is denied when the text is lexed.
     */
    static final Set<String> SHARED_OPERATORS = Set.of("<=", ">=", "<>", "!=", "||", "->", "->>", "=>", "<<", ">>",
            "@>", "<@", "&&", "#>", "#>>", "<->", "!~", "~*", "!~*", "<#>", "<=>");

    /** {@link #OPERATOR_CHARS} as bits by character code (all are ASCII below 128). */
    private static final long[] OPERATOR_BITS = new long[2];

    static {
        for (char c : OPERATOR_CHARS.toCharArray()) {
            OPERATOR_BITS[c >> 6] |= 1L << (c & 63);
        }
    }

    private Lexing() {
    }

    private static boolean isOperatorChar(char c) {
        return c < 128 && (OPERATOR_BITS[c >> 6] & 1L << (c & 63)) != 0;
    }

    /** A description of the first place the dialect's backend would lex differently from JSqlParser, or null. */
    static String difference(String sql, Dialect dialect) {
        boolean duckdb = dialect == Dialect.DUCKDB;
        int n = sql.length();
        for (int k = 0; k < n; k++) {
            char c = sql.charAt(k);
            // printable ASCII is none of the three (the common case, without their Unicode tables)
            boolean plain = c > ' ' && c < 0x7f || c == ' ' || c == '\t' || c == '\n' || c == '\r';
            if (!plain && (Character.isISOControl(c) || Character.isWhitespace(c) || Character.isSpaceChar(c))) {
                // JSqlParser skips control characters and other spaces as white space, the backends refuse them or
                // read them as part of a name; searched in literals too, where they are rare
                return String.format("the character U+%04X", (int) c);
            }
        }
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = commentEnd(sql, i);
                if (end < 0) {
                    return "a block comment inside a block comment (the backend nests them, the proxy's parser does"
                            + " not)";
                }
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '/') {
                return "// (the start of a comment to the proxy's parser, not to the backend)";
            } else if (!duckdb && c == '*' && i + 1 < n && sql.charAt(i + 1) == '/') {
                return "*/ (one token to Spark, two to the proxy's parser)";
            } else if (c == '\'' || c == '"' || c == '`') {
                boolean escapes = duckdb ? c == '\'' && i > 0 && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')
                        : c != '`';
                i = LiteralShape.quotedEnd(sql, i, c, escapes);
            } else if (duckdb && c == '$' && dollarTag(sql, i) > 0) {
                int tagEnd = dollarTag(sql, i);
                int close = sql.indexOf(sql.substring(i, tagEnd), tagEnd);
                i = close < 0 ? n : close + (tagEnd - i);
            } else if (duckdb && isOperatorChar(c)) {
                int end = i;
                while (end < n && isOperatorChar(sql.charAt(end)) && !sql.startsWith("--", end)
                        && !sql.startsWith("/*", end) && !sql.startsWith("//", end)) {
                    end++;
                }
                if (end == i + 1) {
                    i++; // one sign is one token to both
                    continue;
                }
                String op = duckDbOperator(sql.substring(i, end));
                if (op.length() > 1 && !SHARED_OPERATORS.contains(op)) {
                    return "operator " + op + " (one operator to DuckDB, something else to the proxy's parser)";
                }
                i += op.length();
            } else {
                i++;
            }
        }
        return null;
    }

    /**
     * The operator DuckDB lexes at the start of a run of operator characters: all of it, except that an operator
     * of several characters cannot end in {@code +} or {@code -} unless it holds one of {@code ~ ! @ # % ^ & |}.
     */
    static String duckDbOperator(String run) {
        String op = run;
        while (op.length() > 1 && (op.endsWith("+") || op.endsWith("-")) && !hasSpecial(op)) {
            op = op.substring(0, op.length() - 1);
        }
        return op;
    }

    private static boolean hasSpecial(String op) {
        for (char c : op.toCharArray()) {
            if ("~!@#%^&|".indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Offset after the block comment opening at {@code start}, or -1 when another one opens inside it. */
    private static int commentEnd(String sql, int start) {
        int close = sql.indexOf("*/", start + 2);
        int nested = sql.indexOf("/*", start + 2);
        if (nested >= 0 && (close < 0 || nested < close)) {
            return -1;
        }
        return close < 0 ? sql.length() : close + 2;
    }

    private static int dollarTag(String sql, int i) {
        if (i > 0 && LiteralShape.isWordChar(sql.charAt(i - 1))) {
            return -1; // part of an identifier (DuckDB allows $ in names)
        }
        int k = i + 1;
        while (k < sql.length() && (Character.isLetter(sql.charAt(k)) || sql.charAt(k) == '_')) {
            k++;
        }
        return k < sql.length() && sql.charAt(k) == '$' ? k + 1 : -1;
    }
}

package com.akkio.dbproxy.policy;

/**
 * The extents of Spark SQL's comments and quoted text, as its lexer reads them: one scan for every reader of
 * Databricks SQL text that must skip what is not code, the policy's {@link DatabricksSyntax} and the server's
 * rewriting of PostgreSQL's numbered parameter markers, so that the two never disagree on where a comment ends.
 */
public final class SparkLexing {
    private SparkLexing() {
    }

    /** Offset after the block comment opening at {@code start}; Spark nests them. Unclosed: the text's end. */
    public static int blockCommentEnd(String sql, int start) {
        int depth = 0;
        int i = start;
        while (i < sql.length()) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                i += 2;
                if (--depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    /**
     * Offset after the text quoted by {@code quote} opening at {@code start} (a doubled quote stays inside, as the
     * adjacent literals Spark reads it as; a backslash escapes the next character when {@code backslashEscapes}).
     * Unclosed: the text's end.
     */
    public static int quotedEnd(String sql, int start, char quote, boolean backslashEscapes) {
        return Math.min(LiteralShape.quotedEnd(sql, start, quote, backslashEscapes), sql.length());
    }
}

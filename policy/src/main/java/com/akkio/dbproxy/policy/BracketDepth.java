package com.akkio.dbproxy.policy;

/**
 * How deeply a SQL text nests brackets, found by a linear scan before the parser sees the text. JSqlParser's time
 * grows steeply with nesting (measured: 300 parentheses ~0.5 s, 1,000 ~3 s, 2,000 ~25 s, 5,000 ~3 min, all on the
 * calling thread), so a request of a few kilobytes could hold a server thread for minutes.
 *
 * <p>Every bracket counts, inside literals and comments too: a scan that skipped quoted text would have to lex
 * exactly as each dialect does (is {@code \'} an escape?), and a text it lexed wrongly could hide its nesting from
 * the scan but not from the parser. Counting everything can only over-count, which denies a statement with more
 * than {@link #MAX} brackets open inside a literal.
 */
final class BracketDepth {
    /** Far above real queries (the 103 TPC-DS queries nest a handful of levels), far below slow parsing. */
    static final int MAX = 100;

    private BracketDepth() {
    }

    static int of(String sql) {
        int depth = 0;
        int max = 0;
        for (int i = 0, n = sql.length(); i < n; i++) {
            switch (sql.charAt(i)) {
                case '(', '[', '{' -> max = Math.max(max, ++depth);
                case ')', ']', '}' -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return max;
    }
}

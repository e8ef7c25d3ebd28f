package com.akkio.dbproxy.server.backend.databricks;

import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.policy.SparkLexing;

/**
 * PostgreSQL's numbered parameter markers ({@code $1}, {@code $2}, …) in a Databricks SQL text, as the text with
 * Databricks' positional marker {@code ?} in their place and, for each {@code ?} in order, the number it stood for.
 * The PostgreSQL front end's clients (pgjdbc, any driver using the extended protocol) send numbered markers; Databricks
 * SQL knows only {@code ?} and {@code :name} and refuses {@code $1} ({@code 42601}). A number may appear more than
 * once or out of order ({@code WHERE a = $2 OR b = $1 OR c = $2}): each of its places becomes a {@code ?} that is
 * bound to the same value.
 *
 * <p>The scan follows Spark's lexer so that nothing but a marker is touched: string literals ({@code '…'} and
 * {@code "…"} with backslash escapes, raw {@code r'…'} without), backquoted names, {@code --} comments and nested
 * block comments are skipped. A {@code $} glued to a name or followed by anything but digits and a word boundary is
 * no marker, and neither is {@code $0}. A text that mixes numbered markers with {@code ?} is left as it is (the
 * numbering would be ambiguous; the warehouse refuses it).
 */
final class DollarMarkers {
    /** The text with {@code ?} markers, and {@code numbers[i]}: the {@code $n} that the i-th {@code ?} replaced. */
    record Positional(String sql, int[] numbers) {
        /** The highest number: how many parameters a client binds. */
        int count() {
            int max = 0;
            for (int n : numbers) {
                max = Math.max(max, n);
            }
            return max;
        }

        /** The 1-based places of {@code ?} that parameter {@code number} binds (none when it is not used). */
        List<Integer> places(int number) {
            List<Integer> out = new ArrayList<>(2);
            for (int i = 0; i < numbers.length; i++) {
                if (numbers[i] == number) {
                    out.add(i + 1);
                }
            }
            return out;
        }
    }

    private DollarMarkers() {
    }

    /** The text with {@code ?} for its numbered markers, or null when it has none (or also has {@code ?}). */
    static Positional of(String sql) {
        if (sql.indexOf('$') < 0) {
            return null;
        }
        StringBuilder out = new StringBuilder(sql.length());
        List<Integer> numbers = new ArrayList<>();
        boolean question = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int end;
            if (c == '-' && sql.startsWith("--", i)) {
                int eol = sql.indexOf('\n', i);
                end = eol < 0 ? n : eol + 1;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                end = SparkLexing.blockCommentEnd(sql, i);
            } else if (c == '`') {
                end = SparkLexing.quotedEnd(sql, i, '`', false);
            } else if (c == '\'' || c == '"') {
                end = SparkLexing.quotedEnd(sql, i, c, !raw(sql, i));
            } else if (c == '$' && marker(sql, i) > i + 1) {
                end = marker(sql, i);
                int number = parse(sql.substring(i + 1, end));
                if (number > 0) {
                    numbers.add(number);
                    out.append('?');
                    i = end;
                    continue;
                }
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                end = i + 1;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
                        || sql.charAt(end) == '$')) {
                    end++; // a word, so that a $ glued to it is never read as a marker
                }
            } else {
                question |= c == '?';
                end = i + 1;
            }
            out.append(sql, i, end);
            i = end;
        }
        if (numbers.isEmpty() || question) {
            return null;
        }
        return new Positional(out.toString(), numbers.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The end of the digits after the {@code $} at {@code i} when they end at a word boundary, else {@code i}. */
    private static int marker(String sql, int i) {
        int end = i + 1;
        while (end < sql.length() && Character.isDigit(sql.charAt(end)) && sql.charAt(end) < 128) {
            end++;
        }
        boolean boundary = end == sql.length() || !(Character.isLetterOrDigit(sql.charAt(end))
                || sql.charAt(end) == '_' || sql.charAt(end) == '$');
        return boundary ? end : i;
    }

    /** The number, or 0 for none a client could bind ({@code $0}, or more digits than an int holds). */
    private static int parse(String digits) {
        if (digits.length() > 9) {
            return 0;
        }
        return Integer.parseInt(digits);
    }

    /** A raw string ({@code r'…'}): the quote follows a lone {@code r} or {@code R}, which is no escape's start. */
    private static boolean raw(String sql, int quote) {
        if (quote == 0 || Character.toLowerCase(sql.charAt(quote - 1)) != 'r') {
            return false;
        }
        return quote == 1 || !(Character.isLetterOrDigit(sql.charAt(quote - 2)) || sql.charAt(quote - 2) == '_');
    }
}

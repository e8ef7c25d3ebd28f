package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A statement's text with its plain literals taken out: the key under which statements that differ only in literal
 * values share one {@link ShapeTemplate}, as an application that generates its SQL sends them
 * ({@code WHERE customer_id = 1042}, then {@code = 1043}).
 *
 * <p>Only two kinds of token become slots, kinds whose extent every dialect the proxy serves lexes alike whatever they
 * contain: an unsigned number of digits with an optional fraction, not touching an identifier or a dot, and a
 * single-quoted string without prefix whose content has no quote, backslash or line break. Everything else stays in
 * the key verbatim: quoted identifiers, other strings, comments, and literals after the words in
 * {@link #KEEP_NEXT_LITERAL} ({@code LIMIT 100}, {@code DATE '2025-01-01'}). This lexer only proposes slots;
 * a template is made only after the parser has confirmed each one as a literal value ({@link ShapeTemplate}).
 */
final class LiteralShape {
    /** Stands for a slot's content in the key; a text that contains it has no shape. */
    private static final char SLOT = '\u0001';
    /**
     * Words after which a literal stays in the key: row bounds, whose value the row cap compares, and typed literals,
     * whose string the parser reads as part of a date, time or interval value rather than as a plain literal.
     */
    private static final List<String> KEEP_NEXT_LITERAL = List.of("LIMIT", "OFFSET", "TOP", "FIRST", "NEXT", "DATE",
            "TIME", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "INTERVAL");

    private final String sql;
    private final String key;
    /** Per slot: start and end offset of its content in {@link #sql}. */
    private final int[] bounds;
    private final boolean[] numeric;
    private final boolean refined;

    private LiteralShape(String sql, String key, int[] bounds, boolean[] numeric, boolean refined) {
        this.sql = sql;
        this.key = key;
        this.bounds = bounds;
        this.numeric = numeric;
        this.refined = refined;
    }

    /** The text's shape, or null when it has no slot or cannot have a shape. */
    static LiteralShape of(String sql, Dialect dialect) {
        if (sql.indexOf(SLOT) >= 0) {
            return null;
        }
        StringBuilder key = new StringBuilder(sql.length());
        List<int[]> slots = new ArrayList<>();
        List<Boolean> kinds = new ArrayList<>();
        boolean keepNext = false;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int end;
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                end = quotedEnd(sql, i, '\'', dialect == Dialect.DATABRICKS);
                if (!keepNext && isPlainString(sql, i, end)) {
                    key.append('\'').append(SLOT).append('\'');
                    slots.add(new int[] {i + 1, end - 1});
                    kinds.add(false);
                    keepNext = false;
                    i = end;
                    continue;
                }
            } else if (c == '"' || c == '`') {
                end = quotedEnd(sql, i, c, dialect == Dialect.DATABRICKS && c == '"');
            } else if (isDigit(c)) {
                end = numberEnd(sql, i);
                if (end > 0 && !isWordChar(before(sql, i)) && before(sql, i) != '.'
                        && !keepNext) {
                    key.append(SLOT);
                    slots.add(new int[] {i, end});
                    kinds.add(true);
                    keepNext = false;
                    i = end;
                    continue;
                }
                end = wordEnd(sql, i);
            } else if (isWordChar(c)) {
                end = wordEnd(sql, i);
                keepNext = isKeepWord(sql, i, end);
                key.append(sql, i, end);
                i = end;
                continue;
            } else {
                end = i + 1;
            }
            if (!Character.isWhitespace(c) && c != '(') {
                keepNext = false;
            }
            key.append(sql, i, end);
            i = end;
        }
        if (slots.isEmpty()) {
            return null;
        }
        int[] bounds = new int[slots.size() * 2];
        boolean[] numeric = new boolean[slots.size()];
        for (int s = 0; s < slots.size(); s++) {
            bounds[2 * s] = slots.get(s)[0];
            bounds[2 * s + 1] = slots.get(s)[1];
            numeric[s] = kinds.get(s);
        }
        return new LiteralShape(sql, key.toString(), bounds, numeric, false);
    }

    /** True when {@link #keeping} these slots leaves a shape with slots, and this shape is not one kept already. */
    boolean canKeep(BitSet keep) {
        return !refined && !keep.isEmpty() && keep.cardinality() < slotCount();
    }

    /**
     * The shape with the given slots' content in the key: for the slots the parser does not read as values. Its key
     * starts with two markers, which no key of {@link #of} does (two slots are never adjacent), and names the kept
     * slots, so it cannot equal another statement's key.
     */
    LiteralShape keeping(BitSet keep) {
        StringBuilder refinedKey = new StringBuilder(key.length() + 16).append(SLOT).append(SLOT).append(keep)
                .append(SLOT).append(SLOT);
        int[] slotBounds = new int[2 * (slotCount() - keep.cardinality())];
        boolean[] slotNumeric = new boolean[slotBounds.length / 2];
        int slot = 0;
        int remaining = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != SLOT) {
                refinedKey.append(c);
                continue;
            }
            if (keep.get(slot)) {
                appendSlot(refinedKey, slot);
            } else {
                refinedKey.append(SLOT);
                slotBounds[2 * remaining] = bounds[2 * slot];
                slotBounds[2 * remaining + 1] = bounds[2 * slot + 1];
                slotNumeric[remaining++] = numeric[slot];
            }
            slot++;
        }
        return new LiteralShape(sql, refinedKey.toString(), slotBounds, slotNumeric, true);
    }

    String key() {
        return key;
    }

    int slotCount() {
        return numeric.length;
    }

    boolean isNumeric(int slot) {
        return numeric[slot];
    }

    int slotLength(int slot) {
        return bounds[2 * slot + 1] - bounds[2 * slot];
    }

    void appendSlot(StringBuilder out, int slot) {
        out.append(sql, bounds[2 * slot], bounds[2 * slot + 1]);
    }

    /** The statement with every slot's content replaced by the given one. */
    String withSlots(String[] contents) {
        StringBuilder out = new StringBuilder(sql.length() + 32 * contents.length);
        int at = 0;
        for (int s = 0; s < contents.length; s++) {
            out.append(sql, at, bounds[2 * s]).append(contents[s]);
            at = bounds[2 * s + 1];
        }
        return out.append(sql, at, sql.length()).toString();
    }

    private static boolean isKeepWord(String sql, int start, int end) {
        for (String word : KEEP_NEXT_LITERAL) {
            if (word.length() == end - start && sql.regionMatches(true, start, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /** Offset just past the quoted token at {@code start}; doubled quotes and, if asked, backslashes escape. */
    static int quotedEnd(String sql, int start, char quote, boolean backslashEscapes) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    /** A complete string without prefix whose content no dialect reads differently, not followed by another quote. */
    private static boolean isPlainString(String sql, int start, int end) {
        if (end > sql.length() || end - start < 2 || sql.charAt(end - 1) != '\'' || isWordChar(before(sql, start))
                || end < sql.length() && sql.charAt(end) == '\'') {
            return false;
        }
        for (int i = start + 1; i < end - 1; i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '\\' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    /** End of digits with an optional fraction starting at {@code start}, or -1 when an identifier or dot follows. */
    private static int numberEnd(String sql, int start) {
        int i = digitsEnd(sql, start);
        if (i + 1 < sql.length() && sql.charAt(i) == '.' && isDigit(sql.charAt(i + 1))) {
            i = digitsEnd(sql, i + 1);
        }
        if (i < sql.length() && (isWordChar(sql.charAt(i)) || sql.charAt(i) == '.')) {
            return -1;
        }
        return i;
    }

    private static int digitsEnd(String sql, int start) {
        int i = start;
        while (i < sql.length() && isDigit(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int wordEnd(String sql, int start) {
        int i = start;
        while (i < sql.length() && isWordChar(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private static char before(String sql, int i) {
        return i == 0 ? ' ' : sql.charAt(i - 1);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Letters (any script), digits, underscore and dollar: what an unquoted identifier or keyword is made of. */
    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}

package com.akkio.dbproxy.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A statement's text with its plain literals taken out: the key under which statements that differ only in literal
 * values share one {@link ShapeTemplate}, as an application that generates its SQL sends them
 * ({@code WHERE customer_id = 1042}, then {@code = 1043}).
 *
 * <p>Two kinds of literal become slots, kinds whose extent every dialect the proxy serves lexes alike whatever they
 * contain: an unsigned number of digits with an optional fraction, not touching an identifier or a dot, and a
 * single-quoted string without prefix whose content has no quote, backslash or line break. Everything else stays in
 * the key verbatim: quoted identifiers, other strings, comments, and literals after the words in
 * {@link #KEEP_NEXT_LITERAL} ({@code LIMIT 100}, {@code DATE '2025-01-01'}). A third kind is a result column's name
 * ({@code count(*) AS n17,}) that nothing else in the text names ({@link #isAliasSlot}). This lexer only proposes
 * slots; a template is made only after the parser has confirmed each one as a literal value or a result column's name
 * ({@link ShapeTemplate}).
 */
final class LiteralShape {
    /** Stands for a literal slot's content in the key; a text that contains it has no shape. */
    private static final char SLOT = '\u0001';
    /** Stands for a column alias slot's content in the key; a text that contains it has no shape. */
    private static final char ALIAS_SLOT = '\u0002';
    /** The longest alias made a slot: names longer than the backends take stay in the key. */
    private static final int MAX_ALIAS_LENGTH = 64;
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
    private final Slot[] kinds;
    private final boolean refined;

    /** What a slot holds. */
    enum Slot {
        NUMBER, STRING,
        /** A result column's name after {@code AS} (see {@link #isAliasSlot}). */
        ALIAS
    }

    private LiteralShape(String sql, String key, int[] bounds, Slot[] kinds, boolean refined) {
        this.sql = sql;
        this.key = key;
        this.bounds = bounds;
        this.kinds = kinds;
        this.refined = refined;
    }

    /** The text's shape, or null when it has no slot or cannot have a shape. */
    static LiteralShape of(String sql, Dialect dialect) {
        if (sql.indexOf(SLOT) >= 0 || sql.indexOf(ALIAS_SLOT) >= 0) {
            return null;
        }
        StringBuilder key = new StringBuilder(sql.length());
        List<int[]> slots = new ArrayList<>();
        List<Slot> kinds = new ArrayList<>();
        boolean keepNext = false;
        boolean afterAs = false;
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
                    kinds.add(Slot.STRING);
                    keepNext = false;
                    afterAs = false;
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
                    kinds.add(Slot.NUMBER);
                    keepNext = false;
                    afterAs = false;
                    i = end;
                    continue;
                }
                end = wordEnd(sql, i);
            } else if (isWordChar(c)) {
                end = wordEnd(sql, i);
                if (afterAs && isAliasSlot(sql, i, end)) {
                    key.append(ALIAS_SLOT);
                    slots.add(new int[] {i, end});
                    kinds.add(Slot.ALIAS);
                    keepNext = false;
                    afterAs = false;
                    i = end;
                    continue;
                }
                keepNext = isKeepWord(sql, i, end);
                afterAs = end - i == 2 && sql.regionMatches(true, i, "AS", 0, 2);
                key.append(sql, i, end);
                i = end;
                continue;
            } else {
                end = i + 1;
            }
            if (!Character.isWhitespace(c)) {
                afterAs = false;
                if (c != '(') {
                    keepNext = false;
                }
            }
            key.append(sql, i, end);
            i = end;
        }
        if (kinds.contains(Slot.ALIAS)) {
            key = dropNamedAliases(sql, key, slots, kinds);
        }
        if (slots.isEmpty()) {
            return null;
        }
        int[] bounds = new int[slots.size() * 2];
        for (int s = 0; s < slots.size(); s++) {
            bounds[2 * s] = slots.get(s)[0];
            bounds[2 * s + 1] = slots.get(s)[1];
        }
        return new LiteralShape(sql, key.toString(), bounds, kinds.toArray(new Slot[0]), false);
    }

    /**
     * Whether the word at {@code [start, end)}, which follows {@code AS}, is a result column's name that can be a slot:
     * a name whose content no reader can take for anything else and that nothing in the statement can refer to.
     * <ul>
     * <li>it is followed by a comma or {@code FROM} (a select item's end; the parser confirms it,
     * {@link ShapeTemplate});
     * <li>it is ASCII letters, digits and underscores, not starting with a digit, and a keyword of no reader
     * ({@link Keywords}), so every reader lexes it as a plain name, as it lexes the probe's;
     * <li>no other word of the text, in any case, in strings, quoted names and comments too, is the same word: nothing
     * in the statement names it (an {@code ORDER BY}, a lateral alias, an outer query), and it names nothing the
     * statement reads, so renaming it renames a result column and changes no name's meaning. Checked for all of a
     * text's names at once, after it is cut ({@link #dropNamedAliases}).
     * </ul>
     */
    private static boolean isAliasSlot(String sql, int start, int end) {
        if (end - start > MAX_ALIAS_LENGTH || !isAsciiName(sql, start, end)) {
            return false;
        }
        int next = end;
        while (next < sql.length() && (sql.charAt(next) == ' ' || sql.charAt(next) == '\n')) {
            next++;
        }
        boolean itemEnds = next < sql.length() && sql.charAt(next) == ','
                || sql.regionMatches(true, next, "FROM", 0, 4) && !isWordChar(charAt(sql, next + 4));
        return itemEnds; // the keyword check waits for the names no other word names (dropNamedAliases)
    }

    /**
     * The key with every alias slot whose name is another word of the text too put back as that word, and those slots
     * taken out of {@code slots} and {@code kinds}: the third rule of {@link #isAliasSlot}, for all slots in one pass
     * over the text's words.
     */
    private static StringBuilder dropNamedAliases(String sql, StringBuilder key, List<int[]> slots, List<Slot> kinds) {
        // the names' folded hashes, sorted, each with its slot: a word is looked up, not compared with every name
        long[] names = new long[slots.size()];
        int count = 0;
        for (int s = 0; s < slots.size(); s++) {
            if (kinds.get(s) == Slot.ALIAS) {
                int[] b = slots.get(s);
                names[count++] = (long) foldedHash(sql, b[0], b[1]) << 32 | s;
            }
        }
        Arrays.sort(names, 0, count);
        // two cheap sieves before a word is hashed: its length (names are at most 64 long) and its first letter
        long lengths = 0;
        long firstLetters = 0;
        for (int c = 0; c < count; c++) {
            int[] b = slots.get((int) names[c]);
            lengths |= 1L << (b[1] - b[0] - 1);
            firstLetters |= 1L << (Character.toLowerCase(sql.charAt(b[0])) & 63);
        }
        int[] seen = new int[slots.size()];
        int i = 0;
        int n = sql.length();
        while (i < n) {
            if (!isWordChar(sql.charAt(i))) {
                i++;
                continue;
            }
            int e = wordEnd(sql, i);
            char first = sql.charAt(i);
            if (e - i > MAX_ALIAS_LENGTH || (lengths & 1L << (e - i - 1)) == 0
                    || first < 128 && (firstLetters & 1L << (Character.toLowerCase(first) & 63)) == 0) {
                i = e;
                continue;
            }
            long hash = (long) foldedHash(sql, i, e) << 32;
            int k = Arrays.binarySearch(names, 0, count, hash);
            for (k = k >= 0 ? k : -k - 1; k < count && (names[k] & 0xFFFF_FFFF_0000_0000L) == hash; k++) {
                int s = (int) names[k];
                int[] b = slots.get(s);
                if (b[1] - b[0] == e - i && sql.regionMatches(true, i, sql, b[0], e - i)) {
                    seen[s]++;
                }
            }
            i = e;
        }
        boolean named = false;
        for (int s = 0; s < seen.length; s++) {
            if (kinds.get(s) == Slot.ALIAS && seen[s] == 1
                    && !Keywords.isPlainName(sql.substring(slots.get(s)[0], slots.get(s)[1]))) {
                seen[s] = -1; // a keyword of some reader: kept in the key like a named one
            }
            named |= kinds.get(s) == Slot.ALIAS && seen[s] != 1;
        }
        if (!named) {
            return key;
        }
        StringBuilder kept = new StringBuilder(key.length() + 16);
        int slot = 0;
        int out = 0;
        int from = 0;
        for (int k = 0; k < key.length(); k++) {
            char c = key.charAt(k);
            if (c != SLOT && c != ALIAS_SLOT) {
                continue;
            }
            kept.append(key, from, k);
            from = k + 1;
            int[] b = slots.get(slot);
            if (c == ALIAS_SLOT && seen[slot] != 1) {
                kept.append(sql, b[0], b[1]);
            } else {
                kept.append(c);
                slots.set(out, b);
                kinds.set(out++, kinds.get(slot));
            }
            slot++;
        }
        kept.append(key, from, key.length());
        slots.subList(out, slots.size()).clear();
        kinds.subList(out, kinds.size()).clear();
        return kept;
    }

    /** ASCII letters, digits and underscores, not starting with a digit. */
    private static boolean isAsciiName(String s, int start, int end) {
        if (end <= start || isDigit(s.charAt(start))) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * How many words of {@code text} equal {@code word} ignoring case as Java's {@link String#equalsIgnoreCase} does
     * (which folds more than ASCII: what Spark's resolution does; DuckDB's folds ASCII only). A word is a run of
     * {@link #isWordChar} characters, wherever it stands.
     */
    static int wordCount(String text, String word) {
        int count = 0;
        int i = 0;
        while (i < text.length()) {
            if (!isWordChar(text.charAt(i))) {
                i++;
                continue;
            }
            int e = wordEnd(text, i);
            if (e - i == word.length() && text.regionMatches(true, i, word, 0, word.length())) {
                count++;
            }
            i = e;
        }
        return count;
    }

    /** A hash of the characters folded as {@link String#regionMatches(boolean, int, String, int, int)} does. */
    private static int foldedHash(String text, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + Character.toLowerCase(Character.toUpperCase(text.charAt(i)));
        }
        return h;
    }

    private static char charAt(String s, int i) {
        return i < s.length() ? s.charAt(i) : ' ';
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
        Slot[] slotKinds = new Slot[slotBounds.length / 2];
        int slot = 0;
        int remaining = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c != SLOT && c != ALIAS_SLOT) {
                refinedKey.append(c);
                continue;
            }
            if (keep.get(slot)) {
                appendSlot(refinedKey, slot);
            } else {
                refinedKey.append(c);
                slotBounds[2 * remaining] = bounds[2 * slot];
                slotBounds[2 * remaining + 1] = bounds[2 * slot + 1];
                slotKinds[remaining++] = kinds[slot];
            }
            slot++;
        }
        return new LiteralShape(sql, refinedKey.toString(), slotBounds, slotKinds, true);
    }

    String key() {
        return key;
    }

    int slotCount() {
        return kinds.length;
    }

    Slot kind(int slot) {
        return kinds[slot];
    }

    boolean isNumeric(int slot) {
        return kinds[slot] == Slot.NUMBER;
    }

    int slotLength(int slot) {
        return bounds[2 * slot + 1] - bounds[2 * slot];
    }

    String slotContent(int slot) {
        return sql.substring(bounds[2 * slot], bounds[2 * slot + 1]);
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
        if (c < 128) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$';
        }
        return Character.isLetterOrDigit(c);
    }
}

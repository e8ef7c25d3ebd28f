package com.akkio.dbproxy.policy;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The decision for every statement of one {@link LiteralShape}: the rewritten text cut at the literals, and what the
 * statements read and write. A statement of the shape is then decided by putting its literals into the cuts, without
 * parsing.
 *
 * <p>A template is only made when a probe ties it to the parser's own reading. The engine decides the probe: the
 * statement with a random sentinel in every slot. The parser must find each sentinel exactly once, as a literal value
 * outside any row bound ({@code LIMIT}, {@code FETCH}, {@code OFFSET}, {@code TOP}); the probe must be allowed with
 * the same kind, objects and row cap as the statement itself; each sentinel must appear exactly once in the probe's
 * rewritten text; and the template filled with the statement's own literals must reproduce its rewritten text to the
 * character. A slot's content cannot change how the text around it lexes (see {@link LiteralShape}), and the policy
 * looks at a literal value only for its prefix, which a slot never has; so any content gives the same decision.
 *
 * <p>An alias slot's sentinel must be found once as the name of a select item of the outermost query. Its content is
 * a name every reader lexes as a plain one and no other word of the tenant's text is ({@link LiteralShape}), and no
 * word of the text the template sends either (checked as each statement is decided: a physical name the rewrite
 * brought in): so the parse is the probe's with one identifier token's image changed, and no name of the statement or
 * its rewrite resolves otherwise. A name is never a table's column either: the probe's result columns hold.
 */
final class ShapeTemplate {
    private final String[] parts;
    /** The slot whose content goes between {@code parts[k]} and {@code parts[k + 1]}. */
    private final int[] slotAt;
    private final int fixedLength;
    private final StatementKind kind;
    private final List<QualifiedName> reads;
    private final List<QualifiedName> writes;
    private final boolean rowCapApplied;
    /** A literal or a result column's name is never a table's column: every statement of the shape has these. */
    private final Optional<ResultColumns> resultColumns;

    private ShapeTemplate(String[] parts, int[] slotAt, Decision.Allowed decision) {
        this.parts = parts;
        this.slotAt = slotAt;
        int length = 0;
        for (String part : parts) {
            length += part.length();
        }
        this.fixedLength = length;
        this.kind = decision.kind();
        this.reads = decision.reads();
        this.writes = decision.writes();
        this.rowCapApplied = decision.rowCapApplied();
        this.resultColumns = decision.resultColumns();
    }

    /** Marks a select item's alias in the list of literal values the parser found (a value never starts so). */
    static final String ALIAS = "AS ";

    /**
     * Decides a statement of this template's shape; null when an alias slot's content is a word of the text the
     * template sends (a name the rewrite brought in), which a full decision must then look at.
     */
    Decision.Allowed decide(LiteralShape shape) {
        for (int s = 0; s < shape.slotCount(); s++) {
            if (shape.kind(s) == LiteralShape.Slot.ALIAS && inParts(shape, s)) {
                return null;
            }
        }
        return Decision.allow(kind, render(shape), reads, writes, rowCapApplied, resultColumns);
    }

    private boolean inParts(LiteralShape shape, int slot) {
        String content = shape.slotContent(slot);
        for (String part : parts) {
            if (LiteralShape.wordCount(part, content) > 0) {
                return true;
            }
        }
        return false;
    }

    private String render(LiteralShape shape) {
        int length = fixedLength;
        for (int slot : slotAt) {
            length += shape.slotLength(slot);
        }
        StringBuilder out = new StringBuilder(length).append(parts[0]);
        for (int k = 0; k < slotAt.length; k++) {
            shape.appendSlot(out, slotAt[k]);
            out.append(parts[k + 1]);
        }
        return out.toString();
    }

    /**
     * Random slot contents, distinct for the first 10,000 slots: 10-digit numbers below 2^31 (the parser reads
     * type arguments such as {@code DECIMAL(12, 2)} as 32-bit integers) and letter strings. One that equals a
     * literal already in the text only fails the checks.
     */
    static String[] sentinels(LiteralShape shape) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] sentinels = new String[shape.slotCount()];
        for (int s = 0; s < sentinels.length; s++) {
            sentinels[s] = switch (shape.kind(s)) {
                case NUMBER -> String.format("1%05d%04d", random.nextInt(100_000), s % 10_000);
                case STRING -> String.format("akkio%016xslot%d", random.nextLong(), s);
                case ALIAS -> String.format("akkio%016xalias%d", random.nextLong(), s);
            };
        }
        return sentinels;
    }

    /**
     * The template for {@code shape}, or null unless every check in the class comment holds.
     *
     * @param decided  the statement's own decision, from a full parse
     * @param probe    the decision for {@code shape.withSlots(sentinels)}
     * @param literals the literal values the parser found in the probe outside row bounds, strings in quotes
     */
    static ShapeTemplate of(LiteralShape shape, Decision.Allowed decided, String[] sentinels, Decision probe,
                            List<String> literals) {
        int[] at = positions(shape, decided, sentinels, probe, literals);
        if (at == null || Arrays.stream(at).anyMatch(p -> p < 0)) {
            return null;
        }
        String rewritten = probe.rewrittenSql();
        Integer[] order = new Integer[sentinels.length];
        Arrays.setAll(order, s -> s);
        Arrays.sort(order, (a, b) -> Integer.compare(at[a], at[b]));
        String[] parts = new String[sentinels.length + 1];
        int[] slotAt = new int[sentinels.length];
        int from = 0;
        for (int k = 0; k < order.length; k++) {
            int s = order[k];
            parts[k] = rewritten.substring(from, at[s]);
            slotAt[k] = s;
            from = at[s] + sentinels[s].length();
        }
        parts[sentinels.length] = rewritten.substring(from);
        ShapeTemplate template = new ShapeTemplate(parts, slotAt, decided);
        return template.render(shape).equals(decided.rewrittenSql()) ? template : null;
    }

    /**
     * The slots the parser did not confirm as literal values in the probe (a type argument such as the numbers of
     * {@code DECIMAL(12, 2)}, a string used as an alias, a number in a row bound), which {@link LiteralShape#keeping}
     * can keep in the key; null when the probe's decision differs from the statement's and no slot can be blamed.
     */
    static BitSet unconfirmed(LiteralShape shape, Decision.Allowed decided, String[] sentinels, Decision probe,
                              List<String> literals) {
        int[] at = positions(shape, decided, sentinels, probe, literals);
        if (at == null) {
            return null;
        }
        BitSet unconfirmed = new BitSet(sentinels.length);
        for (int s = 0; s < at.length; s++) {
            if (at[s] < 0) {
                unconfirmed.set(s);
            }
        }
        return unconfirmed;
    }

    /**
     * Each slot's {@link #position} in the probe's rewritten text (-1 where unconfirmed), or null when the probe's
     * decision differs from the statement's: allowed too, with the same kind, objects and row cap.
     */
    private static int[] positions(LiteralShape shape, Decision.Allowed decided, String[] sentinels, Decision probe,
                                   List<String> literals) {
        if (!(probe instanceof Decision.Allowed allowed) || decided.kind() != allowed.kind()
                || !decided.reads().equals(allowed.reads()) || !decided.writes().equals(allowed.writes())
                || decided.rowCapApplied() != allowed.rowCapApplied()) {
            return null;
        }
        int[] at = new int[sentinels.length];
        for (int s = 0; s < sentinels.length; s++) {
            at[s] = position(shape, s, sentinels[s], allowed.rewrittenSql(), literals);
        }
        return at;
    }

    /**
     * Where slot {@code s}'s sentinel is in the probe's rewritten text, or -1 unless the parser found it exactly once
     * as a literal value and the text holds it exactly once, standing alone.
     */
    private static int position(LiteralShape shape, int s, String sentinel, String rewritten, List<String> literals) {
        LiteralShape.Slot kind = shape.kind(s);
        String literal = kind == LiteralShape.Slot.STRING ? "'" + sentinel + "'" : sentinel;
        String recorded = kind == LiteralShape.Slot.ALIAS ? ALIAS + sentinel : literal;
        if (literals.stream().filter(recorded::equals).count() != 1) {
            return -1;
        }
        int found = rewritten.indexOf(sentinel);
        int literalStart = kind == LiteralShape.Slot.STRING ? found - 1 : found;
        if (found < 1 || rewritten.indexOf(sentinel, found + 1) >= 0 || !rewritten.startsWith(literal, literalStart)
                || !isBoundary(rewritten, literalStart - 1)
                || !isBoundary(rewritten, literalStart + literal.length())) {
            return -1;
        }
        return found;
    }

    /** True when the character at {@code i} cannot continue the literal beside it (or there is none). */
    private static boolean isBoundary(String text, int i) {
        if (i < 0 || i >= text.length()) {
            return true;
        }
        char c = text.charAt(i);
        return !LiteralShape.isWordChar(c) && c != '.' && c != '\'';
    }
}

package com.akkio.dbproxy.policy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The decision for every statement of one {@link LiteralShape}: the rewritten text cut at the literals, and what the
 * statements read and write. A statement of the shape is then decided by putting its literals into the cuts, without
 * parsing.
 *
 * <p>A template is only made when it provably gives the decision a full parse gives. The engine decides a probe: the
 * statement with a random sentinel in every slot. The parser must find each sentinel exactly once, as a literal value
 * outside any row bound ({@code LIMIT}, {@code FETCH}, {@code OFFSET}, {@code TOP}); the probe must be allowed with
 * the same kind, objects and row cap as the statement itself; each sentinel must appear exactly once in the probe's
 * rewritten text; and the template filled with the statement's own literals must reproduce its rewritten text to the
 * character. A slot's content cannot change how the text around it lexes (see {@link LiteralShape}), and the policy
 * looks at a literal value only for its prefix, which a slot never has; so any content gives the same decision.
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

    private ShapeTemplate(String[] parts, int[] slotAt, Decision decision) {
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
    }

    /** Decides a statement of this template's shape. */
    Decision decide(LiteralShape shape) {
        return Decision.allow(kind, render(shape), reads, writes, rowCapApplied);
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

    /** Random slot contents that cannot occur in a statement by chance: 19-digit numbers and letter strings. */
    static String[] sentinels(LiteralShape shape) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] sentinels = new String[shape.slotCount()];
        for (int s = 0; s < sentinels.length; s++) {
            // 8 and 18 digits: an integer literal (below Long.MAX_VALUE) of a length no real literal has by chance
            sentinels[s] = shape.isNumeric(s)
                    ? String.format("8%012d%06d", random.nextLong(1_000_000_000_000L), s)
                    : String.format("akkio%016xslot%d", random.nextLong(), s);
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
    static ShapeTemplate of(LiteralShape shape, Decision decided, String[] sentinels, Decision probe,
                            List<String> literals) {
        if (!decided.isAllowed() || !probe.isAllowed() || decided.kind() != probe.kind()
                || !decided.reads().equals(probe.reads()) || !decided.writes().equals(probe.writes())
                || decided.rowCapApplied() != probe.rowCapApplied()) {
            return null;
        }
        String rewritten = probe.rewrittenSql();
        int[] at = new int[sentinels.length];
        for (int s = 0; s < sentinels.length; s++) {
            String literal = shape.isNumeric(s) ? sentinels[s] : "'" + sentinels[s] + "'";
            if (literals.stream().filter(literal::equals).count() != 1) {
                return null;
            }
            int found = rewritten.indexOf(sentinels[s]);
            int literalStart = shape.isNumeric(s) ? found : found - 1;
            if (found < 1 || rewritten.indexOf(sentinels[s], found + 1) >= 0
                    || !rewritten.startsWith(literal, literalStart)
                    || !isBoundary(rewritten, literalStart - 1) || !isBoundary(rewritten, literalStart + literal.length())) {
                return null;
            }
            at[s] = found;
        }
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

    /** True when the character at {@code i} cannot continue the literal beside it (or there is none). */
    private static boolean isBoundary(String text, int i) {
        if (i < 0 || i >= text.length()) {
            return true;
        }
        char c = text.charAt(i);
        return !Character.isLetterOrDigit(c) && c != '_' && c != '$' && c != '.' && c != '\'';
    }
}

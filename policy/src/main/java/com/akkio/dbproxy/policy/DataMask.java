package com.akkio.dbproxy.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one column of a masked table is shown ({@code masks} in a policy): a built-in kind, or an expression over the
 * table's columns. The SQL a mask becomes is the engine's own text, built here from the column's quoted, qualified
 * name; nothing of a client's text is in it. Every kind keeps NULL as NULL.
 *
 * <p>Kinds: {@code nullify} (always NULL, of the column's type), {@code hash} (SHA-256 of a per-tenant salt and the
 * value as text: stable, so joins and counts of distinct values still work, and not comparable across tenants),
 * {@code show_first_N} and {@code show_last_N} (the first or last N characters, the rest as {@code *}; a value of N
 * characters or fewer is all {@code *}), {@code redact} ({@code ****}), {@code date_trunc_UNIT} (a date or timestamp
 * truncated to a year, quarter, month, week, day or hour), and {@code expression} (any expression the tenant's
 * function policy allows, over the table's unqualified columns).
 */
public final class DataMask {
    /** The kinds of mask, as a policy file names them. */
    public enum Kind { NULLIFY, HASH, SHOW_FIRST, SHOW_LAST, REDACT, DATE_TRUNC, EXPRESSION }

    private static final Pattern SHOW = Pattern.compile("show_(first|last)_([0-9]{1,3})");
    private static final Pattern TRUNC = Pattern.compile("date_trunc_(year|quarter|month|week|day|hour)");
    /** What {@code redact} shows in place of a value. */
    static final String REDACTED = "****";

    private final Kind kind;
    private final int characters;
    private final String unit;
    private final String expression;

    private DataMask(Kind kind, int characters, String unit, String expression) {
        this.kind = kind;
        this.characters = characters;
        this.unit = unit;
        this.expression = expression;
    }

    /**
     * A built-in mask by its name: {@code nullify}, {@code hash}, {@code redact}, {@code show_first_4},
     * {@code show_last_4}, {@code date_trunc_month}, ...
     *
     * @throws IllegalArgumentException naming the kinds there are
     */
    public static DataMask named(String name) {
        String n = Objects.requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "nullify":
                return new DataMask(Kind.NULLIFY, 0, null, null);
            case "hash":
                return new DataMask(Kind.HASH, 0, null, null);
            case "redact":
                return new DataMask(Kind.REDACT, 0, null, null);
            default:
                break;
        }
        Matcher show = SHOW.matcher(n);
        if (show.matches()) {
            int count = Integer.parseInt(show.group(2));
            if (count < 1) {
                throw new IllegalArgumentException("mask " + name + " must show at least one character");
            }
            return new DataMask(show.group(1).equals("first") ? Kind.SHOW_FIRST : Kind.SHOW_LAST, count, null, null);
        }
        Matcher trunc = TRUNC.matcher(n);
        if (trunc.matches()) {
            return new DataMask(Kind.DATE_TRUNC, 0, trunc.group(1), null);
        }
        throw new IllegalArgumentException("unknown mask '" + name + "' (masks: nullify, hash, redact, show_first_N,"
                + " show_last_N, date_trunc_UNIT with UNIT one of year, quarter, month, week, day, hour, or"
                + " {expression: ...})");
    }

    /** A mask computed by {@code expression}, over the table's unqualified column names. */
    public static DataMask expression(String expression) {
        if (Objects.requireNonNull(expression, "expression").isBlank()) {
            throw new IllegalArgumentException("a mask's expression must not be empty");
        }
        return new DataMask(Kind.EXPRESSION, 0, null, expression);
    }

    public Kind kind() {
        return kind;
    }

    /** The expression of an {@link Kind#EXPRESSION} mask, as the policy wrote it; null for the built-in kinds. */
    String expressionText() {
        return expression;
    }

    /**
     * The SQL of this mask over {@code column} (the column already qualified and quoted); for an expression mask,
     * {@code qualifiedExpression} is its text with every column qualified. {@code salt} is the tenant's salt.
     */
    String sql(String column, Dialect dialect, String salt, String qualifiedExpression) {
        String text = dialect == Dialect.DATABRICKS ? "STRING" : "VARCHAR";
        String asText = "CAST(" + column + " AS " + text + ")";
        return switch (kind) {
            // the column's own type, never its value: a NULL literal would be typed NULL (or STRING)
            case NULLIFY -> "CASE WHEN FALSE THEN " + column + " END";
            case HASH -> dialect == Dialect.DATABRICKS
                    ? "sha2('" + salt + "' || " + asText + ", 256)"
                    : "sha256('" + salt + "' || " + asText + ")";
            case REDACT -> "CASE WHEN " + column + " IS NULL THEN NULL ELSE '" + REDACTED + "' END";
            case SHOW_FIRST, SHOW_LAST -> "CASE WHEN length(" + asText + ") > " + characters + " THEN "
                    + (kind == Kind.SHOW_FIRST
                    ? "left(" + asText + ", " + characters
                    + ") || repeat('*', length(" + asText + ") - " + characters + ")"
                    : "repeat('*', length(" + asText + ") - " + characters + ") || right(" + asText + ", "
                    + characters + ")")
                    + " ELSE repeat('*', length(" + asText + ")) END";
            case DATE_TRUNC -> "date_trunc('" + unit + "', " + column + ")";
            case EXPRESSION -> qualifiedExpression;
        };
    }

    /** What an audit record or the {@code check} command says of this mask: its kind, never a salt. */
    String describe() {
        return switch (kind) {
            case SHOW_FIRST -> "show_first_" + characters;
            case SHOW_LAST -> "show_last_" + characters;
            case DATE_TRUNC -> "date_trunc_" + unit;
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataMask m && m.kind == kind && m.characters == characters && Objects.equals(m.unit, unit)
                && Objects.equals(m.expression, expression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, characters, unit, expression);
    }

    @Override
    public String toString() {
        return describe();
    }
}

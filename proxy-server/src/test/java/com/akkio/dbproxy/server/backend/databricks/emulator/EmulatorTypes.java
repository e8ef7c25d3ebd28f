package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Databricks names of the emulator's DuckDB types: a result manifest's {@code type_name} (Spark's names, e.g.
 * {@code LONG}) and {@code type_text} (SQL names, e.g. {@code BIGINT}, {@code ARRAY<INT>}).
 */
public final class EmulatorTypes {
    private EmulatorTypes() {
    }

    /**
     * The Databricks type text of a DuckDB list, struct or map type ({@code INTEGER[]} is {@code ARRAY<INT>},
     * {@code STRUCT(id INTEGER, n VARCHAR)} is {@code STRUCT<id: INT, n: STRING>}, {@code MAP(VARCHAR, INTEGER)} is
     * {@code MAP<STRING, INT>}), as a warehouse's result manifest gives it; null for other types.
     */
    static String complexTypeText(String duckType) {
        String t = duckType.strip();
        if (t.endsWith("]")) {
            return "ARRAY<" + databricksTypeText(t.substring(0, t.lastIndexOf('['))) + ">";
        }
        if (t.startsWith("STRUCT(") || t.startsWith("MAP(")) {
            List<String> parts = topLevelParts(t.substring(t.indexOf('(') + 1, t.length() - 1));
            StringBuilder out = new StringBuilder(t.startsWith("MAP(") ? "MAP<" : "STRUCT<");
            for (int i = 0; i < parts.size(); i++) {
                String part = parts.get(i).strip();
                if (t.startsWith("MAP(")) {
                    out.append(i > 0 ? ", " : "").append(databricksTypeText(part));
                } else {
                    int space = part.indexOf(' ');
                    out.append(i > 0 ? ", " : "").append(part, 0, space).append(": ")
                            .append(databricksTypeText(part.substring(space + 1)));
                }
            }
            return out.append('>').toString();
        }
        return null;
    }

    static String databricksTypeText(String duckType) {
        String complex = complexTypeText(duckType);
        if (complex != null) {
            return complex;
        }
        String t = duckType.strip().toUpperCase(Locale.ROOT);
        return switch (t) {
            case "INTEGER" -> "INT";
            case "VARCHAR" -> "STRING";
            case "BLOB" -> "BINARY";
            // Databricks' TIMESTAMP is an instant (DuckDB's TIMESTAMPTZ), its TIMESTAMP_NTZ a wall clock
            case "TIMESTAMP WITH TIME ZONE" -> "TIMESTAMP";
            case "TIMESTAMP" -> "TIMESTAMP_NTZ";
            // DuckDB has one INTERVAL; a column declared year-month is one (see EmulatorResults#declare)
            case "INTERVAL" -> "INTERVAL DAY TO SECOND";
            case "JSON" -> "VARIANT";
            default -> t;
        };
    }

    /**
     * {@code a INTEGER, b STRUCT(c INTEGER, d VARCHAR)} (DuckDB) or {@code a: INT, m: MAP<INT, STRING>} (Databricks)
     * split at the commas outside brackets.
     */
    static List<String> topLevelParts(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            depth += c == '(' || c == '[' || c == '<' ? 1 : c == ')' || c == ']' || c == '>' ? -1 : 0;
            if (c == ',' && depth == 0) {
                parts.add(list.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(list.substring(start));
        return parts;
    }

    /** The {@code type_name} of a column of type text {@code typeText}, where its JDBC metadata cannot tell. */
    static String typeNameOf(String typeText) {
        String t = typeText.toUpperCase(Locale.ROOT);
        int cut = t.indexOf('<');
        // a manifest's type_name has Spark's names for the integers (LONG, not BIGINT): the driver converts only those
        return t.startsWith("INTERVAL") ? "INTERVAL" : t.startsWith("TIMESTAMP") ? "TIMESTAMP"
                : cut > 0 ? t.substring(0, cut) : t.startsWith("DECIMAL") ? "DECIMAL"
                : switch (t) {
                    case "BIGINT" -> "LONG";
                    case "SMALLINT" -> "SHORT";
                    case "TINYINT" -> "BYTE";
                    default -> t;
                };
    }

    /** Column {@code i}'s {@code type_name}. */
    static String typeName(ResultSetMetaData md, int i) throws SQLException {
        String special = databricksTypeText(md.getColumnTypeName(i));
        if (special.equals("BINARY") || special.equals("VARIANT") || special.startsWith("INTERVAL")) {
            return typeNameOf(special);
        }
        String complex = complexTypeText(md.getColumnTypeName(i));
        // DuckDB's JDBC type for its 4-byte FLOAT is FLOAT, which JDBC means as a DOUBLE
        return complex != null ? complex.substring(0, complex.indexOf('<'))
                : md.getColumnTypeName(i).equals("FLOAT") ? "FLOAT"
                : typeName(md.getColumnType(i));
    }

    /** Column {@code i}'s {@code type_text}. */
    static String typeText(ResultSetMetaData md, int i) throws SQLException {
        String complex = complexTypeText(md.getColumnTypeName(i));
        String special = databricksTypeText(md.getColumnTypeName(i));
        return complex != null ? complex
                : special.equals("TIMESTAMP_NTZ") || special.equals("BINARY") || special.equals("VARIANT")
                        || special.startsWith("INTERVAL") ? special
                : typeText(typeName(md, i), md, i);
    }

    /** DuckDB's text of an interval as the driver writes a Databricks interval of type {@code typeText}. */
    public static String intervalLiteral(String duckText, String typeText) {
        return interval(duckText).literal(isYearMonth(typeText));
    }

    static boolean isYearMonth(String intervalTypeText) {
        String t = intervalTypeText.toUpperCase(Locale.ROOT);
        return t.startsWith("INTERVAL YEAR") || t.startsWith("INTERVAL MONTH");
    }

    /** A DuckDB interval: its months and the rest (days and time of day). */
    record Interval(int months, java.time.Duration dayTime) {
        /**
         * As the driver writes a Databricks interval it read from Arrow: {@code 1-2} (years-months), {@code
         * 1 02:03:04.500000000} (days hours:minutes:seconds.nanos), a minus sign in front when negative.
         */
        String literal(boolean yearMonth) {
            if (yearMonth) {
                return (months < 0 ? "-" : "") + Math.abs(months) / 12 + "-" + Math.abs(months) % 12;
            }
            long nanos = Math.abs(dayTime.toNanos());
            return String.format(Locale.ROOT, "%s%d %02d:%02d:%02d.%09d", dayTime.isNegative() ? "-" : "",
                    nanos / 86_400_000_000_000L, nanos / 3_600_000_000_000L % 24, nanos / 60_000_000_000L % 60,
                    nanos / 1_000_000_000L % 60, nanos % 1_000_000_000L);
        }
    }

    private static final java.util.regex.Pattern INTERVAL_PART = java.util.regex.Pattern.compile(
            "(-?\\d+) (years?|mons?|months?|days?)|(-?)(\\d+):(\\d\\d):(\\d\\d)(\\.\\d+)?");

    /** DuckDB's text of an interval ({@code 1 year 2 months}, {@code -1 day -00:00:01.5}) read back. */
    static Interval interval(String text) {
        int months = 0;
        java.time.Duration rest = java.time.Duration.ZERO;
        java.util.regex.Matcher m = INTERVAL_PART.matcher(text);
        while (m.find()) {
            if (m.group(1) != null) {
                int n = Integer.parseInt(m.group(1));
                switch (m.group(2).charAt(0)) {
                    case 'y' -> months += 12 * n;
                    case 'm' -> months += n;
                    default -> rest = rest.plusDays(n);
                }
            } else {
                java.time.Duration time = java.time.Duration.ofHours(Long.parseLong(m.group(4)))
                        .plusMinutes(Long.parseLong(m.group(5))).plusSeconds(Long.parseLong(m.group(6)))
                        .plusNanos(m.group(7) == null ? 0
                                : Long.parseLong((m.group(7).substring(1) + "000000000").substring(0, 9)));
                rest = m.group(3).isEmpty() ? rest.plus(time) : rest.minus(time);
            }
        }
        return new Interval(months, rest);
    }

    private static String typeName(int jdbcType) {
        return switch (jdbcType) {
            case Types.BIGINT -> "LONG";
            case Types.INTEGER -> "INT";
            case Types.SMALLINT -> "SHORT";
            case Types.TINYINT -> "BYTE";
            case Types.DOUBLE, Types.FLOAT -> "DOUBLE";
            case Types.REAL -> "FLOAT";
            case Types.DECIMAL, Types.NUMERIC -> "DECIMAL";
            case Types.BOOLEAN, Types.BIT -> "BOOLEAN";
            case Types.DATE -> "DATE";
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> "TIMESTAMP";
            default -> "STRING";
        };
    }

    private static String typeText(String type, ResultSetMetaData md, int i) throws SQLException {
        // the type text a warehouse writes in a result manifest: SQL names, where type_name has Spark's
        return switch (type) {
            case "LONG" -> "BIGINT";
            case "SHORT" -> "SMALLINT";
            case "BYTE" -> "TINYINT";
            case "DECIMAL" -> "DECIMAL(" + md.getPrecision(i) + "," + md.getScale(i) + ")";
            default -> type;
        };
    }
}

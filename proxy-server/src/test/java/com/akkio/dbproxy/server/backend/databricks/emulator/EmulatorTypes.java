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
final class EmulatorTypes {
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
            case "TIMESTAMP WITH TIME ZONE" -> "TIMESTAMP";
            default -> t;
        };
    }

    /** {@code a INTEGER, b STRUCT(c INTEGER, d VARCHAR)} split at the commas outside brackets. */
    static List<String> topLevelParts(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            depth += c == '(' || c == '[' ? 1 : c == ')' || c == ']' ? -1 : 0;
            if (c == ',' && depth == 0) {
                parts.add(list.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(list.substring(start));
        return parts;
    }

    /** Column {@code i}'s {@code type_name}. */
    static String typeName(ResultSetMetaData md, int i) throws SQLException {
        String complex = complexTypeText(md.getColumnTypeName(i));
        // DuckDB's JDBC type for its 4-byte FLOAT is FLOAT, which JDBC means as a DOUBLE
        return complex != null ? complex.substring(0, complex.indexOf('<'))
                : md.getColumnTypeName(i).equals("FLOAT") ? "FLOAT"
                : typeName(md.getColumnType(i));
    }

    /** Column {@code i}'s {@code type_text}. */
    static String typeText(ResultSetMetaData md, int i) throws SQLException {
        String complex = complexTypeText(md.getColumnTypeName(i));
        return complex != null ? complex : typeText(typeName(md, i), md, i);
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

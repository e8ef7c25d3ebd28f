package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.function.BinaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The column metadata a warehouse answers to databricks-jdbc's {@code DatabaseMetaData.getColumns}: in its SQL
 * Execution mode, driver 3.4.5 sends {@code SHOW COLUMNS IN CATALOG `c` [SCHEMA LIKE 's'] [TABLE LIKE 't']
 * [LIKE 'col']} (or {@code IN ALL CATALOGS}) as a statement and reads the result by column name ({@code col_name,
 * catalogName, namespace, tableName, columnType, columnSize, decimalDigits, radix, isNullable, remarks,
 * ordinalPosition, isAutoIncrement, isGenerated}), mapping the type text to a JDBC type itself. The emulator answers
 * it from DuckDB's {@code information_schema.columns}, the type text as a warehouse writes it.
 */
final class ColumnMetadata {
    private static final String LIKE = "\\s+LIKE\\s+'((?:[^']|'')*)'";
    private static final Pattern SHOW_COLUMNS = Pattern.compile("(?is)\\s*SHOW\\s+COLUMNS\\s+IN\\s+"
            + "(?:ALL\\s+CATALOGS|CATALOG\\s+`((?:[^`]|``)*)`)"
            + "(?:\\s+SCHEMA" + LIKE + ")?(?:\\s+TABLE" + LIKE + ")?(?:" + LIKE + ")?\\s*;?\\s*");

    private ColumnMetadata() {
    }

    /**
     * A DuckDB query answering {@code text} when it is a SHOW COLUMNS command, else null.
     *
     * @param typeText a column's label and DuckDB type to the type text a warehouse shows ({@code bigint},
     *                 {@code string}, {@code decimal(10,2)})
     */
    static String query(Connection duckdb, String text, BinaryOperator<String> typeText) throws SQLException {
        Matcher m = SHOW_COLUMNS.matcher(text);
        if (!m.matches()) {
            return null;
        }
        StringBuilder rows = new StringBuilder();
        try (PreparedStatement s = duckdb.prepareStatement("SELECT table_catalog, table_schema, table_name,"
                + " column_name, data_type, ordinal_position, is_nullable, numeric_precision, numeric_scale"
                + " FROM information_schema.columns WHERE (? IS NULL OR table_catalog = ?)"
                + " AND regexp_full_match(table_schema, ?) AND regexp_full_match(table_name, ?)"
                + " AND regexp_full_match(column_name, ?)"
                + " ORDER BY table_catalog, table_schema, table_name, ordinal_position")) {
            String catalog = m.group(1) == null ? null : m.group(1).replace("``", "`");
            s.setString(1, catalog);
            s.setString(2, catalog);
            s.setString(3, regex(m.group(2)));
            s.setString(4, regex(m.group(3)));
            s.setString(5, regex(m.group(4)));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String type = typeText.apply(r.getString(4), r.getString(5)).toLowerCase(Locale.ROOT);
                    rows.append(rows.length() == 0 ? "" : ", ").append('(').append(literal(r.getString(4)))
                            .append(", ").append(literal(r.getString(1))).append(", ").append(literal(r.getString(2)))
                            .append(", ").append(literal(r.getString(3))).append(", ").append(literal(type))
                            .append(", ").append(r.getObject(8) == null ? "NULL" : r.getInt(8))
                            .append(", ").append(r.getObject(9) == null ? "NULL" : r.getInt(9))
                            .append(", ").append(r.getObject(8) == null ? "NULL" : "10")
                            .append(", ").append(literal("YES".equals(r.getString(7)) ? "true" : "false"))
                            .append(", NULL, ").append(r.getInt(6)).append(", 'NO', 'NO')");
                }
            }
        }
        String columns = "col_name, catalogName, namespace, tableName, columnType, columnSize, decimalDigits, radix,"
                + " isNullable, remarks, ordinalPosition, isAutoIncrement, isGenerated";
        if (rows.length() == 0) {
            // an empty result with the same columns and types
            return "SELECT * FROM (VALUES ('', '', '', '', '', 0, 0, 0, '', CAST(NULL AS VARCHAR), 0, '', ''))"
                    + " AS t(" + columns + ") WHERE FALSE";
        }
        return "SELECT col_name, catalogName, namespace, tableName, columnType, CAST(columnSize AS INTEGER) AS"
                + " columnSize, CAST(decimalDigits AS INTEGER) AS decimalDigits, CAST(radix AS INTEGER) AS radix,"
                + " isNullable, CAST(remarks AS VARCHAR) AS remarks, ordinalPosition, isAutoIncrement, isGenerated"
                + " FROM (VALUES " + rows + ") AS t(" + columns + ")";
    }

    /**
     * A SHOW command's pattern as a regular expression: {@code *} and JDBC's {@code %} any characters, {@code _} one,
     * {@code |} either side, a backslash escaping the next character; no pattern matches everything.
     */
    private static String regex(String pattern) {
        if (pattern == null) {
            return "(?s).*";
        }
        String p = pattern.replace("''", "'");
        StringBuilder out = new StringBuilder("(?i)(?:");
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length()) {
                out.append(Pattern.quote(String.valueOf(p.charAt(++i))));
            } else if (c == '*' || c == '%') {
                out.append(".*");
            } else if (c == '_') {
                out.append('.');
            } else if (c == '|') {
                out.append('|');
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.append(')').toString();
    }

    private static String literal(String s) {
        return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }

    /**
     * Spark's {@code sha2(expr, bitLength)} in DuckDB: for 0 or 256 the SHA-256 digest as lower-case hex, as Spark
     * returns it; for 224, 384 and 512 (which DuckDB has no digest of) the statement fails saying the emulator lacks
     * them, rather than answering what Spark would not; for any other bit length NULL, as Spark answers.
     */
    static void installFunctions(Connection duckdb) throws SQLException {
        try (java.sql.Statement s = duckdb.createStatement()) {
            s.execute("CREATE OR REPLACE TEMP MACRO sha2(x, bits) AS CASE WHEN bits IN (0, 256)"
                    + " THEN sha256(CAST(x AS VARCHAR)) WHEN bits IN (224, 384, 512) THEN"
                    + " error('the Databricks emulator has no sha2 of ' || bits || ' bits') END");
        }
    }
}

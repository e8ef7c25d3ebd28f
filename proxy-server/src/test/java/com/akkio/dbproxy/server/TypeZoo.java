package com.akkio.dbproxy.server;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;

/**
 * The demo's {@code sales.type_zoo} (conf/demo-seed.sql): one column of every DuckDB type, four rows (everyday
 * values, two rows of edge values, NULLs), and how to tell whether a client got a value right. The oracle is the
 * backend's own text of each value, read through the proxy as text ({@code CAST(c AS VARCHAR)}, and
 * {@code to_json(c)} for nested values), which travels unchanged; each client's value is compared with it, allowing
 * only the losses a front end documents ({@link Precision}).
 */
public final class TypeZoo {
    /** How a column's values are compared with the backend's text. */
    public enum Check {
        INTEGER, DECIMAL, REAL, DOUBLE, BOOLEAN, TEXT, BLOB, DATE, TIME, TIME_TZ, TIMESTAMP, TIMESTAMP_TZ,
        /** A JSON document whose text the backend keeps (DuckDB's JSON type). */
        JSON_TEXT,
        /** A nested value (STRUCT, MAP, LIST, ARRAY), equal as JSON to {@code to_json(c)}. */
        JSON_VALUE,
        /** A UNION: its member's value, equal as JSON to the one field of {@code to_json(c)}. */
        UNION_VALUE
    }

    /** Fractional seconds a front end carries for times and timestamps. */
    public enum Precision {
        MILLIS(ChronoUnit.MILLIS), MICROS(ChronoUnit.MICROS), NANOS(ChronoUnit.NANOS);

        final ChronoUnit unit;

        Precision(ChronoUnit unit) {
            this.unit = unit;
        }
    }

    public record Column(String name, String duckdbType, Check check) {
    }

    public static final List<Column> COLUMNS = List.of(
            new Column("c_tinyint", "TINYINT", Check.INTEGER),
            new Column("c_smallint", "SMALLINT", Check.INTEGER),
            new Column("c_integer", "INTEGER", Check.INTEGER),
            new Column("c_bigint", "BIGINT", Check.INTEGER),
            new Column("c_hugeint", "HUGEINT", Check.INTEGER),
            new Column("c_uhugeint", "UHUGEINT", Check.INTEGER),
            new Column("c_utinyint", "UTINYINT", Check.INTEGER),
            new Column("c_usmallint", "USMALLINT", Check.INTEGER),
            new Column("c_uinteger", "UINTEGER", Check.INTEGER),
            new Column("c_ubigint", "UBIGINT", Check.INTEGER),
            new Column("c_decimal_4_1", "DECIMAL(4,1)", Check.DECIMAL),
            new Column("c_decimal_18_6", "DECIMAL(18,6)", Check.DECIMAL),
            new Column("c_decimal_38_10", "DECIMAL(38,10)", Check.DECIMAL),
            new Column("c_real", "FLOAT", Check.REAL),
            new Column("c_double", "DOUBLE", Check.DOUBLE),
            new Column("c_boolean", "BOOLEAN", Check.BOOLEAN),
            new Column("c_varchar", "VARCHAR", Check.TEXT),
            new Column("c_blob", "BLOB", Check.BLOB),
            new Column("c_bit", "BIT", Check.TEXT),
            new Column("c_date", "DATE", Check.DATE),
            new Column("c_time", "TIME", Check.TIME),
            new Column("c_timetz", "TIME WITH TIME ZONE", Check.TIME_TZ),
            new Column("c_timestamp", "TIMESTAMP", Check.TIMESTAMP),
            new Column("c_timestamp_s", "TIMESTAMP_S", Check.TIMESTAMP),
            new Column("c_timestamp_ms", "TIMESTAMP_MS", Check.TIMESTAMP),
            new Column("c_timestamp_ns", "TIMESTAMP_NS", Check.TIMESTAMP),
            new Column("c_timestamptz", "TIMESTAMP WITH TIME ZONE", Check.TIMESTAMP_TZ),
            new Column("c_interval", "INTERVAL", Check.TEXT),
            new Column("c_uuid", "UUID", Check.TEXT),
            new Column("c_json", "JSON", Check.JSON_TEXT),
            new Column("c_enum", "ENUM", Check.TEXT),
            new Column("c_list", "INTEGER[]", Check.JSON_VALUE),
            new Column("c_list_text", "VARCHAR[]", Check.JSON_VALUE),
            new Column("c_array", "INTEGER[3]", Check.JSON_VALUE),
            new Column("c_struct", "STRUCT(id INTEGER, n VARCHAR)", Check.JSON_VALUE),
            new Column("c_map", "MAP(VARCHAR, INTEGER)", Check.JSON_VALUE),
            new Column("c_union", "UNION(num INTEGER, str VARCHAR)", Check.UNION_VALUE));

    public static final int ROWS = 4;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    /** DuckDB's text of times and offsets: {@code 2024-02-29 12:34:56.5}, {@code +05:30}, {@code -08}. */
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendPattern("HH:mm[:ss]")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().toFormatter();
    private static final DateTimeFormatter OFFSET = new DateTimeFormatterBuilder().appendOffset("+HH:mm:ss", "+00")
            .toFormatter();
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(TIME).toFormatter();

    private TypeZoo() {
    }

    /** The backend's text of one column's values, by row id: {@code CAST(c AS VARCHAR)} and {@code to_json(c)}. */
    public record Oracle(Map<Integer, String> text, Map<Integer, String> json) {
    }

    public static Oracle oracle(Connection c, Column column) throws SQLException {
        Map<Integer, String> text = new LinkedHashMap<>();
        Map<Integer, String> json = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id, CAST(" + column.name()
                + " AS VARCHAR), CAST(to_json(" + column.name() + ") AS VARCHAR) FROM type_zoo ORDER BY id")) {
            while (r.next()) {
                text.put(r.getInt(1), r.getString(2));
                json.put(r.getInt(1), r.getString(3));
            }
        }
        return new Oracle(text, json);
    }

    /**
     * Null when {@code actual}, a client's value of {@code column} in row {@code id}, is the backend's value (to
     * {@code precision}), else what differs. Values come as the clients hand them over: numbers, text, bytes,
     * {@code java.sql} and {@code java.time} objects, {@code java.sql.Array}s, JSON text.
     */
    public static String mismatch(Column column, int id, Object actual, Oracle oracle, Precision precision)
            throws SQLException {
        String text = oracle.text().get(id);
        if (text == null || actual == null) {
            return Objects.equals(text, actual) ? null : "expected " + text + ", got " + describe(actual);
        }
        boolean same = switch (column.check()) {
            case INTEGER, DECIMAL -> actual instanceof Number
                    && new BigDecimal(actual.toString()).compareTo(new BigDecimal(text)) == 0;
            case REAL -> actual instanceof Float f && Float.compare(f, (float) duckDouble(text)) == 0;
            case DOUBLE -> actual instanceof Double d && Double.compare(d, duckDouble(text)) == 0;
            case BOOLEAN -> actual instanceof Boolean b && b == Boolean.parseBoolean(text);
            case TEXT, JSON_TEXT -> actual.toString().equals(text);
            case BLOB -> actual instanceof byte[] b && java.util.Arrays.equals(b, duckBlob(text));
            case DATE -> LocalDate.parse(text).equals(localDate(actual));
            case TIME -> LocalTime.parse(text, TIME).truncatedTo(precision.unit).equals(localTime(actual));
            case TIME_TZ -> offsetTime(text).equals(actual instanceof OffsetTime t ? t : null);
            case TIMESTAMP -> LocalDateTime.parse(text, TIMESTAMP).truncatedTo(precision.unit)
                    .equals(localDateTime(actual));
            case TIMESTAMP_TZ -> offsetDateTime(text).toInstant().equals(instant(actual));
            case JSON_VALUE -> sameJson(json(oracle.json().get(id)), json(actual));
            case UNION_VALUE -> sameJson(json(oracle.json().get(id)).elements().next(), json(actual));
        };
        return same ? null : "expected " + text + ", got " + describe(actual);
    }

    /**
     * A class as README's type tables name it: {@code Byte}, {@code BigDecimal}, {@code java.sql.Date},
     * {@code PGobject}, {@code byte[]}.
     */
    public static Class<?> javaClass(String name) {
        if (name.equals("byte[]")) {
            return byte[].class;
        }
        for (String pkg : List.of("", "java.lang.", "java.math.", "java.time.", "java.util.", "java.sql.",
                "org.postgresql.util.")) {
            try {
                return Class.forName(pkg + name);
            } catch (ClassNotFoundException e) {
                // next package
            }
        }
        throw new IllegalArgumentException("README names no class " + name);
    }

    private static String describe(Object v) {
        return v == null ? "null" : v.getClass().getName() + " " + (v instanceof byte[] b ? HexFormat.of()
                .formatHex(b) : v instanceof java.sql.Array a ? arrayText(a) : v.toString());
    }

    private static String arrayText(java.sql.Array a) {
        try {
            return java.util.Arrays.deepToString((Object[]) a.getArray());
        } catch (SQLException e) {
            return "(unreadable array: " + e.getMessage() + ")";
        }
    }

    /** DuckDB prints nan, inf and -inf. */
    private static double duckDouble(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** DuckDB's BLOB text: printable ASCII as it is, other bytes as {@code \xHH}. */
    public static byte[] duckBlob(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("\\x", i)) {
                out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.write(text.charAt(i));
            }
        }
        return out.toByteArray();
    }

    private static LocalDate localDate(Object v) {
        return v instanceof java.sql.Date d ? d.toLocalDate() : v instanceof LocalDate d ? d : null;
    }

    /** A {@code java.sql.Time} keeps milliseconds, which its own toLocalTime drops. */
    private static LocalTime localTime(Object v) {
        return v instanceof java.sql.Time t ? new java.sql.Timestamp(t.getTime()).toLocalDateTime().toLocalTime()
                : v instanceof LocalTime t ? t : null;
    }

    private static LocalDateTime localDateTime(Object v) {
        return v instanceof java.sql.Timestamp t ? t.toLocalDateTime() : v instanceof LocalDateTime t ? t : null;
    }

    private static Instant instant(Object v) {
        return v instanceof OffsetDateTime t ? t.toInstant() : v instanceof java.sql.Timestamp t ? t.toInstant()
                : null;
    }

    public static OffsetTime offsetTime(String text) {
        int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
        return OffsetTime.of(LocalTime.parse(text.substring(0, sign), TIME),
                java.time.ZoneOffset.from(OFFSET.parse(text.substring(sign))));
    }

    public static OffsetDateTime offsetDateTime(String text) {
        int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
        return OffsetDateTime.of(LocalDateTime.parse(text.substring(0, sign), TIMESTAMP),
                java.time.ZoneOffset.from(OFFSET.parse(text.substring(sign))));
    }

    /** Equal as JSON, numbers by value (1, 1.0 and 1E0 are one number). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue())
                : x.equals(y) ? 0 : 1, b);
    }

    /**
     * A value as JSON: lists and arrays element by element, anything else by its text (a String, or a driver's object
     * for a JSON value such as pgjdbc's PGobject).
     */
    static JsonNode json(Object v) throws SQLException {
        try {
            if (v instanceof java.sql.Array || v instanceof Object[] || v instanceof List) {
                return JSON.valueToTree(plain(v));
            }
            return JSON.readTree(v.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + v, e);
        }
    }

    private static Object plain(Object v) throws SQLException {
        if (v instanceof java.sql.Array a) {
            return plain(a.getArray());
        }
        if (v instanceof Object[] items) {
            List<Object> out = new ArrayList<>();
            for (Object item : items) {
                out.add(plain(item));
            }
            return out;
        }
        if (v instanceof List<?> items) {
            return plain(items.toArray());
        }
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        return v;
    }
}

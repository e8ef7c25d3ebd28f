package com.akkio.dbproxy.server.frontend.pgwire;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.akkio.dbproxy.server.types.JsonText;
import com.akkio.dbproxy.server.types.SqlText;
import com.akkio.dbproxy.server.types.ValueType;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.avatica.util.ByteString;

/**
 * The PostgreSQL types the front end speaks, with their text and binary encodings, and which one each of the core's
 * value kinds ({@link ValueType}) is sent as: numbers, text, bytes and times as their PostgreSQL types (times and
 * timestamps to the microsecond, which is what PostgreSQL keeps; a nanosecond timestamp is cut to it), intervals as
 * the backend's text (see {@link ValueType.Kind#INTERVAL}), UUIDs as {@code uuid}, bit strings as {@code varbit},
 * JSON documents (JSON, STRUCT, MAP, UNION values) as {@code json}, which psycopg2 turns into dicts, and a list as
 * an array of its element's type, which psycopg2 turns into a list; a list of lists, which PostgreSQL's arrays
 * cannot hold when ragged, as {@code json}. Every type sent is one pgjdbc knows without asking {@code pg_catalog}.
 */
enum PgType {
    BOOL(16, 1),
    BYTEA(17, -1),
    INT8(20, 8),
    INT2(21, 2),
    INT4(23, 4),
    TEXT(25, -1),
    OID(26, 4),
    JSON(114, -1),
    FLOAT4(700, 4),
    FLOAT8(701, 8),
    UNKNOWN(705, -2),
    BPCHAR(1042, -1),
    VARCHAR(1043, -1),
    DATE(1082, 4),
    TIME(1083, 8),
    TIMESTAMP(1114, 8),
    TIMESTAMPTZ(1184, 8),
    TIMETZ(1266, 12),
    VARBIT(1562, -1),
    NUMERIC(1700, -1),
    UUID(2950, 16),
    BOOL_ARRAY(1000, BOOL),
    BYTEA_ARRAY(1001, BYTEA),
    TEXT_ARRAY(1009, TEXT),
    INT2_ARRAY(1005, INT2),
    INT4_ARRAY(1007, INT4),
    INT8_ARRAY(1016, INT8),
    VARCHAR_ARRAY(1015, VARCHAR),
    JSON_ARRAY(199, JSON),
    FLOAT4_ARRAY(1021, FLOAT4),
    FLOAT8_ARRAY(1022, FLOAT8),
    TIMESTAMP_ARRAY(1115, TIMESTAMP),
    DATE_ARRAY(1182, DATE),
    TIME_ARRAY(1183, TIME),
    TIMESTAMPTZ_ARRAY(1185, TIMESTAMPTZ),
    NUMERIC_ARRAY(1231, NUMERIC),
    TIMETZ_ARRAY(1270, TIMETZ),
    VARBIT_ARRAY(1563, VARBIT),
    UUID_ARRAY(2951, UUID);

    final int oid;
    final int length;
    /** An array type's element type, else null. */
    final PgType element;

    PgType(int oid, int length) {
        this.oid = oid;
        this.length = length;
        this.element = null;
    }

    PgType(int oid, PgType element) {
        this.oid = oid;
        this.length = -1;
        this.element = element;
    }

    static PgType ofOid(int oid) {
        for (PgType t : values()) {
            if (t.oid == oid) {
                return t;
            }
        }
        return null;
    }

    /** The type a result column is sent as. */
    static PgType of(ColumnMetaData column) {
        return of(ValueType.of(column));
    }

    static PgType of(ValueType type) {
        return switch (type.kind()) {
            case BOOLEAN -> BOOL;
            case TINYINT, SMALLINT -> INT2;
            case INTEGER -> INT4;
            case BIGINT -> INT8;
            case DECIMAL -> NUMERIC;
            case REAL -> FLOAT4;
            case DOUBLE -> FLOAT8;
            case TEXT -> VARCHAR;
            case BINARY -> BYTEA;
            case BITS -> VARBIT;
            case DATE -> DATE;
            case TIME -> TIME;
            case TIME_TZ -> TIMETZ;
            case TIMESTAMP -> TIMESTAMP;
            case TIMESTAMP_TZ -> TIMESTAMPTZ;
            case UUID -> UUID;
            case JSON -> JSON;
            case ARRAY -> arrayOf(of(type.element()));
            case INTERVAL, NULL -> TEXT;
        };
    }

    private static PgType arrayOf(PgType element) {
        for (PgType t : values()) {
            if (t.element == element) {
                return t;
            }
        }
        return JSON; // an array of arrays
    }

    /** The PostgreSQL type of a parameter the backend describes by JDBC type only. */
    static PgType ofJdbc(int sqlType) {
        return switch (sqlType) {
            case Types.BOOLEAN, Types.BIT -> BOOL;
            case Types.TINYINT, Types.SMALLINT -> INT2;
            case Types.INTEGER -> INT4;
            case Types.BIGINT -> INT8;
            case Types.REAL -> FLOAT4;
            case Types.FLOAT, Types.DOUBLE -> FLOAT8;
            case Types.NUMERIC, Types.DECIMAL -> NUMERIC;
            case Types.CHAR, Types.NCHAR, Types.VARCHAR, Types.NVARCHAR -> VARCHAR;
            case Types.DATE -> DATE;
            case Types.TIME -> TIME;
            case Types.TIMESTAMP -> TIMESTAMP;
            case Types.TIMESTAMP_WITH_TIMEZONE -> TIMESTAMPTZ;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> BYTEA;
            default -> TEXT;
        };
    }

    /** The type modifier RowDescription reports: precision and scale for numeric, none otherwise. */
    static int typmod(PgType type, ColumnMetaData column) {
        if (type == NUMERIC && column.precision > 0 && column.precision <= 1000 && column.scale >= 0) {
            return ((column.precision << 16) | column.scale) + 4;
        }
        return -1;
    }

    // ------------------------------------------------------------------ results: value -> bytes

    private static final LocalDate PG_EPOCH_DATE = LocalDate.of(2000, 1, 1);
    private static final LocalDateTime PG_EPOCH = PG_EPOCH_DATE.atStartOfDay();

    /**
     * The wire form of one value of this type, as the core hands it over (see {@link ValueType.Kind} for each
     * kind's Java class).
     */
    byte[] encode(Object value, boolean binary) {
        return binary ? encodeBinary(value) : text(value).getBytes(StandardCharsets.UTF_8);
    }

    private String text(Object value) {
        if (element != null) {
            return arrayText((List<?>) value);
        }
        return switch (this) {
            case BOOL -> (Boolean) value ? "t" : "f";
            case INT2, INT4, INT8, OID -> Long.toString(((Number) value).longValue());
            case FLOAT4 -> floatText(((Number) value).floatValue());
            case FLOAT8 -> doubleText(((Number) value).doubleValue());
            case NUMERIC -> ((BigDecimal) value).toPlainString();
            case DATE, TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ -> SqlText.of(micros(value));
            case BYTEA -> "\\x" + HexFormat.of().formatHex((byte[]) value);
            case JSON -> value instanceof List<?> lists ? JsonText.of(lists) : (String) value;
            default -> value instanceof ByteString b ? b.toString() : String.valueOf(value);
        };
    }

    private byte[] encodeBinary(Object v) {
        if (element != null) {
            return arrayBinary((List<?>) v);
        }
        // cut to the microsecond first: counting microseconds from 2000 rounds an earlier instant towards 2000
        Object value = micros(v);
        return switch (this) {
            case BOOL -> new byte[] {(byte) ((Boolean) value ? 1 : 0)};
            case INT2 -> ByteBuffer.allocate(2).putShort(((Number) value).shortValue()).array();
            case INT4, OID -> ByteBuffer.allocate(4).putInt(((Number) value).intValue()).array();
            case INT8 -> ByteBuffer.allocate(8).putLong(((Number) value).longValue()).array();
            case FLOAT4 -> ByteBuffer.allocate(4).putFloat(((Number) value).floatValue()).array();
            case FLOAT8 -> ByteBuffer.allocate(8).putDouble(((Number) value).doubleValue()).array();
            case NUMERIC -> numericBinary((BigDecimal) value);
            case DATE -> ByteBuffer.allocate(4)
                    .putInt((int) ChronoUnit.DAYS.between(PG_EPOCH_DATE, (LocalDate) value)).array();
            case TIME -> ByteBuffer.allocate(8).putLong(((LocalTime) value).toNanoOfDay() / 1000).array();
            // the zone is seconds west of UTC, the opposite of an offset's sign
            case TIMETZ -> ByteBuffer.allocate(12).putLong(((OffsetTime) value).toLocalTime().toNanoOfDay() / 1000)
                    .putInt(-((OffsetTime) value).getOffset().getTotalSeconds()).array();
            case TIMESTAMP -> ByteBuffer.allocate(8)
                    .putLong(ChronoUnit.MICROS.between(PG_EPOCH, (LocalDateTime) value)).array();
            case TIMESTAMPTZ -> ByteBuffer.allocate(8).putLong(ChronoUnit.MICROS.between(PG_EPOCH,
                    ((OffsetDateTime) value).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime())).array();
            case UUID -> ByteBuffer.allocate(16).putLong(((UUID) value).getMostSignificantBits())
                    .putLong(((UUID) value).getLeastSignificantBits()).array();
            case VARBIT -> varbitBinary((String) value);
            case BYTEA -> (byte[]) value;
            default -> text(value).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** A time or timestamp to the microsecond PostgreSQL keeps (a nanosecond timestamp's last digits are cut). */
    private static Object micros(Object value) {
        if (value instanceof LocalDateTime t) {
            return t.truncatedTo(ChronoUnit.MICROS);
        }
        if (value instanceof LocalTime t) {
            return t.truncatedTo(ChronoUnit.MICROS);
        }
        if (value instanceof OffsetDateTime t) {
            return t.truncatedTo(ChronoUnit.MICROS);
        }
        return value instanceof OffsetTime t ? t.truncatedTo(ChronoUnit.MICROS) : value;
    }

    /**
     * An array's text: {@code {1,2,NULL}}, each element in its own type's text, quoted (with {@code "} and
     * {@code \} escaped) where it is empty, {@code NULL} in any case, or holds a brace, comma, quote, backslash or
     * space.
     */
    private String arrayText(List<?> items) {
        StringBuilder out = new StringBuilder().append('{');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object item = items.get(i);
            if (item == null) {
                out.append("NULL");
                continue;
            }
            String t = element.text(item);
            boolean quote = t.isEmpty() || t.equalsIgnoreCase("NULL") || t.chars().anyMatch(
                    c -> c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || Character.isWhitespace(c));
            if (quote) {
                out.append('"').append(t.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                out.append(t);
            }
        }
        return out.append('}').toString();
    }

    /**
     * An array's binary form: dimensions (0 for an empty array), whether it holds a NULL, the element type, each
     * dimension's length and lower bound (1), then each element as its length (-1 for NULL) and binary form.
     */
    private byte[] arrayBinary(List<?> items) {
        List<byte[]> encoded = new ArrayList<>(items.size());
        int size = 20;
        boolean nulls = false;
        for (Object item : items) {
            byte[] b = item == null ? null : element.encodeBinary(item);
            nulls |= b == null;
            encoded.add(b);
            size += 4 + (b == null ? 0 : b.length);
        }
        ByteBuffer out = ByteBuffer.allocate(items.isEmpty() ? 12 : size);
        out.putInt(items.isEmpty() ? 0 : 1).putInt(nulls ? 1 : 0).putInt(element.oid);
        if (!items.isEmpty()) {
            out.putInt(items.size()).putInt(1);
            for (byte[] b : encoded) {
                out.putInt(b == null ? -1 : b.length);
                if (b != null) {
                    out.put(b);
                }
            }
        }
        return out.array();
    }

    /** varbit's binary form: the length in bits, then the bits, most significant first, padded with zeros. */
    private static byte[] varbitBinary(String bits) {
        ByteBuffer out = ByteBuffer.allocate(4 + (bits.length() + 7) / 8).putInt(bits.length());
        for (int i = 0; i < bits.length(); i += 8) {
            String chunk = (bits.substring(i, Math.min(bits.length(), i + 8)) + "0000000").substring(0, 8);
            out.put((byte) Integer.parseInt(chunk, 2));
        }
        return out.array();
    }

    /** PostgreSQL prints floats in their shortest exact form, as Java does, but with C's exponent style. */
    private static String floatText(float f) {
        return Float.isFinite(f) ? trimZero(Float.toString(f)) : special(f);
    }

    private static String doubleText(double d) {
        return Double.isFinite(d) ? trimZero(Double.toString(d)) : special(d);
    }

    private static String special(double d) {
        return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }

    private static String trimZero(String s) {
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        if (e < 0) {
            return mantissa;
        }
        String exponent = s.substring(e + 1);
        String sign = exponent.startsWith("-") ? "-" : "+";
        String digits = exponent.startsWith("-") ? exponent.substring(1) : exponent;
        return mantissa + "e" + sign + (digits.length() < 2 ? "0" + digits : digits); // C's %g: two digits at least
    }

    /** numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits, most significant first. */
    static byte[] numericBinary(BigDecimal value) {
        BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
        int dscale = v.scale();
        String plain = v.abs().toPlainString();
        int dot = plain.indexOf('.');
        String intPart = dot < 0 ? plain : plain.substring(0, dot);
        String fracPart = dot < 0 ? "" : plain.substring(dot + 1);
        intPart = "0".repeat((4 - intPart.length() % 4) % 4) + intPart;
        fracPart = fracPart + "0".repeat((4 - fracPart.length() % 4) % 4);
        List<Short> digits = new ArrayList<>();
        for (int i = 0; i < intPart.length(); i += 4) {
            digits.add(Short.parseShort(intPart.substring(i, i + 4)));
        }
        int weight = digits.size() - 1;
        for (int i = 0; i < fracPart.length(); i += 4) {
            digits.add(Short.parseShort(fracPart.substring(i, i + 4)));
        }
        while (!digits.isEmpty() && digits.get(0) == 0) {
            digits.remove(0);
            weight--;
        }
        while (!digits.isEmpty() && digits.get(digits.size() - 1) == 0) {
            digits.remove(digits.size() - 1);
        }
        if (digits.isEmpty()) {
            weight = 0;
        }
        ByteBuffer out = ByteBuffer.allocate(8 + 2 * digits.size());
        out.putShort((short) digits.size()).putShort((short) weight)
                .putShort((short) (v.signum() < 0 ? 0x4000 : 0)).putShort((short) dscale);
        digits.forEach(out::putShort);
        return out.array();
    }

    static BigDecimal numericFromBinary(ByteBuffer in) {
        int ndigits = in.getShort();
        int weight = in.getShort();
        int sign = in.getShort() & 0xffff;
        int dscale = in.getShort();
        if (sign == 0xC000) {
            throw new IllegalArgumentException("NaN is not a supported numeric parameter");
        }
        BigDecimal result = BigDecimal.ZERO;
        for (int i = 0; i < ndigits; i++) {
            result = result.add(BigDecimal.valueOf(in.getShort()).scaleByPowerOfTen(4 * (weight - i)));
        }
        result = result.setScale(dscale, RoundingMode.UNNECESSARY);
        return sign == 0x4000 ? result.negate() : result;
    }

    // ------------------------------------------------------------------ parameters: bytes -> TypedValue

    /** A bound parameter of this type as Avatica's JDBC layer takes it. */
    TypedValue parameter(byte[] bytes, boolean binary) {
        if (bytes == null) {
            return TypedValue.EXPLICIT_NULL;
        }
        if (binary && length > 0 && bytes.length != length) {
            throw new IllegalArgumentException("a binary " + name().toLowerCase(Locale.ROOT) + " is " + length
                    + " bytes, not " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        String text = binary ? null : new String(bytes, StandardCharsets.UTF_8);
        return switch (this) {
            case BOOL -> TypedValue.ofLocal(ColumnMetaData.Rep.BOOLEAN,
                    binary ? bytes[0] != 0 : parseBool(text));
            case INT2 -> TypedValue.ofLocal(ColumnMetaData.Rep.SHORT,
                    binary ? in.getShort() : Short.parseShort(text.strip()));
            case INT4, OID -> TypedValue.ofLocal(ColumnMetaData.Rep.INTEGER,
                    binary ? in.getInt() : Integer.parseInt(text.strip()));
            case INT8 -> TypedValue.ofLocal(ColumnMetaData.Rep.LONG,
                    binary ? in.getLong() : Long.parseLong(text.strip()));
            case FLOAT4 -> TypedValue.ofLocal(ColumnMetaData.Rep.FLOAT,
                    binary ? in.getFloat() : Float.parseFloat(text.strip()));
            case FLOAT8 -> TypedValue.ofLocal(ColumnMetaData.Rep.DOUBLE,
                    binary ? in.getDouble() : Double.parseDouble(text.strip()));
            case NUMERIC -> TypedValue.ofLocal(ColumnMetaData.Rep.NUMBER,
                    binary ? numericFromBinary(in) : new BigDecimal(text.strip()));
            case DATE -> TypedValue.ofSerial(ColumnMetaData.Rep.JAVA_SQL_DATE, (int) (binary
                    ? PG_EPOCH_DATE.toEpochDay() + in.getInt() : LocalDate.parse(text.strip()).toEpochDay()));
            case TIMESTAMP, TIMESTAMPTZ -> TypedValue.ofSerial(ColumnMetaData.Rep.JAVA_SQL_TIMESTAMP, binary
                    ? PG_EPOCH.plus(in.getLong(), ChronoUnit.MICROS).toInstant(ZoneOffset.UTC).toEpochMilli()
                    : parseTimestamp(text.strip()));
            case BYTEA -> TypedValue.ofLocal(ColumnMetaData.Rep.BYTE_STRING, new ByteString(binary ? bytes
                    : java.util.HexFormat.of().parseHex(text.startsWith("\\x") ? text.substring(2) : text)));
            default -> {
                if (binary && this != TEXT && this != VARCHAR && this != BPCHAR && this != UNKNOWN) {
                    throw new IllegalArgumentException("binary parameters of type oid " + oid + " are not supported");
                }
                yield TypedValue.ofLocal(ColumnMetaData.Rep.STRING, new String(bytes, StandardCharsets.UTF_8));
            }
        };
    }

    private static boolean parseBool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "t", "true", "y", "yes", "on", "1" -> true;
            case "f", "false", "n", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("invalid input syntax for type boolean: \"" + text + "\"");
        };
    }

    private static long parseTimestamp(String text) {
        String t = text.replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            String local = t.replaceFirst("([+-]\\d\\d)$", "$1:00");
            if (!local.equals(t)) {
                return OffsetDateTime.parse(local).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
    }
}

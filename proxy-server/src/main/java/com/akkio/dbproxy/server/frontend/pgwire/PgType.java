package com.akkio.dbproxy.server.frontend.pgwire;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.avatica.util.ByteString;

/**
 * The PostgreSQL types the front end speaks, with their text and binary encodings, and the mapping from the JDBC
 * types Avatica reports for backend columns. A column of a type not listed here travels as {@code text} (its
 * backend's string form), which every client can read.
 */
enum PgType {
    BOOL(16, 1),
    BYTEA(17, -1),
    INT8(20, 8),
    INT2(21, 2),
    INT4(23, 4),
    TEXT(25, -1),
    OID(26, 4),
    FLOAT4(700, 4),
    FLOAT8(701, 8),
    UNKNOWN(705, -2),
    BPCHAR(1042, -1),
    VARCHAR(1043, -1),
    DATE(1082, 4),
    TIME(1083, 8),
    TIMESTAMP(1114, 8),
    TIMESTAMPTZ(1184, 8),
    NUMERIC(1700, -1);

    final int oid;
    final int length;

    PgType(int oid, int length) {
        this.oid = oid;
        this.length = length;
    }

    static PgType ofOid(int oid) {
        for (PgType t : values()) {
            if (t.oid == oid) {
                return t;
            }
        }
        return null;
    }

    /** The PostgreSQL type for a backend column of JDBC type {@code sqlType}. */
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
    private static final DateTimeFormatter TIMESTAMP_TEXT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ')
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .toFormatter(Locale.ROOT);
    private static final DateTimeFormatter TIME_TEXT = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .toFormatter(Locale.ROOT);

    /**
     * The wire form of one value of this type, as Avatica's JDBC layer hands it over (dates as days since 1970,
     * times as milliseconds of the day, timestamps as milliseconds since 1970 UTC, the rest as JDBC objects).
     */
    byte[] encode(Object value, boolean binary) {
        return binary ? encodeBinary(value) : text(value).getBytes(StandardCharsets.UTF_8);
    }

    private String text(Object value) {
        return switch (this) {
            case BOOL -> asBoolean(value) ? "t" : "f";
            case INT2, INT4, INT8, OID -> Long.toString(((Number) value).longValue());
            case FLOAT4 -> floatText(((Number) value).floatValue());
            case FLOAT8 -> doubleText(((Number) value).doubleValue());
            case NUMERIC -> asDecimal(value).toPlainString();
            case DATE -> asDate(value).toString();
            case TIME -> TIME_TEXT.format(asTime(value));
            case TIMESTAMP -> TIMESTAMP_TEXT.format(asTimestamp(value));
            case TIMESTAMPTZ -> TIMESTAMP_TEXT.format(asTimestamp(value)) + "+00";
            case BYTEA -> "\\x" + java.util.HexFormat.of().formatHex(asBytes(value));
            default -> value instanceof ByteString b ? b.toString() : String.valueOf(value);
        };
    }

    private byte[] encodeBinary(Object value) {
        return switch (this) {
            case BOOL -> new byte[] {(byte) (asBoolean(value) ? 1 : 0)};
            case INT2 -> ByteBuffer.allocate(2).putShort(((Number) value).shortValue()).array();
            case INT4, OID -> ByteBuffer.allocate(4).putInt(((Number) value).intValue()).array();
            case INT8 -> ByteBuffer.allocate(8).putLong(((Number) value).longValue()).array();
            case FLOAT4 -> ByteBuffer.allocate(4).putFloat(((Number) value).floatValue()).array();
            case FLOAT8 -> ByteBuffer.allocate(8).putDouble(((Number) value).doubleValue()).array();
            case NUMERIC -> numericBinary(asDecimal(value));
            case DATE -> ByteBuffer.allocate(4).putInt((int) ChronoUnit.DAYS.between(PG_EPOCH_DATE, asDate(value)))
                    .array();
            case TIME -> ByteBuffer.allocate(8).putLong(asTime(value).toNanoOfDay() / 1000).array();
            case TIMESTAMP, TIMESTAMPTZ -> ByteBuffer.allocate(8)
                    .putLong(ChronoUnit.MICROS.between(PG_EPOCH, asTimestamp(value))).array();
            case BYTEA -> asBytes(value);
            default -> text(value).getBytes(StandardCharsets.UTF_8);
        };
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

    private static boolean asBoolean(Object v) {
        return v instanceof Boolean b ? b : v instanceof Number n ? n.intValue() != 0 : Boolean.parseBoolean(
                String.valueOf(v));
    }

    private static BigDecimal asDecimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        return new BigDecimal(String.valueOf(v));
    }

    private static LocalDate asDate(Object v) {
        if (v instanceof Number n) {
            return LocalDate.ofEpochDay(n.longValue());
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof LocalDate d) {
            return d;
        }
        return LocalDate.parse(String.valueOf(v));
    }

    private static LocalTime asTime(Object v) {
        if (v instanceof Number n) {
            return LocalTime.ofNanoOfDay(n.longValue() * 1_000_000L);
        }
        if (v instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        if (v instanceof LocalTime t) {
            return t;
        }
        return LocalTime.parse(String.valueOf(v));
    }

    private static LocalDateTime asTimestamp(Object v) {
        if (v instanceof Number n) {
            return LocalDateTime.ofInstant(Instant.ofEpochMilli(n.longValue()), ZoneOffset.UTC);
        }
        if (v instanceof java.sql.Timestamp t) {
            return LocalDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC);
        }
        if (v instanceof OffsetDateTime o) {
            return o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        }
        if (v instanceof LocalDateTime t) {
            return t;
        }
        return LocalDateTime.parse(String.valueOf(v).replace(' ', 'T'));
    }

    private static byte[] asBytes(Object v) {
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof ByteString b) {
            return b.getBytes();
        }
        if (v instanceof java.sql.Blob blob) {
            try {
                return blob.getBytes(1, (int) blob.length());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot read a BLOB value: " + e.getMessage(), e);
            }
        }
        return String.valueOf(v).getBytes(StandardCharsets.UTF_8);
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

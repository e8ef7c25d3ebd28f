package com.akkio.dbproxy.server.backend;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import com.akkio.dbproxy.server.types.SqlText;
import com.akkio.dbproxy.server.types.ValueType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * What the type mappings share: turning the objects a JDBC driver returns into the Java class of a {@link ValueType}
 * kind, and writing nested values (structs, maps, unions and their contents) as JSON text.
 */
final class Values {
    /** A backend's JSON document, already text: embedded as it is into a document around it. */
    record RawJson(String json) {
    }

    /**
     * NaN and infinities are written as DuckDB's {@code to_json} writes them (bare {@code NaN}, {@code Infinity}),
     * which Python's json module and Jackson read; a quoted string would change the value's type.
     */
    private static final JsonFactory JSON = JsonFactory.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    private Values() {
    }

    /**
     * {@code value} (not null) as {@code type}'s kind; {@code nested} turns a driver's own objects inside arrays and
     * documents (its structs, JSON values) into lists, maps and {@link RawJson} first.
     */
    static Object as(ValueType type, Object value, UnaryOperator<Object> nested) throws SQLException {
        return switch (type.kind()) {
            case BOOLEAN -> value instanceof Boolean b ? b : Boolean.valueOf(value.toString());
            case TINYINT -> ((Number) value).byteValue();
            case SMALLINT -> ((Number) value).shortValue();
            case INTEGER -> ((Number) value).intValue();
            case BIGINT -> ((Number) value).longValue();
            case DECIMAL -> decimal(value);
            case REAL -> ((Number) value).floatValue();
            case DOUBLE -> ((Number) value).doubleValue();
            case TEXT, BITS, INTERVAL -> value.toString();
            case BINARY -> bytes(value);
            case DATE -> value instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) value;
            case TIME -> value instanceof java.sql.Time t ? t.toLocalTime() : (LocalTime) value;
            case TIME_TZ -> (OffsetTime) value;
            case TIMESTAMP -> value instanceof java.sql.Timestamp t ? t.toLocalDateTime() : (LocalDateTime) value;
            case TIMESTAMP_TZ -> ((OffsetDateTime) value).withOffsetSameInstant(ZoneOffset.UTC);
            case UUID -> value instanceof UUID u ? u : UUID.fromString(value.toString());
            case JSON -> json(nested.apply(value));
            case ARRAY -> list(type.element(), value, nested);
            case NULL -> null;
        };
    }

    private static BigDecimal decimal(Object value) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        return new BigDecimal(value.toString());
    }

    static byte[] bytes(Object value) throws SQLException {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof java.sql.Blob blob) {
            return blob.getBytes(1, Math.toIntExact(blob.length()));
        }
        throw new SQLException("a binary value came as " + value.getClass().getName());
    }

    /** An array's elements, each as the element type's kind; a document element becomes its JSON text. */
    private static List<Object> list(ValueType element, Object value, UnaryOperator<Object> nested)
            throws SQLException {
        Object[] items = value instanceof java.sql.Array a ? (Object[]) a.getArray()
                : value instanceof List<?> l ? l.toArray() : (Object[]) value;
        List<Object> out = new ArrayList<>(items.length);
        for (Object item : items) {
            out.add(item == null ? null : as(element, item, nested));
        }
        return out;
    }

    /**
     * A value as JSON text, in DuckDB's {@code to_json} form: numbers as numbers (exact), dates and times as their
     * SQL text, binary as DuckDB prints it ({@code \xAA}), map keys as text.
     */
    static String json(Object value) {
        if (value instanceof RawJson raw) {
            return raw.json();
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof RawJson raw) {
            g.writeRawValue(raw.json());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d.toPlainString());
        } else if (v instanceof BigInteger i) {
            g.writeNumber(i);
        } else if (v instanceof Float f) {
            g.writeNumber(f);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Object[] array) {
            write(g, Arrays.asList(array));
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(e.getKey() instanceof String s ? s : text(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(text(v));
        }
    }

    /** The SQL text of a scalar, as the backend would print it inside a document. */
    static String text(Object v) {
        return v instanceof byte[] b ? blobText(b)
                : SqlText.of(v instanceof java.sql.Timestamp t ? t.toLocalDateTime() : v);
    }

    /** DuckDB's text of a BLOB: printable ASCII as it is, every other byte (and quotes, backslash) as {@code \xHH}. */
    static String blobText(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02X", c));
            }
        }
        return out.toString();
    }
}

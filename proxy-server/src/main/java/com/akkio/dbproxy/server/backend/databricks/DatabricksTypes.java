package com.akkio.dbproxy.server.backend.databricks;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.akkio.dbproxy.server.backend.JdbcTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.akkio.dbproxy.server.backend.TypeMapping;
import com.akkio.dbproxy.server.types.ValueType;
import com.akkio.dbproxy.server.types.ValueType.Kind;

/**
 * Databricks' types as databricks-jdbc 3.4.5 hands them over, read by the type text it reports
 * ({@code getColumnTypeName}: {@code INT}, {@code DECIMAL(4,1)}, {@code ARRAY<INT>},
 * {@code STRUCT<id: INT, n: STRING>}, {@code MAP<STRING, INT>}). Its complex types are the reason for a mapping of its own: the driver reports ARRAY and
 * STRUCT columns as JDBC ARRAY and STRUCT (MAP as VARCHAR) but, with inline results, refuses {@code getArray} and
 * {@code getStruct} ("Complex datatype support support is disabled", and with {@code EnableComplexDatatypeSupport=1}
 * "not supported in inline mode"); {@code getString} gives each value as the warehouse's JSON text. So ARRAY, STRUCT,
 * MAP and VARIANT values are JSON documents. An ARRAY is not an array of its element type, as a DuckDB list is: a
 * prepared statement's columns come from {@code DESCRIBE QUERY}, whose types the driver strips to their base names
 * ({@code ARRAY}, not {@code ARRAY<INT>}), so a client would be told one type when it prepares and sent another when
 * it executes (a PostgreSQL client decodes the values by the first).
 */
public final class DatabricksTypes implements TypeMapping {
    public static final DatabricksTypes INSTANCE = new DatabricksTypes();

    private DatabricksTypes() {
    }

    @Override
    public ValueType typeOf(String typeName, int jdbcType, int precision, int scale) {
        String name = typeName == null ? "" : typeName.strip();
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.startsWith("ARRAY") || upper.startsWith("STRUCT") || upper.startsWith("MAP")
                || upper.equals("VARIANT")) {
            return ValueType.of(Kind.JSON, name);
        }
        if (upper.startsWith("DECIMAL")) {
            return ValueType.decimal(name, precision, scale);
        }
        if (upper.startsWith("INTERVAL")) {
            return ValueType.of(Kind.INTERVAL, name);
        }
        return switch (upper) {
            case "BOOLEAN" -> ValueType.of(Kind.BOOLEAN, name);
            case "TINYINT", "BYTE" -> ValueType.of(Kind.TINYINT, name);
            case "SMALLINT", "SHORT" -> ValueType.of(Kind.SMALLINT, name);
            case "INT", "INTEGER" -> ValueType.of(Kind.INTEGER, name);
            case "BIGINT", "LONG" -> ValueType.of(Kind.BIGINT, name);
            case "FLOAT", "REAL" -> ValueType.of(Kind.REAL, name);
            case "DOUBLE" -> ValueType.of(Kind.DOUBLE, name);
            case "STRING", "VARCHAR", "CHAR" -> ValueType.of(Kind.TEXT, name);
            case "BINARY" -> ValueType.of(Kind.BINARY, name);
            case "DATE" -> ValueType.of(Kind.DATE, name);
            // TIMESTAMP is an instant the warehouse writes in its session time zone (UTC unless set), NTZ a wall
            // clock; the driver hands over both as that wall clock
            case "TIMESTAMP", "TIMESTAMP_NTZ" -> new ValueType(Kind.TIMESTAMP, name, 6, 0, null);
            case "VOID", "NULL" -> ValueType.of(Kind.NULL, name);
            default -> JdbcTypes.INSTANCE.typeOf(name, jdbcType, precision, scale);
        };
    }

    @Override
    public Object read(ResultSet rs, int column, ValueType type) throws SQLException {
        return switch (type.kind()) {
            case JSON -> NestedMaps.nested(type.name()) ? nestedMaps(rs.getString(column), type.name())
                    : type.name().toUpperCase(Locale.ROOT).startsWith("MAP") ? mapAsObject(rs.getString(column))
                    : rs.getString(column);
            case TEXT, INTERVAL -> rs.getString(column);
            case TIMESTAMP -> {
                Timestamp t = rs.getTimestamp(column);
                yield t == null ? null : t.toLocalDateTime();
            }
            case BINARY -> rs.getBytes(column);
            case NULL -> null;
            default -> JdbcTypes.INSTANCE.read(rs, column, type);
        };
    }

    /**
     * A MAP's text as a JSON object. From Arrow results (the driver's default) the driver rewrites the Arrow list of
     * a map's entries as an object but leaves an empty map as {@code []}, and writes keys that are not strings bare
     * ({@code {7:"x"}}, not JSON); from JSON results it passes the warehouse's object on. Clients get a JSON object
     * either way; maps nested in arrays and structs too ({@link NestedMaps}).
     */
    static String mapAsObject(String text) throws SQLException {
        if (text == null) {
            return null;
        }
        try {
            if (text.strip().startsWith("[")) {
                ObjectNode out = STRICT.createObjectNode();
                for (JsonNode entry : STRICT.readTree(text)) {
                    JsonNode key = entry.get("key");
                    out.set(key == null || key.isNull() ? "null" : key.isTextual() ? key.textValue() : key.toString(),
                            entry.get("value"));
                }
                return STRICT.writeValueAsString(out);
            }
            try {
                STRICT.readTree(text);
                return text; // JSON already: passed on as the driver wrote it, numbers and all
            } catch (JsonProcessingException bareKeys) {
                return STRICT.writeValueAsString(BARE_KEYS.readTree(text));
            }
        } catch (JsonProcessingException e) {
            throw new SQLException("a MAP value the driver wrote is not JSON", "XX000", e);
        }
    }

    /** A value with maps inside arrays or structs ({@link NestedMaps}), every map an object. */
    static String nestedMaps(String text, String typeName) throws SQLException {
        try {
            return NestedMaps.objects(text, typeName);
        } catch (JsonProcessingException e) {
            throw new SQLException("a " + typeName + " value the driver wrote is not JSON", "XX000", e);
        }
    }

    private static final ObjectMapper STRICT = new ObjectMapper();
    private static final ObjectMapper BARE_KEYS = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    @Override
    public List<ValueType> types() {
        List<ValueType> out = new ArrayList<>();
        for (String name : List.of("BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "DECIMAL", "FLOAT", "DOUBLE",
                "STRING", "BINARY", "DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "INTERVAL", "ARRAY<INT>", "STRUCT",
                "MAP", "VARIANT", "VOID")) {
            out.add(typeOf(name, Types.OTHER, name.equals("DECIMAL") ? 38 : 0, 0));
        }
        return out;
    }
}

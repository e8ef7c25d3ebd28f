package com.akkio.dbproxy.server.backend;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.akkio.dbproxy.server.types.ValueType;
import com.akkio.dbproxy.server.types.ValueType.Kind;
import org.duckdb.DuckDBStruct;
import org.duckdb.JsonNode;

/**
 * DuckDB's types, read from the type names its JDBC driver reports ({@code HUGEINT}, {@code DECIMAL(18,3)},
 * {@code TIMESTAMP_NS}, {@code INTEGER[3]}, {@code STRUCT(id INTEGER, n VARCHAR)}, …): the JDBC type alone does not
 * tell HUGEINT from UUID (both {@code OTHER}), nor an array's element type.
 *
 * <p>Integers that do not fit their JDBC type travel as the next wider one (UTINYINT as SMALLINT, USMALLINT as
 * INTEGER, UINTEGER as BIGINT) or as exact decimals (UBIGINT, HUGEINT, UHUGEINT). ENUM values are text; STRUCT, MAP
 * and UNION values are JSON documents (DuckDB's driver hands over a UNION's value without its tag, so the document is
 * the value alone).
 */
public final class DuckDbTypes implements TypeMapping {
    public static final DuckDbTypes INSTANCE = new DuckDbTypes();

    private DuckDbTypes() {
    }

    @Override
    public ValueType typeOf(String typeName, int jdbcType, int precision, int scale) {
        return type(typeName.strip(), precision, scale);
    }

    private static ValueType type(String name, int precision, int scale) {
        if (name.endsWith("]")) {
            return ValueType.array(name, type(name.substring(0, name.lastIndexOf('[')), 0, 0));
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.startsWith("DECIMAL") || upper.startsWith("NUMERIC")) {
            return ValueType.decimal(name, precision, scale);
        }
        if (upper.startsWith("ENUM")) {
            // results call every enum ENUM, getColumns lists its values; one name for both
            return ValueType.of(Kind.TEXT, "ENUM");
        }
        if (upper.startsWith("STRUCT") || upper.startsWith("MAP") || upper.startsWith("UNION")
                || upper.equals("JSON")) {
            return ValueType.of(Kind.JSON, name);
        }
        return switch (upper) {
            case "BOOLEAN" -> ValueType.of(Kind.BOOLEAN, name);
            case "TINYINT" -> ValueType.of(Kind.TINYINT, name);
            case "SMALLINT", "UTINYINT" -> ValueType.of(Kind.SMALLINT, name);
            case "INTEGER", "USMALLINT" -> ValueType.of(Kind.INTEGER, name);
            case "BIGINT", "UINTEGER" -> ValueType.of(Kind.BIGINT, name);
            case "UBIGINT" -> new ValueType(Kind.DECIMAL, name, 20, 0, null);
            case "HUGEINT", "UHUGEINT" -> new ValueType(Kind.DECIMAL, name, 39, 0, null);
            case "FLOAT", "REAL" -> ValueType.of(Kind.REAL, name);
            case "DOUBLE" -> ValueType.of(Kind.DOUBLE, name);
            case "BLOB" -> ValueType.of(Kind.BINARY, name);
            case "BIT" -> ValueType.of(Kind.BITS, name);
            case "DATE" -> ValueType.of(Kind.DATE, name);
            case "TIME" -> new ValueType(Kind.TIME, name, 6, 0, null);
            case "TIME WITH TIME ZONE", "TIMETZ" -> new ValueType(Kind.TIME_TZ, name, 6, 0, null);
            case "TIMESTAMP_S" -> new ValueType(Kind.TIMESTAMP, name, 0, 0, null);
            case "TIMESTAMP_MS" -> new ValueType(Kind.TIMESTAMP, name, 3, 0, null);
            case "TIMESTAMP", "DATETIME" -> new ValueType(Kind.TIMESTAMP, name, 6, 0, null);
            case "TIMESTAMP_NS" -> new ValueType(Kind.TIMESTAMP, name, 9, 0, null);
            case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> new ValueType(Kind.TIMESTAMP_TZ, name, 6, 0, null);
            case "INTERVAL" -> ValueType.of(Kind.INTERVAL, name);
            case "UUID" -> ValueType.of(Kind.UUID, name);
            // VARCHAR, user-defined enum types (called by their own names), and what a later DuckDB adds: its text
            default -> ValueType.of(Kind.TEXT, name);
        };
    }

    @Override
    public Object read(ResultSet rs, int column, ValueType type) throws SQLException {
        // the driver's own Timestamp is built in the JVM's time zone; LocalDateTime is the wall clock itself
        Object value = type.kind() == Kind.TIMESTAMP ? rs.getObject(column, LocalDateTime.class)
                : type.kind() == Kind.TEXT ? rs.getString(column) : rs.getObject(column);
        return value == null ? null : Values.as(type, value, DuckDbTypes::plain);
    }

    /** The driver's structs, maps, arrays and JSON values, with everything inside them, as lists, maps and JSON. */
    private static Object plain(Object value) {
        try {
            if (value instanceof DuckDBStruct struct) {
                Map<String, Object> fields = new LinkedHashMap<>();
                struct.getMap().forEach((k, v) -> fields.put(k, plain(v)));
                return fields;
            }
            if (value instanceof Map<?, ?> map) {
                Map<Object, Object> entries = new LinkedHashMap<>();
                map.forEach((k, v) -> entries.put(plain(k), plain(v)));
                return entries;
            }
            if (value instanceof java.sql.Array array) {
                List<Object> items = new ArrayList<>();
                for (Object item : (Object[]) array.getArray()) {
                    items.add(plain(item));
                }
                return items;
            }
            if (value instanceof JsonNode json) {
                return new Values.RawJson(json.toString());
            }
            if (value instanceof java.sql.Blob) {
                return Values.bytes(value);
            }
            return value;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read a nested DuckDB value: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ValueType> types() {
        List<ValueType> out = new ArrayList<>();
        for (String name : List.of("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT", "DECIMAL", "FLOAT", "DOUBLE", "VARCHAR", "BLOB",
                "BIT", "DATE", "TIME", "TIME WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP",
                "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE", "INTERVAL", "UUID", "JSON", "ENUM", "INTEGER[]",
                "STRUCT", "MAP", "UNION")) {
            // DECIMAL: the widest DuckDB has
            out.add(type(name, name.equals("DECIMAL") ? 38 : 0, 0));
        }
        return out;
    }
}

package com.akkio.dbproxy.server.backend;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.List;

import com.akkio.dbproxy.server.types.ValueType;
import com.akkio.dbproxy.server.types.ValueType.Kind;

/**
 * A backend without a mapping of its own: each column by its JDBC type, and anything the proxy has no kind for (an
 * array whose elements it cannot know, a struct, a driver's own object) as the driver's text of it, which every
 * client can read.
 */
public final class JdbcTypes implements TypeMapping {
    public static final JdbcTypes INSTANCE = new JdbcTypes();

    private JdbcTypes() {
    }

    @Override
    public ValueType typeOf(String typeName, int jdbcType, int precision, int scale) {
        String name = typeName == null || typeName.isBlank() ? "UNKNOWN" : typeName;
        return switch (jdbcType) {
            case Types.BOOLEAN, Types.BIT -> ValueType.of(Kind.BOOLEAN, name);
            case Types.TINYINT -> ValueType.of(Kind.TINYINT, name);
            case Types.SMALLINT -> ValueType.of(Kind.SMALLINT, name);
            case Types.INTEGER -> ValueType.of(Kind.INTEGER, name);
            case Types.BIGINT -> ValueType.of(Kind.BIGINT, name);
            case Types.DECIMAL, Types.NUMERIC -> new ValueType(Kind.DECIMAL, name, precision, scale, null);
            case Types.REAL -> ValueType.of(Kind.REAL, name);
            case Types.FLOAT, Types.DOUBLE -> ValueType.of(Kind.DOUBLE, name);
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> ValueType.of(Kind.BINARY, name);
            case Types.DATE -> ValueType.of(Kind.DATE, name);
            case Types.TIME -> new ValueType(Kind.TIME, name, 6, 0, null);
            case Types.TIMESTAMP -> new ValueType(Kind.TIMESTAMP, name, 6, 0, null);
            case Types.TIME_WITH_TIMEZONE -> new ValueType(Kind.TIME_TZ, name, 6, 0, null);
            case Types.TIMESTAMP_WITH_TIMEZONE -> new ValueType(Kind.TIMESTAMP_TZ, name, 6, 0, null);
            case Types.NULL -> ValueType.of(Kind.NULL, "NULL");
            default -> ValueType.of(Kind.TEXT, name);
        };
    }

    @Override
    public Object read(ResultSet rs, int column, ValueType type) throws SQLException {
        Object value = switch (type.kind()) {
            case TEXT -> rs.getString(column);
            case TIMESTAMP -> rs.getObject(column, LocalDateTime.class);
            default -> rs.getObject(column);
        };
        return value == null ? null : Values.as(type, value, v -> v);
    }

    @Override
    public List<ValueType> types() {
        return List.of(ValueType.of(Kind.BOOLEAN, "BOOLEAN"), ValueType.of(Kind.INTEGER, "INTEGER"),
                ValueType.of(Kind.BIGINT, "BIGINT"), new ValueType(Kind.DECIMAL, "DECIMAL", 38, 0, null),
                ValueType.of(Kind.DOUBLE, "DOUBLE"), ValueType.of(Kind.TEXT, "VARCHAR"),
                ValueType.of(Kind.BINARY, "BINARY"), ValueType.of(Kind.DATE, "DATE"),
                new ValueType(Kind.TIMESTAMP, "TIMESTAMP", 6, 0, null));
    }
}

package com.akkio.dbproxy.server.backend;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;

import com.akkio.dbproxy.server.types.ValueType;

/**
 * How one backend's JDBC driver describes and hands over result values, said in the proxy's vocabulary
 * ({@link ValueType}): every result, first frame and fetch, and the type columns of metadata answers go through the
 * backend's mapping, so that each front end sees one kind of value per type whatever the backend.
 */
public interface TypeMapping {
    /** The type of result column {@code column} (1-based). */
    default ValueType typeOf(ResultSetMetaData md, int column) throws SQLException {
        return typeOf(md.getColumnTypeName(column), md.getColumnType(column), md.getPrecision(column),
                md.getScale(column));
    }

    /** The type of a column the backend describes by name and JDBC type (results, and {@code getColumns} rows). */
    ValueType typeOf(String typeName, int jdbcType, int precision, int scale);

    /** The value of result column {@code column} of the current row as {@code type}'s kind says; null for NULL. */
    Object read(ResultSet rs, int column, ValueType type) throws SQLException;

    /** The types the backend's results can have, one of each family, for {@code getTypeInfo}. */
    List<ValueType> types();
}

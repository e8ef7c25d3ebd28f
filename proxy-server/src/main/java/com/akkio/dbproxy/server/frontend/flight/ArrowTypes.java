package com.akkio.dbproxy.server.frontend.flight;

import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.types.ValueType;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.avatica.ColumnMetaData;

/**
 * The Arrow type of each {@link ValueType} kind, chosen so that no value changes on the way: decimals keep precision
 * and scale (decimal256 beyond 38 digits, as a HUGEINT's 39), times and timestamps keep the backend's nanoseconds or
 * microseconds, a zoned timestamp is an instant in UTC, arrays are Arrow lists of their element's type. Kinds Arrow
 * has no type for travel as the text every other front end sends (see README, Types): a time with zone, an interval,
 * a UUID, a bit string, JSON (with UNION values, and STRUCT and MAP values {@link NestedTypes} has no exact Arrow
 * type for, which the core hands over as JSON text). DuckDB's STRUCT and MAP are Arrow structs and maps.
 */
final class ArrowTypes {
    /** The widest decimal Arrow has (decimal256). */
    static final int MAX_DECIMAL_DIGITS = 76;

    private ArrowTypes() {
    }

    /** The schema of a result with these columns, each field named by its label. */
    static Schema schema(List<ColumnMetaData> columns) {
        List<Field> fields = new ArrayList<>(columns.size());
        for (ColumnMetaData c : columns) {
            fields.add(field(c.label != null ? c.label : c.columnName, ValueType.of(c)));
        }
        return new Schema(fields);
    }

    static Field field(String name, ValueType type) {
        if (type.kind() == ValueType.Kind.JSON) {
            Field nested = NestedTypes.field(name, type.name());
            if (nested != null) {
                return nested;
            }
        }
        if (type.kind() == ValueType.Kind.ARRAY) {
            return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(field("item", type.element())));
        }
        return new Field(name, FieldType.nullable(arrowType(type)), null);
    }

    static ArrowType arrowType(ValueType type) {
        return switch (type.kind()) {
            case BOOLEAN -> ArrowType.Bool.INSTANCE;
            case TINYINT -> new ArrowType.Int(8, true);
            case SMALLINT -> new ArrowType.Int(16, true);
            case INTEGER -> new ArrowType.Int(32, true);
            case BIGINT -> new ArrowType.Int(64, true);
            case DECIMAL -> decimal(type);
            case REAL -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case BINARY -> ArrowType.Binary.INSTANCE;
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIME -> new ArrowType.Time(TimeUnit.NANOSECOND, 64);
            case TIMESTAMP -> new ArrowType.Timestamp(unit(type), null);
            case TIMESTAMP_TZ -> new ArrowType.Timestamp(unit(type), "UTC");
            case NULL -> ArrowType.Null.INSTANCE;
            case ARRAY -> ArrowType.List.INSTANCE;
            case TEXT, BITS, INTERVAL, UUID, JSON, TIME_TZ -> ArrowType.Utf8.INSTANCE;
        };
    }

    /**
     * A decimal of the column's precision and scale; one the backend gives without a precision (0) gets the widest
     * decimal128, and one wider than decimal256 would be text (no backend here has such a type).
     */
    private static ArrowType decimal(ValueType type) {
        int precision = type.precision() > 0 ? type.precision() : 38;
        if (precision > MAX_DECIMAL_DIGITS) {
            return ArrowType.Utf8.INSTANCE;
        }
        return new ArrowType.Decimal(precision, type.scale(), precision > 38 ? 256 : 128);
    }

    /** Nanoseconds where the backend keeps them (DuckDB's TIMESTAMP_NS: 9 fractional digits), else microseconds. */
    private static TimeUnit unit(ValueType type) {
        return type.precision() > 6 || type.name().toUpperCase(java.util.Locale.ROOT).contains("_NS")
                ? TimeUnit.NANOSECOND : TimeUnit.MICROSECOND;
    }
}

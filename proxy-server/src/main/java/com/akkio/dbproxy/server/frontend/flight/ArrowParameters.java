package com.akkio.dbproxy.server.frontend.flight;

import java.math.BigDecimal;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.types.ValueType;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.avatica.util.ByteString;

/**
 * Parameters of prepared statements: their Arrow schema (what a client binds against) from the backend's parameter
 * types, and the rows a client sends back, as the values the core binds.
 */
final class ArrowParameters {
    private ArrowParameters() {
    }

    /** One field per parameter; a parameter whose type the backend cannot tell is text. */
    static Schema schema(List<AvaticaParameter> parameters) {
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            AvaticaParameter p = parameters.get(i);
            ValueType type = type(p);
            fields.add(ArrowTypes.field("p" + (i + 1), type));
        }
        return new Schema(fields);
    }

    private static ValueType type(AvaticaParameter p) {
        ValueType.Kind kind = switch (p.parameterType) {
            case Types.BOOLEAN, Types.BIT -> ValueType.Kind.BOOLEAN;
            case Types.TINYINT -> ValueType.Kind.TINYINT;
            case Types.SMALLINT -> ValueType.Kind.SMALLINT;
            case Types.INTEGER -> ValueType.Kind.INTEGER;
            case Types.BIGINT -> ValueType.Kind.BIGINT;
            case Types.REAL -> ValueType.Kind.REAL;
            case Types.FLOAT, Types.DOUBLE -> ValueType.Kind.DOUBLE;
            case Types.DATE -> ValueType.Kind.DATE;
            case Types.TIMESTAMP -> ValueType.Kind.TIMESTAMP;
            case Types.BINARY, Types.VARBINARY, Types.BLOB -> ValueType.Kind.BINARY;
            case Types.DECIMAL, Types.NUMERIC -> ValueType.Kind.DECIMAL;
            default -> ValueType.Kind.TEXT;
        };
        if (kind == ValueType.Kind.DECIMAL) {
            return ValueType.decimal("DECIMAL", p.precision, p.scale);
        }
        return ValueType.of(kind, kind == ValueType.Kind.TEXT ? "VARCHAR" : kind.name());
    }

    /** Every row of parameters the client sent, in order. */
    static List<List<TypedValue>> rows(FlightStream stream) {
        List<List<TypedValue>> rows = new ArrayList<>();
        while (stream.next()) {
            VectorSchemaRoot root = stream.getRoot();
            for (int r = 0; r < root.getRowCount(); r++) {
                List<TypedValue> row = new ArrayList<>();
                for (FieldVector v : root.getFieldVectors()) {
                    row.add(value(v, r));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    static TypedValue value(FieldVector v, int r) {
        if (v.isNull(r)) {
            return TypedValue.EXPLICIT_NULL;
        }
        if (v instanceof DateDayVector d) {
            return TypedValue.ofSerial(ColumnMetaData.Rep.JAVA_SQL_DATE, d.get(r));
        }
        if (v instanceof TimeStampVector t && t.getField().getType() instanceof org.apache.arrow.vector.types.pojo
                .ArrowType.Timestamp ts && ts.getTimezone() != null) {
            // an instant: milliseconds since the epoch, as JDBC binds a Timestamp
            long raw = t.get(r);
            long millis = switch (ts.getUnit()) {
                case SECOND -> raw * 1000;
                case MILLISECOND -> raw;
                case MICROSECOND -> Math.floorDiv(raw, 1000);
                case NANOSECOND -> Math.floorDiv(raw, 1_000_000);
            };
            return TypedValue.ofSerial(ColumnMetaData.Rep.JAVA_SQL_TIMESTAMP, millis);
        }
        Object o = v.getObject(r);
        if (o instanceof Text t) {
            return TypedValue.ofLocal(ColumnMetaData.Rep.STRING, t.toString());
        }
        if (o instanceof LocalDateTime t) {
            return TypedValue.ofSerial(ColumnMetaData.Rep.JAVA_SQL_TIMESTAMP,
                    t.toInstant(ZoneOffset.UTC).toEpochMilli());
        }
        if (o instanceof LocalDate d) {
            return TypedValue.ofSerial(ColumnMetaData.Rep.JAVA_SQL_DATE, (int) d.toEpochDay());
        }
        if (o instanceof byte[] b) {
            return TypedValue.ofLocal(ColumnMetaData.Rep.BYTE_STRING, new ByteString(b));
        }
        if (o instanceof BigDecimal || o instanceof Number || o instanceof Boolean || o instanceof String) {
            return TypedValue.ofLocal(ColumnMetaData.Rep.of(o.getClass()), o);
        }
        throw ProxyError.of(ErrorCode.DATA_EXCEPTION, "a parameter of Arrow type " + v.getField().getType()
                + " cannot be bound");
    }
}

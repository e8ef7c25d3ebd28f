package com.akkio.dbproxy.server.frontend.flight;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.types.JsonText;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Fills a batch of Arrow vectors from rows as the core hands them over (each value of its {@code ValueType} kind's
 * Java class), in the types {@link ArrowTypes} chose. A value that does not fit its column (which would mean a
 * backend's type mapping broke its promise) fails the stream with {@code 22000 DATA_EXCEPTION}, never a wrong value.
 */
final class ArrowRows {
    private ArrowRows() {
    }

    /** Replaces the batch in {@code root} with {@code rows}. */
    static void fill(VectorSchemaRoot root, List<?> rows) {
        root.allocateNew();
        List<FieldVector> vectors = root.getFieldVectors();
        for (int r = 0; r < rows.size(); r++) {
            Object row = rows.get(r);
            for (int c = 0; c < vectors.size(); c++) {
                Object value = row instanceof Object[] a ? a[c] : ((List<?>) row).get(c);
                try {
                    set(vectors.get(c), r, value);
                } catch (OutOfMemoryException e) {
                    throw e; // the stream's memory limit, not a bad value
                } catch (RuntimeException e) {
                    throw ProxyError.of(ErrorCode.DATA_EXCEPTION, "column " + (c + 1) + " cannot be sent as Arrow "
                            + vectors.get(c).getField().getType() + " ("
                            + (value == null ? "null" : value.getClass().getSimpleName()) + ")");
                }
            }
        }
        root.setRowCount(rows.size());
    }

    static void set(FieldVector vector, int i, Object value) {
        if (value == null) {
            setNull(vector, i);
            return;
        }
        if (vector instanceof BitVector v) {
            v.setSafe(i, (Boolean) value ? 1 : 0);
        } else if (vector instanceof TinyIntVector v) {
            v.setSafe(i, ((Number) value).byteValue());
        } else if (vector instanceof UInt1Vector v) {
            v.setSafe(i, ((Number) value).intValue());
        } else if (vector instanceof SmallIntVector v) {
            v.setSafe(i, ((Number) value).shortValue());
        } else if (vector instanceof IntVector v) {
            v.setSafe(i, ((Number) value).intValue());
        } else if (vector instanceof BigIntVector v) {
            v.setSafe(i, ((Number) value).longValue());
        } else if (vector instanceof Float4Vector v) {
            v.setSafe(i, ((Number) value).floatValue());
        } else if (vector instanceof Float8Vector v) {
            v.setSafe(i, ((Number) value).doubleValue());
        } else if (vector instanceof DecimalVector v) {
            v.setSafe(i, scaled((BigDecimal) value, v.getScale()));
        } else if (vector instanceof Decimal256Vector v) {
            v.setSafe(i, scaled((BigDecimal) value, v.getScale()));
        } else if (vector instanceof VarCharVector v) {
            v.setSafe(i, text(value).getBytes(StandardCharsets.UTF_8));
        } else if (vector instanceof VarBinaryVector v) {
            v.setSafe(i, (byte[]) value);
        } else if (vector instanceof DateDayVector v) {
            v.setSafe(i, Math.toIntExact(((LocalDate) value).toEpochDay()));
        } else if (vector instanceof TimeNanoVector v) {
            v.setSafe(i, ((LocalTime) value).toNanoOfDay());
        } else if (vector instanceof TimeStampMicroTZVector v) {
            v.setSafe(i, micros(((OffsetDateTime) value).toInstant()));
        } else if (vector instanceof TimeStampNanoTZVector v) {
            v.setSafe(i, nanos(((OffsetDateTime) value).toInstant()));
        } else if (vector instanceof TimeStampMicroVector v) {
            v.setSafe(i, micros(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
        } else if (vector instanceof TimeStampNanoVector v) {
            v.setSafe(i, nanos(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
        } else if (vector instanceof StructVector || vector instanceof MapVector) {
            NestedTypes.set(vector, i, text(value));
        } else if (vector instanceof ListVector v) {
            List<?> items = (List<?>) value;
            int start = v.startNewValue(i);
            FieldVector data = v.getDataVector();
            for (int j = 0; j < items.size(); j++) {
                set(data, start + j, items.get(j));
            }
            v.endValue(i, items.size());
        } else if (!(vector instanceof NullVector)) {
            throw new IllegalStateException("no writer for " + vector.getClass().getSimpleName());
        }
    }

    private static void setNull(FieldVector vector, int i) {
        if (vector instanceof NullVector) {
            return;
        }
        while (vector.getValueCapacity() <= i) {
            vector.reAlloc();
        }
        vector.setNull(i);
    }

    /** The value at the column's scale; a value that would need rounding is refused, not rounded. */
    private static BigDecimal scaled(BigDecimal value, int scale) {
        return value.scale() == scale ? value : value.setScale(scale, RoundingMode.UNNECESSARY);
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    /** The text of a kind Arrow has no type for: JSON documents handed over as nested lists become JSON text. */
    static String text(Object value) {
        if (value instanceof List<?> list) {
            return JsonText.of(list);
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(value);
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import java.util.List;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How many rows a result batch holds, sized by bytes rather than a fixed count: a narrow result pays per batch (a
 * gRPC message, a DuckDB export call), a wide one per byte held. The row width is estimated from the declared Arrow
 * schema: fixed-width types exactly (their values and validity bit), variable-width values (text, binary) as
 * {@link #VARIABLE_BYTES} beside their offset, lists and maps as {@link #LIST_ITEMS} items. The rows then fill
 * {@link #BUDGET_BYTES}, or an eighth of the stream's memory limit when that is less (the exported batch and its
 * copy in the declared types can both be held, with room to spare for values longer than the guess), rounded down to
 * DuckDB's 2,048-row vector and kept between one vector and {@link #MAX_ROWS}.
 */
final class BatchSize {
    /**
     * Bytes one batch aims at: 2 MiB, about what the five-column benchmark result's 32,768-row batches hold (the
     * lead's run: 12-16x Avatica either way, while the one-BIGINT result went from 8.1x to 11.6x with 32,768 rows).
     */
    static final long BUDGET_BYTES = 2L << 20;
    /** DuckDB's vector: its export fills batches vector by vector. */
    static final int VECTOR_ROWS = 2048;
    /** The most rows a batch holds, however narrow: 512 KiB of one BIGINT column, 16x the old 4,096 rows. */
    static final int MAX_ROWS = 32 * VECTOR_ROWS;
    /** The guess for one variable-width value (a label, a name, an id as text). */
    static final int VARIABLE_BYTES = 32;
    /** The guess for a list's or a map's items per row. */
    static final int LIST_ITEMS = 4;
    /**
     * Rows built from the core's rows (the row path) hold each value as a Java object before it becomes Arrow
     * (a boxed value and its reference, a row array): about this many times its Arrow width.
     */
    static final int ROW_PATH_FACTOR = 4;

    private BatchSize() {
    }

    /** Rows per Arrow batch of a result with {@code schema}, under a stream limit of {@code streamMemoryBytes}. */
    static int rows(Schema schema, long streamMemoryBytes) {
        return filling(schema, Math.min(BUDGET_BYTES, streamMemoryBytes / 8));
    }

    /** Rows per fetch of the row path (frames of Java objects, then one Arrow batch of them). */
    static int rowPathRows(Schema schema, long streamMemoryBytes) {
        return filling(schema, Math.min(BUDGET_BYTES, streamMemoryBytes / 8) / ROW_PATH_FACTOR);
    }

    private static int filling(Schema schema, long budget) {
        double width = Math.max(1, width(schema.getFields()));
        long rows = (long) (budget / width) / VECTOR_ROWS * VECTOR_ROWS;
        return (int) Math.max(VECTOR_ROWS, Math.min(MAX_ROWS, rows));
    }

    /** Estimated bytes of one row of {@code fields} in Arrow. */
    static double width(List<Field> fields) {
        double bytes = 0;
        for (Field f : fields) {
            bytes += width(f);
        }
        return bytes;
    }

    private static double width(Field f) {
        double validity = 1.0 / 8;
        ArrowType t = f.getType();
        return validity + switch (t.getTypeID()) {
            case Null -> -validity;
            case Bool -> 1.0 / 8;
            case Int -> ((ArrowType.Int) t).getBitWidth() / 8.0;
            case FloatingPoint -> switch (((ArrowType.FloatingPoint) t).getPrecision()) {
                case HALF -> 2;
                case SINGLE -> 4;
                case DOUBLE -> 8;
            };
            case Decimal -> ((ArrowType.Decimal) t).getBitWidth() / 8.0;
            case Date -> ((ArrowType.Date) t).getUnit() == org.apache.arrow.vector.types.DateUnit.DAY ? 4 : 8;
            case Time -> ((ArrowType.Time) t).getBitWidth() / 8.0;
            case Timestamp, Duration -> 8;
            case Interval -> 16;
            case FixedSizeBinary -> ((ArrowType.FixedSizeBinary) t).getByteWidth();
            case Utf8, Binary -> 4 + VARIABLE_BYTES;
            case LargeUtf8, LargeBinary -> 8 + VARIABLE_BYTES;
            case Utf8View, BinaryView -> 16 + VARIABLE_BYTES;
            case List, Map -> 4 + LIST_ITEMS * width(f.getChildren());
            case LargeList -> 8 + LIST_ITEMS * width(f.getChildren());
            case FixedSizeList -> ((ArrowType.FixedSizeList) t).getListSize() * width(f.getChildren());
            case Struct -> width(f.getChildren());
            // a union's type id and offset, and its widest member
            case Union -> 5 + f.getChildren().stream().mapToDouble(BatchSize::width).max().orElse(0);
            default -> 8 + VARIABLE_BYTES;
        };
    }
}

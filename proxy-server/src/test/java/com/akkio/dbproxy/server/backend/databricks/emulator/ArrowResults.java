package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.IntervalYearVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A result chunk as a warehouse writes one for {@code format: ARROW_STREAM}: an Arrow IPC stream, each top-level
 * field carrying its Databricks type text in the metadata key {@code Spark:DataType:SqlName} (the driver reads ARRAY,
 * STRUCT, MAP, VARIANT, TIMESTAMP and INTERVAL columns by it), nested types as native Arrow lists, structs and maps,
 * TIMESTAMP as microseconds in the session time zone (UTC), TIMESTAMP_NTZ without one, INTERVAL YEAR TO MONTH as an
 * Arrow year-month interval and INTERVAL DAY TO SECOND as a microsecond duration, VOID as Arrow's null type,
 * VARIANT as its JSON text. With {@code LZ4_FRAME} the whole stream is one LZ4 frame, which is how the driver
 * decompresses an inline {@code attachment} and a downloaded chunk alike.
 */
final class ArrowResults {
    static final String SQL_NAME = "Spark:DataType:SqlName";
    private static final String SESSION_TIME_ZONE = "Etc/UTC";

    private ArrowResults() {
    }

    /** One result column: its name and Databricks type text. */
    record Column(String name, String typeText) {
    }

    /** {@code rows} (values as {@link EmulatorResults} reads them from DuckDB) as one Arrow IPC stream. */
    static byte[] encode(List<Column> columns, List<Object[]> rows, boolean lz4) throws IOException {
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) {
            Field plain = field(c.name(), c.typeText());
            fields.add(new Field(c.name(), new FieldType(true, plain.getType(), null, Map.of(SQL_NAME, c.typeText())),
                    plain.getChildren()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
            root.allocateNew();
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < columns.size(); c++) {
                    write(root.getVector(c), r, rows.get(r)[c]);
                }
            }
            root.setRowCount(rows.size());
            try (OutputStream out = lz4 ? new LZ4FrameOutputStream(bytes) : bytes;
                 ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
                writer.start();
                if (!rows.isEmpty()) {
                    writer.writeBatch();
                }
                writer.end();
            }
        }
        return bytes.toByteArray();
    }

    /** The Arrow field of a Databricks type text ({@code INT}, {@code ARRAY<STRUCT<a: INT>>}, ...). */
    static Field field(String name, String typeText) {
        String t = typeText.strip();
        String upper = t.toUpperCase(Locale.ROOT);
        if (upper.startsWith("ARRAY<")) {
            return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(field("element", inner(t))));
        }
        if (upper.startsWith("MAP<")) {
            List<String> kv = EmulatorTypes.topLevelParts(inner(t));
            Field entries = new Field(MapVector.DATA_VECTOR_NAME, FieldType.notNullable(ArrowType.Struct.INSTANCE),
                    List.of(notNull(field(MapVector.KEY_NAME, kv.get(0))), field(MapVector.VALUE_NAME, kv.get(1))));
            return new Field(name, FieldType.nullable(new ArrowType.Map(false)), List.of(entries));
        }
        if (upper.startsWith("STRUCT<")) {
            List<Field> children = new ArrayList<>();
            for (String part : EmulatorTypes.topLevelParts(inner(t))) {
                int colon = part.indexOf(':');
                children.add(field(part.substring(0, colon).strip(), part.substring(colon + 1)));
            }
            return new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
        }
        return new Field(name, FieldType.nullable(primitive(upper)), null);
    }

    private static Field notNull(Field f) {
        return new Field(f.getName(), new FieldType(false, f.getType(), null), f.getChildren());
    }

    private static String inner(String typeText) {
        return typeText.substring(typeText.indexOf('<') + 1, typeText.lastIndexOf('>'));
    }

    private static ArrowType primitive(String type) {
        if (type.startsWith("DECIMAL")) {
            String[] ps = type.substring(type.indexOf('(') + 1, type.indexOf(')')).split(",");
            return new ArrowType.Decimal(Integer.parseInt(ps[0].strip()), Integer.parseInt(ps[1].strip()), 128);
        }
        if (type.startsWith("INTERVAL")) {
            return EmulatorTypes.isYearMonth(type) ? new ArrowType.Interval(IntervalUnit.YEAR_MONTH)
                    : new ArrowType.Duration(TimeUnit.MICROSECOND);
        }
        return switch (type) {
            case "BOOLEAN" -> ArrowType.Bool.INSTANCE;
            case "TINYINT" -> new ArrowType.Int(8, true);
            case "SMALLINT" -> new ArrowType.Int(16, true);
            case "INT" -> new ArrowType.Int(32, true);
            case "BIGINT" -> new ArrowType.Int(64, true);
            case "FLOAT" -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case "DOUBLE" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case "BINARY" -> ArrowType.Binary.INSTANCE;
            case "DATE" -> new ArrowType.Date(DateUnit.DAY);
            case "TIMESTAMP" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, SESSION_TIME_ZONE);
            case "TIMESTAMP_NTZ" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
            case "VOID" -> ArrowType.Null.INSTANCE;
            default -> ArrowType.Utf8.INSTANCE; // STRING, VARIANT (its JSON text)
        };
    }

    /** Writes {@code value} at {@code index} of {@code vector}, recursively for lists, maps and structs. */
    private static void write(FieldVector vector, int index, Object value) {
        if (vector instanceof NullVector) {
            return;
        }
        if (value == null) {
            if (vector instanceof StructVector struct) {
                struct.setNull(index);
                for (FieldVector child : struct.getChildrenFromFields()) {
                    write(child, index, null);
                }
            } else if (vector instanceof ListVector list) {
                list.setNull(index);
            } else {
                setNull(vector, index);
            }
            return;
        }
        if (vector instanceof MapVector map) {
            Map<?, ?> entries = (Map<?, ?>) value;
            int start = map.startNewValue(index);
            StructVector entry = (StructVector) map.getDataVector();
            int i = start;
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                entry.setIndexDefined(i);
                write((FieldVector) entry.getChild(MapVector.KEY_NAME), i, e.getKey());
                write((FieldVector) entry.getChild(MapVector.VALUE_NAME), i, e.getValue());
                i++;
            }
            map.endValue(index, entries.size());
        } else if (vector instanceof ListVector list) {
            List<?> items = (List<?>) value;
            int start = list.startNewValue(index);
            for (int i = 0; i < items.size(); i++) {
                write(list.getDataVector(), start + i, items.get(i));
            }
            list.endValue(index, items.size());
        } else if (vector instanceof StructVector struct) {
            Map<?, ?> fields = (Map<?, ?>) value;
            struct.setIndexDefined(index);
            for (FieldVector child : struct.getChildrenFromFields()) {
                write(child, index, fields.get(child.getName()));
            }
        } else {
            writePrimitive(vector, index, value);
        }
    }

    private static void setNull(FieldVector vector, int index) {
        if (vector instanceof org.apache.arrow.vector.BaseFixedWidthVector fixed) {
            fixed.setNull(index);
        } else if (vector instanceof org.apache.arrow.vector.BaseVariableWidthVector variable) {
            variable.setNull(index);
        } else {
            throw new IllegalStateException("no null for " + vector.getClass().getSimpleName());
        }
    }

    private static void writePrimitive(FieldVector vector, int index, Object v) {
        if (vector instanceof TinyIntVector x) {
            x.setSafe(index, ((Number) v).byteValue());
        } else if (vector instanceof SmallIntVector x) {
            x.setSafe(index, ((Number) v).shortValue());
        } else if (vector instanceof IntVector x) {
            x.setSafe(index, ((Number) v).intValue());
        } else if (vector instanceof BigIntVector x) {
            x.setSafe(index, ((Number) v).longValue());
        } else if (vector instanceof Float4Vector x) {
            x.setSafe(index, ((Number) v).floatValue());
        } else if (vector instanceof Float8Vector x) {
            x.setSafe(index, ((Number) v).doubleValue());
        } else if (vector instanceof DecimalVector x) {
            x.setSafe(index, new BigDecimal(v.toString()).setScale(x.getScale()));
        } else if (vector instanceof BitVector x) {
            x.setSafe(index, (Boolean) v ? 1 : 0);
        } else if (vector instanceof DateDayVector x) {
            x.setSafe(index, (int) LocalDate.parse(v.toString()).toEpochDay());
        } else if (vector instanceof TimeStampVector x) {
            x.setSafe(index, micros(v));
        } else if (vector instanceof IntervalYearVector x) {
            x.setSafe(index, EmulatorTypes.interval((String) v).months());
        } else if (vector instanceof DurationVector x) {
            EmulatorTypes.Interval interval = EmulatorTypes.interval((String) v);
            if (interval.months() != 0) {
                throw new IllegalArgumentException("a day-time interval has no months: " + v);
            }
            x.setSafe(index, interval.dayTime().dividedBy(Duration.of(1, ChronoUnit.MICROS)));
        } else if (vector instanceof VarBinaryVector x) {
            x.setSafe(index, (byte[]) v);
        } else if (vector instanceof VarCharVector x) {
            x.setSafe(index, v.toString().getBytes(StandardCharsets.UTF_8));
        } else {
            throw new IllegalStateException("no Arrow writer for " + vector.getClass().getSimpleName());
        }
    }

    /** Microseconds since the epoch: of the instant for TIMESTAMP, of the wall clock read as UTC for NTZ. */
    private static long micros(Object v) {
        if (v instanceof OffsetDateTime odt) {
            return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, odt.toInstant());
        }
        LocalDateTime wall = v instanceof java.sql.Timestamp ts ? ts.toLocalDateTime() : (LocalDateTime) v;
        return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, wall.toInstant(ZoneOffset.UTC));
    }
}

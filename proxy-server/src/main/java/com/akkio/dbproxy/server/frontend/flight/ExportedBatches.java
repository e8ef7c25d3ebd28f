package com.akkio.dbproxy.server.frontend.flight;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.types.ValueType;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.avatica.ColumnMetaData;

/**
 * The backend's own Arrow batches (DuckDB's export) put into the schema the front end declared ({@link ArrowTypes}),
 * column by column: a column whose exported type already is the declared one moves over without a copy; the others
 * DuckDB exports differently are converted here, each conversion exact (unsigned integers widened, HUGEINT's
 * decimal128 and UHUGEINT's opaque 16 bytes into decimal256(39, 0), UBIGINT into decimal128(20, 0), times and
 * timestamps to the declared finer unit, an ENUM's dictionary into its text, a fixed-size array into a list).
 * Structs and maps ({@link NestedTypes}) move over as DuckDB exports them.
 *
 * <p>Which results take this path is decided before the statement runs ({@link #exportable}): types whose export
 * loses something the front end sends (a TIMETZ's offset, an INTERVAL's text, a BIT string, UNION values and the
 * STRUCT and MAP values sent as JSON text) leave the statement on the row path. A column whose exported type then
 * has no conversion here fails the stream with {@code 22000 DATA_EXCEPTION}: never a value in another type than the
 * declared one.
 */
final class ExportedBatches {
    /** Moves or converts one column of a batch into the declared vector. */
    private interface Column {
        void copy(FieldVector from, FieldVector to, int rows);
    }

    private final List<Column> columns;

    private ExportedBatches(List<Column> columns) {
        this.columns = columns;
    }

    /**
     * Whether every column of a result can leave from the backend's Arrow export in its declared type (else the
     * statement takes the row path).
     */
    static boolean exportable(List<ColumnMetaData> columns) {
        for (ColumnMetaData c : columns) {
            if (!exportable(ValueType.of(c))) {
                return false;
            }
        }
        return !columns.isEmpty();
    }

    private static boolean exportable(ValueType t) {
        return switch (t.kind()) {
            case BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE, TEXT, BINARY, DATE, TIME,
                 TIMESTAMP, TIMESTAMP_TZ, UUID -> true;
            // STRUCT and MAP with an Arrow type of their own (DuckDB exports them as such); UNION as JSON text
            case JSON -> t.name().equalsIgnoreCase("JSON") || NestedTypes.field("c", t.name()) != null;
            // a list's items move with it unconverted: only item types DuckDB exports as declared
            case ARRAY -> t.element() != null && switch (t.element().kind()) {
                case BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, BINARY, DATE, UUID -> true;
                case TEXT -> !t.element().name().toUpperCase(java.util.Locale.ROOT).startsWith("ENUM");
                case DECIMAL -> t.element().name().toUpperCase(java.util.Locale.ROOT).startsWith("DECIMAL");
                default -> false;
            };
            default -> false;
        };
    }

    /** How each column of {@code exported} becomes its {@code declared} one; refused if one cannot be exactly. */
    static ExportedBatches plan(VectorSchemaRoot exported, VectorSchemaRoot declared, DictionaryProvider dictionaries) {
        List<Field> from = exported.getSchema().getFields();
        List<Field> to = declared.getSchema().getFields();
        if (from.size() != to.size()) {
            throw ProxyError.of(ErrorCode.DATA_EXCEPTION, "the backend's Arrow result has " + from.size()
                    + " columns, its description " + to.size());
        }
        List<Column> columns = new ArrayList<>(from.size());
        for (int i = 0; i < from.size(); i++) {
            Column c = column(from.get(i), to.get(i), dictionaries);
            if (c == null) {
                throw ProxyError.of(ErrorCode.DATA_EXCEPTION, "column " + (i + 1) + " (" + to.get(i).getName()
                        + ") cannot be sent as Arrow " + to.get(i).getType() + " from the backend's "
                        + from.get(i).getType());
            }
            columns.add(c);
        }
        return new ExportedBatches(columns);
    }

    /** Puts the first {@code rows} rows of the exported batch into {@code declared}. */
    void copy(VectorSchemaRoot exported, VectorSchemaRoot declared, int rows) {
        for (int i = 0; i < columns.size(); i++) {
            columns.get(i).copy(exported.getVector(i), declared.getVector(i), rows);
        }
        declared.setRowCount(rows);
    }

    private static Column column(Field from, Field to, DictionaryProvider dictionaries) {
        ArrowType source = from.getType();
        ArrowType target = to.getType();
        if (from.getDictionary() != null) {
            Dictionary d = dictionaries.lookup(from.getDictionary().getId());
            return d != null && d.getVector() instanceof VarCharVector && target instanceof ArrowType.Utf8
                    ? (f, t, rows) -> decode(d, f, (VarCharVector) t, rows) : null;
        }
        if (same(from, to)) {
            return (f, t, rows) -> f.makeTransferPair(t).transfer();
        }
        if (source instanceof ArrowType.Int in && !in.getIsSigned() && target instanceof ArrowType.Int out
                && out.getIsSigned() && out.getBitWidth() == 2 * in.getBitWidth()) {
            return ExportedBatches::widen;
        }
        if (source instanceof ArrowType.Int in && !in.getIsSigned() && in.getBitWidth() == 64
                && target instanceof ArrowType.Decimal out && out.getScale() == 0 && out.getPrecision() >= 20) {
            return (f, t, rows) -> perValue(f, t, rows, i -> new BigDecimal(new BigInteger(
                    Long.toUnsignedString(((UInt8Vector) f).get(i)))));
        }
        if (source instanceof ArrowType.Decimal in && target instanceof ArrowType.Decimal out
                && in.getScale() == out.getScale()) {
            // HUGEINT: DuckDB labels its 128-bit integers decimal128(38, 0); the bits hold all 39 digits
            return (f, t, rows) -> perValue(f, t, rows, i -> f instanceof DecimalVector d ? d.getObject(i)
                    : ((Decimal256Vector) f).getObject(i));
        }
        if (source instanceof ArrowType.FixedSizeBinary b && b.getByteWidth() == 16 && opaque(from, "uhugeint")
                && target instanceof ArrowType.Decimal out && out.getScale() == 0 && out.getPrecision() >= 39) {
            return (f, t, rows) -> perValue(f, t, rows, i -> unsigned128(((FixedSizeBinaryVector) f).get(i)));
        }
        if (source instanceof ArrowType.Time in && in.getUnit() == TimeUnit.MICROSECOND
                && target instanceof ArrowType.Time out && out.getUnit() == TimeUnit.NANOSECOND) {
            return (f, t, rows) -> scaled(f, t, rows, 1000, i -> ((TimeMicroVector) f).get(i),
                    (i, v) -> ((TimeNanoVector) t).set(i, v));
        }
        if (source instanceof ArrowType.Timestamp in && target instanceof ArrowType.Timestamp out
                && (in.getTimezone() == null) == (out.getTimezone() == null)
                && factor(in.getUnit(), out.getUnit()) > 0) {
            long factor = factor(in.getUnit(), out.getUnit());
            return (f, t, rows) -> scaled(f, t, rows, factor, i -> ((TimeStampVector) f).get(i),
                    (i, v) -> ((TimeStampVector) t).set(i, v));
        }
        if (source instanceof ArrowType.FixedSizeList && target instanceof ArrowType.List
                && same(from.getChildren().get(0), to.getChildren().get(0))) {
            return ExportedBatches::fixedToList;
        }
        return null;
    }

    /**
     * The same type, so the vector moves over as it is: equal types (a zoned timestamp's zone aside, DuckDB's
     * {@code Etc/UTC} and the declared {@code UTC} being the same instants), a list's items compared alike.
     */
    private static boolean same(Field from, Field to) {
        ArrowType a = from.getType();
        ArrowType b = to.getType();
        if (from.getDictionary() != null || !from.getMetadata().isEmpty()) {
            return false;
        }
        if (a instanceof ArrowType.Timestamp x && b instanceof ArrowType.Timestamp y) {
            return x.getUnit() == y.getUnit() && (x.getTimezone() == null ? y.getTimezone() == null
                    : y.getTimezone() != null && utc(x.getTimezone()) && utc(y.getTimezone()));
        }
        if (a instanceof ArrowType.List && b instanceof ArrowType.List) {
            return same(from.getChildren().get(0), to.getChildren().get(0));
        }
        if (a instanceof ArrowType.Struct && b instanceof ArrowType.Struct
                || a instanceof ArrowType.Map && a.equals(b)) {
            // members by name and type, in order (a map: its entries' key and value)
            if (from.getChildren().size() != to.getChildren().size()) {
                return false;
            }
            for (int i = 0; i < from.getChildren().size(); i++) {
                Field x = from.getChildren().get(i);
                Field y = to.getChildren().get(i);
                if (!x.getName().equals(y.getName()) || !same(x, y)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b) && from.getChildren().isEmpty() && to.getChildren().isEmpty();
    }

    private static boolean utc(String zone) {
        return zone.equals("UTC") || zone.equals("Etc/UTC") || zone.equals("+00:00") || zone.equals("Z");
    }

    /** Multiplier from one time unit to a finer or equal one; 0 when {@code to} is coarser (it would lose digits). */
    private static long factor(TimeUnit from, TimeUnit to) {
        int steps = to.ordinal() - from.ordinal(); // SECOND, MILLISECOND, MICROSECOND, NANOSECOND
        return steps < 0 ? 0 : (long) Math.pow(1000, steps);
    }

    /** Times and timestamps into a finer unit: each value multiplied, refused rather than overflowing. */
    private static void scaled(FieldVector f, FieldVector t, int rows, long factor,
                               java.util.function.IntToLongFunction get, Setter set) {
        t.setInitialCapacity(rows);
        t.allocateNew();
        for (int i = 0; i < rows; i++) {
            if (f.isNull(i)) {
                t.setNull(i);
            } else {
                set.set(i, Math.multiplyExact(get.applyAsLong(i), factor));
            }
        }
    }

    private interface Setter {
        void set(int row, long value);
    }

    private static boolean opaque(Field f, String typeName) {
        Map<String, String> m = f.getMetadata();
        return "arrow.opaque".equals(m.get("ARROW:extension:name"))
                && String.valueOf(m.get("ARROW:extension:metadata")).contains("\"type_name\":\"" + typeName + "\"");
    }

    /** DuckDB's UHUGEINT: 16 bytes, little-endian, unsigned. */
    private static BigDecimal unsigned128(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return new BigDecimal(new BigInteger(1, be));
    }

    private static void widen(FieldVector f, FieldVector t, int rows) {
        BaseIntVector v = (BaseIntVector) f;
        t.setInitialCapacity(rows);
        t.allocateNew();
        for (int i = 0; i < rows; i++) {
            if (f.isNull(i)) {
                t.setNull(i);
                continue;
            }
            long value = v.getValueAsLong(i); // the unsigned vectors' value, not their bits read as signed
            if (t instanceof SmallIntVector s) {
                s.set(i, (short) value);
            } else if (t instanceof IntVector n) {
                n.set(i, (int) value);
            } else {
                ((BigIntVector) t).set(i, value);
            }
        }
    }

    private interface DecimalAt {
        BigDecimal at(int row);
    }

    private static void perValue(FieldVector f, FieldVector t, int rows, DecimalAt value) {
        t.setInitialCapacity(rows);
        t.allocateNew();
        for (int i = 0; i < rows; i++) {
            if (f.isNull(i)) {
                t.setNull(i);
            } else if (t instanceof DecimalVector d) {
                d.set(i, value.at(i));
            } else {
                ((Decimal256Vector) t).set(i, value.at(i));
            }
        }
    }

    private static void decode(Dictionary dictionary, FieldVector indices, VarCharVector t, int rows) {
        VarCharVector words = (VarCharVector) dictionary.getVector();
        BaseIntVector index = (BaseIntVector) indices;
        t.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
            if (indices.isNull(i)) {
                t.setNull(i);
            } else {
                t.setSafe(i, words.get(Math.toIntExact(index.getValueAsLong(i))));
            }
        }
    }

    private static void fixedToList(FieldVector f, FieldVector t, int rows) {
        FixedSizeListVector v = (FixedSizeListVector) f;
        ListVector list = (ListVector) t;
        list.allocateNew();
        FieldVector items = v.getDataVector();
        FieldVector into = list.getDataVector();
        int size = v.getListSize();
        for (int i = 0; i < rows; i++) {
            if (v.isNull(i)) {
                list.setNull(i);
                continue;
            }
            int start = list.startNewValue(i);
            for (int j = 0; j < size; j++) {
                into.copyFromSafe(i * size + j, start + j, items);
            }
            list.endValue(i, size);
        }
    }
}

package com.akkio.dbproxy.server.frontend.avatica;

import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.ListIterator;
import java.util.UUID;

import com.akkio.dbproxy.server.types.SqlText;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.JsonService;

/**
 * The core's values (see {@code types.ValueType}) as Avatica's protocol carries them, in place, before a frame is
 * serialized. Avatica's client reads a DATE as days since 1970, a TIME as milliseconds of the day and a TIMESTAMP as
 * milliseconds since 1970 of the wall clock read as UTC; both of its serializations carry only what a
 * {@code java.sql.Timestamp} keeps there, so times and timestamps arrive in milliseconds (the protocol's limit; the
 * PostgreSQL front end sends microseconds). Zoned times and instants travel as their SQL text ({@code …+00}), whole,
 * as do UUIDs. Everything else (numbers, exact decimals, text, bytes, lists of
 * those) Avatica serializes as it is.
 */
public final class AvaticaValues {
    private static final int MILLIS_DIGITS = 3;

    private AvaticaValues() {
    }

    /**
     * Lets Avatica's JSON serialization carry NaN and infinities as numbers. Jackson writes them as strings by
     * default, which Avatica's client cannot read as a number (ClassCastException); written bare, as the client
     * jar reads them (it enables the same feature), they arrive as doubles. Avatica's mapper is one static object, so
     * this is process-wide; protobuf does not use it.
     */
    public static void carryNonFiniteNumbersInJson() {
        JsonService.MAPPER.disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
        JsonService.MAPPER.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());
    }

    /** The result's signature and first frame, encoded. */
    static Meta.MetaResultSet encode(Meta.MetaResultSet rs) {
        if (rs.signature != null) {
            encode(rs.signature);
        }
        if (rs.firstFrame != null) {
            encode(rs.firstFrame);
        }
        return rs;
    }

    /**
     * A prepared statement's or a result's columns as they arrive: times and timestamps with at most 3 fractional
     * digits, which Avatica's client also prints (a precision of 6 would show microseconds that were not sent).
     */
    static Meta.StatementHandle encode(Meta.StatementHandle h) {
        if (h.signature != null) {
            encode(h.signature);
        }
        return h;
    }

    private static void encode(Meta.Signature signature) {
        List<ColumnMetaData> columns = signature.columns;
        for (int i = 0; i < columns.size(); i++) {
            ColumnMetaData c = columns.get(i);
            if ((c.type.id == Types.TIME || c.type.id == Types.TIMESTAMP) && c.precision > MILLIS_DIGITS) {
                columns.set(i, new ColumnMetaData(c.ordinal, c.autoIncrement, c.caseSensitive, c.searchable,
                        c.currency, c.nullable, c.signed, c.displaySize, c.label, c.columnName, c.schemaName,
                        MILLIS_DIGITS, c.scale, c.tableName, c.catalogName, c.type, c.readOnly, c.writable,
                        c.definitelyWritable, c.columnClassName));
            }
        }
    }

    static Meta.ExecuteResult encode(Meta.ExecuteResult result) {
        for (Meta.MetaResultSet rs : result.resultSets) {
            encode(rs);
        }
        return result;
    }

    /** A frame's values, in place (public for the value-conversion benchmark in bench/). */
    public static Meta.Frame encode(Meta.Frame frame) {
        for (Object row : frame.rows) {
            if (row instanceof Object[] values) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = encode(values[i]);
                }
            } else if (row instanceof List<?> values) {
                encodeAll(values);
            }
        }
        return frame;
    }

    @SuppressWarnings("unchecked")
    private static void encodeAll(List<?> values) {
        for (ListIterator<Object> it = ((List<Object>) values).listIterator(); it.hasNext(); ) {
            it.set(encode(it.next()));
        }
    }

    /** One value: the common classes first, which need nothing. */
    static Object encode(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof byte[]) {
            return v;
        }
        if (v instanceof LocalDateTime t) {
            return t.toEpochSecond(ZoneOffset.UTC) * 1000 + t.getNano() / 1_000_000;
        }
        if (v instanceof LocalDate d) {
            return Math.toIntExact(d.toEpochDay());
        }
        if (v instanceof LocalTime t) {
            return (int) (t.toNanoOfDay() / 1_000_000);
        }
        if (v instanceof OffsetDateTime || v instanceof OffsetTime || v instanceof UUID) {
            return SqlText.of(v);
        }
        if (v instanceof List<?> list) {
            encodeAll(list);
            return list;
        }
        return v;
    }
}

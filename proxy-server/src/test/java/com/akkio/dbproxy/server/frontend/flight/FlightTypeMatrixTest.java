package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ReadmeTables;
import com.akkio.dbproxy.server.TypeZoo;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.JsonStringHashMap;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every value of the demo's {@code type_zoo} through the Flight SQL front end, as Arrow's own client reads it, by a
 * statement and by a prepared statement: each column has the Arrow type README's table "DuckDB over Flight SQL" names
 * (in pyarrow's spelling), and each value equals DuckDB's own text of it ({@link TypeZoo}) to the nanosecond.
 */
@LiveServerTest
class FlightTypeMatrixTest {
    static final String TABLE = "### DuckDB over Flight SQL";

    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    @Test
    void everyValueOfEveryTypeArrivesAsTheBackendHasItInTheArrowTypeTheReadmeSays() throws Exception {
        Map<String, Map<String, String>> readme = ReadmeTables.byFirstColumn(TABLE);
        List<String> failures = new ArrayList<>();
        try (FlightFixture flight = FlightFixture.connect(PROXY.get());
             Connection oracleConnection = PROXY.get().acme()) {
            FlightSqlClient sql = flight.sql;
            CallOption acme = flight.login("acme");
            for (TypeZoo.Column column : TypeZoo.COLUMNS) {
                TypeZoo.Oracle oracle = TypeZoo.oracle(oracleConnection, column);
                String query = "SELECT id, " + column.name() + " FROM type_zoo ORDER BY id";
                String expected = readme.containsKey(column.name()) ? readme.get(column.name()).get("Arrow type")
                        : "(no README row)";
                try (FlightStream s = sql.getStream(sql.execute(query, acme).getEndpoints().get(0).getTicket(),
                        acme)) {
                    failures.addAll(compare("statement", column, s, oracle, expected));
                }
                FlightSqlClient.PreparedStatement p = sql.prepare(query, acme);
                try (FlightStream s = sql.getStream(p.execute(acme).getEndpoints().get(0).getTicket(), acme)) {
                    failures.addAll(compare("prepared", column, s, oracle, expected));
                } finally {
                    p.close(acme);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static List<String> compare(String how, TypeZoo.Column column, FlightStream stream,
                                        TypeZoo.Oracle oracle, String expectedType) throws Exception {
        List<String> failures = new ArrayList<>();
        String where = how + " " + column.name() + ": ";
        Field field = stream.getSchema().getFields().get(1);
        if (!pyarrow(field).equals(expectedType)) {
            failures.add(where + "Arrow type " + pyarrow(field) + ", README says " + expectedType);
        }
        int rows = 0;
        while (stream.next()) {
            List<FieldVector> vectors = stream.getRoot().getFieldVectors();
            for (int i = 0; i < stream.getRoot().getRowCount(); i++) {
                rows++;
                int id = ((Number) vectors.get(0).getObject(i)).intValue();
                Object value = value(vectors.get(1), i, column);
                String mismatch = TypeZoo.mismatch(column, id, value, oracle, TypeZoo.Precision.NANOS);
                if (mismatch != null) {
                    failures.add(where + "row " + id + ": " + mismatch);
                }
            }
        }
        if (rows != TypeZoo.ROWS) {
            failures.add(where + rows + " rows");
        }
        return failures;
    }

    /** A value as a client of the Arrow format reads it (the units and zone from the field's type). */
    private static Object value(FieldVector v, int i, TypeZoo.Column column) {
        if (v.isNull(i)) {
            return null;
        }
        if (v instanceof DateDayVector d) {
            return LocalDate.ofEpochDay(d.get(i));
        }
        if (v instanceof TimeNanoVector t) {
            return LocalTime.ofNanoOfDay(t.get(i));
        }
        if (v instanceof TimeStampVector t && ((ArrowType.Timestamp) t.getField().getType()).getTimezone() != null) {
            ArrowType.Timestamp type = (ArrowType.Timestamp) t.getField().getType();
            long raw = t.get(i);
            Instant instant = switch (type.getUnit()) {
                case MICROSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000L),
                        Math.floorMod(raw, 1_000_000L) * 1000);
                case NANOSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000_000L),
                        Math.floorMod(raw, 1_000_000_000L));
                default -> throw new IllegalStateException("unit " + type.getUnit());
            };
            return instant.atOffset(ZoneOffset.of(type.getTimezone().equals("UTC") ? "Z" : type.getTimezone()));
        }
        if (v instanceof MapVector m) {
            // a map as pyarrow's to_pylist(maps_as_pydicts="strict") gives it: key to value
            JsonStringHashMap<String, Object> map = new JsonStringHashMap<>();
            for (Object entry : m.getObject(i)) {
                Map<?, ?> kv = (Map<?, ?>) entry;
                map.put(kv.get(MapVector.KEY_NAME).toString(), plain(kv.get(MapVector.VALUE_NAME)));
            }
            return map.toString();
        }
        if (v instanceof StructVector st) {
            // every member, null ones too, as pyarrow's as_py gives a struct
            JsonStringHashMap<String, Object> members = new JsonStringHashMap<>();
            for (FieldVector member : st.getChildrenFromFields()) {
                members.put(member.getName(), plain(member.getObject(i)));
            }
            return members.toString();
        }
        if (v instanceof ListVector l) {
            return plain(l.getObject(i));
        }
        Object o = v.getObject(i);
        if (o instanceof Text t) {
            return column.check() == TypeZoo.Check.TIME_TZ ? OffsetTime.parse(t.toString()) : t.toString();
        }
        return o;
    }

    private static Object plain(Object o) {
        if (o instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(plain(item)));
            return out;
        }
        return o instanceof Text t ? t.toString() : o;
    }

    /** The field's type as pyarrow prints it. */
    static String pyarrow(Field f) {
        ArrowType t = f.getType();
        if (t instanceof ArrowType.Int i) {
            return (i.getIsSigned() ? "int" : "uint") + i.getBitWidth();
        }
        if (t instanceof ArrowType.FloatingPoint fp) {
            return switch (fp.getPrecision()) {
                case HALF -> "float16";
                case SINGLE -> "float";
                case DOUBLE -> "double";
            };
        }
        if (t instanceof ArrowType.Decimal d) {
            return "decimal" + d.getBitWidth() + "(" + d.getPrecision() + ", " + d.getScale() + ")";
        }
        if (t instanceof ArrowType.Timestamp ts) {
            return "timestamp[" + unit(ts.getUnit()) + (ts.getTimezone() == null ? "" : ", tz=" + ts.getTimezone())
                    + "]";
        }
        if (t instanceof ArrowType.Time tm) {
            return "time" + tm.getBitWidth() + "[" + unit(tm.getUnit()) + "]";
        }
        if (t instanceof ArrowType.List) {
            return "list<item: " + pyarrow(f.getChildren().get(0)) + ">";
        }
        if (t instanceof ArrowType.Struct) {
            return "struct<" + String.join(", ", f.getChildren().stream().map(c -> c.getName() + ": " + pyarrow(c))
                    .toList()) + ">";
        }
        if (t instanceof ArrowType.Map) {
            List<Field> kv = f.getChildren().get(0).getChildren();
            return "map<" + pyarrow(kv.get(0)) + ", " + pyarrow(kv.get(1)) + ">";
        }
        return switch (t.getTypeID()) {
            case Bool -> "bool";
            case Utf8 -> "string";
            case Binary -> "binary";
            case Date -> "date32[day]";
            case Null -> "null";
            default -> t.toString();
        };
    }

    private static String unit(org.apache.arrow.vector.types.TimeUnit unit) {
        return switch (unit) {
            case SECOND -> "s";
            case MILLISECOND -> "ms";
            case MICROSECOND -> "us";
            case NANOSECOND -> "ns";
        };
    }
}

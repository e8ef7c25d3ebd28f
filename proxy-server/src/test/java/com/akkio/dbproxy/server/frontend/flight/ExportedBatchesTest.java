package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBResultSet;
import org.junit.jupiter.api.Test;

/**
 * DuckDB's own Arrow export put into the schema the Flight front end declares: the columns DuckDB exports in another
 * type arrive converted exactly (extreme values, nulls), and a column with no exact conversion is refused, never sent
 * in a type other than the declared one. Against DuckDB itself, in process.
 */
class ExportedBatchesTest {
    private static Field field(String name, ArrowType type, Field... children) {
        return new Field(name, FieldType.nullable(type), children.length == 0 ? null : List.of(children));
    }

    /** The rows of {@code sql} as DuckDB exports them, put into {@code declared}, as Arrow's Java objects. */
    private static List<List<Object>> export(String sql, Schema declared) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement p = c.prepareStatement(sql);
             ResultSet rs = p.executeQuery();
             BufferAllocator allocator = new RootAllocator();
             ArrowReader reader = (ArrowReader) rs.unwrap(DuckDBResultSet.class).arrowExportStream(allocator, 4096);
             VectorSchemaRoot root = VectorSchemaRoot.create(declared, allocator)) {
            ExportedBatches batches = ExportedBatches.plan(reader.getVectorSchemaRoot(), root, reader);
            while (reader.loadNextBatch()) {
                batches.copy(reader.getVectorSchemaRoot(), root, reader.getVectorSchemaRoot().getRowCount());
                assertThat(root.getSchema()).isEqualTo(declared);
                for (int r = 0; r < root.getRowCount(); r++) {
                    List<Object> row = new ArrayList<>();
                    for (int col = 0; col < root.getFieldVectors().size(); col++) {
                        Object value = root.getVector(col).getObject(r);
                        row.add(value == null ? null : value instanceof BigDecimal || value instanceof Number
                                || value instanceof Boolean ? value : value.toString());
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    @Test
    void columnsDuckDbExportsInAnotherTypeArriveInTheDeclaredTypeWithEveryValueExact() throws Exception {
        Schema declared = new Schema(List.of(
                field("u8", new ArrowType.Int(16, true)),
                field("u32", new ArrowType.Int(64, true)),
                field("u64", new ArrowType.Decimal(20, 0, 128)),
                field("huge", new ArrowType.Decimal(39, 0, 256)),
                field("uhuge", new ArrowType.Decimal(39, 0, 256)),
                field("t", new ArrowType.Time(TimeUnit.NANOSECOND, 64)),
                field("ts_s", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
                field("tstz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                field("mood", ArrowType.Utf8.INSTANCE),
                field("arr", ArrowType.List.INSTANCE, field("item", new ArrowType.Int(32, true))),
                field("d", new ArrowType.Date(DateUnit.DAY))));
        String values = "SELECT * FROM (VALUES"
                + " (255::UTINYINT, 4294967295::UINTEGER, 18446744073709551615::UBIGINT,"
                + "  '-170141183460469231731687303715884105728'::HUGEINT, 340282366920938463463374607431768211455::UHUGEINT,"
                + "  TIME '23:59:59.999999', '2262-04-11 23:47:16'::TIMESTAMP_S, '2024-07-01 05:30:00.5+05:30'::TIMESTAMPTZ,"
                + "  'happy'::ENUM('sad', 'happy'), [NULL, -1, 2147483647]::INTEGER[3], DATE '1969-12-31'),"
                + " (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)) t ORDER BY 1 NULLS LAST";
        List<List<Object>> rows = export(values, declared);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactly((short) 255, 4294967295L, new BigDecimal("18446744073709551615"),
                new BigDecimal("-170141183460469231731687303715884105728"),
                new BigDecimal("340282366920938463463374607431768211455"), 86_399_999_999_000L,
                "2262-04-11T23:47:16", 1719792000500000L, "happy", "[null,-1,2147483647]", -1);
        assertThat(rows.get(1)).containsOnlyNulls();
    }

    @Test
    void aColumnWithNoExactConversionIsRefusedRatherThanSentInAnotherType() {
        // nanoseconds into microseconds would drop digits
        Schema declared = new Schema(List.of(field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
        assertThatThrownBy(() -> export("SELECT '1969-12-31 23:59:59.999999999'::TIMESTAMP_NS AS ts", declared))
                .isInstanceOfSatisfying(ProxyError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DATA_EXCEPTION);
                    assertThat(e.getMessage()).contains("column 1 (ts)");
                });
    }
}

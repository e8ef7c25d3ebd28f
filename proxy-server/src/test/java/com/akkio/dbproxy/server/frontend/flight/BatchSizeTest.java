package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Result batches are sized by the bytes their rows take in Arrow, estimated from the declared schema. */
class BatchSizeTest {
    private static final long DEFAULT_STREAM = 256L << 20;

    private static Field column(String name, ArrowType type) {
        return Field.nullable(name, type);
    }

    private static final Field BIGINT = column("i", new ArrowType.Int(64, true));
    private static final Field DOUBLE = column("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
    private static final Field DECIMAL = column("amount", new ArrowType.Decimal(18, 2, 128));
    private static final Field VARCHAR = column("label", ArrowType.Utf8.INSTANCE);
    private static final Field TIMESTAMP = column("at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null));

    @Test
    void fixedWidthColumnsCountTheirBytesAndAValidityBitExactly() {
        assertThat(BatchSize.width(List.of(BIGINT))).isEqualTo(8.125);
        assertThat(BatchSize.width(List.of(DECIMAL))).isEqualTo(16.125);
        assertThat(BatchSize.width(List.of(column("b", ArrowType.Bool.INSTANCE)))).isEqualTo(0.25);
        assertThat(BatchSize.width(List.of(column("d", new ArrowType.Decimal(60, 0, 256))))).isEqualTo(32.125);
        assertThat(BatchSize.width(List.of(BIGINT, DOUBLE, TIMESTAMP))).isEqualTo(3 * 8.125);
    }

    @Test
    void variableWidthValuesCountTheirOffsetAndTheStatedGuess() {
        assertThat(BatchSize.width(List.of(VARCHAR))).isEqualTo(0.125 + 4 + BatchSize.VARIABLE_BYTES);
        Field list = new Field("l", FieldType.nullable(new ArrowType.List()), List.of(BIGINT));
        assertThat(BatchSize.width(List.of(list))).isEqualTo(0.125 + 4 + BatchSize.LIST_ITEMS * 8.125);
        Field struct = new Field("s", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(BIGINT, VARCHAR));
        assertThat(BatchSize.width(List.of(struct))).isEqualTo(0.125 + 8.125 + 0.125 + 4 + BatchSize.VARIABLE_BYTES);
    }

    @Test
    void aNarrowResultGetsTheMostRowsABatchMayHold() {
        assertThat(BatchSize.rows(new Schema(List.of(BIGINT)), DEFAULT_STREAM)).isEqualTo(BatchSize.MAX_ROWS)
                .isEqualTo(65_536);
    }

    @Test
    void aWiderResultGetsTheRowsThatFillTheByteBudgetInWholeDuckDbVectors() {
        Schema five = new Schema(List.of(BIGINT, DOUBLE, DECIMAL, VARCHAR, TIMESTAMP));
        int rows = BatchSize.rows(five, DEFAULT_STREAM);
        assertThat(rows % BatchSize.VECTOR_ROWS).isZero();
        assertThat(rows * BatchSize.width(five.getFields())).isLessThanOrEqualTo(BatchSize.BUDGET_BYTES)
                .isGreaterThan(BatchSize.BUDGET_BYTES - BatchSize.VECTOR_ROWS * BatchSize.width(five.getFields()));
        assertThat(rows).isEqualTo(26_624);
    }

    @Test
    void aVeryWideResultStillGetsOneWholeVector() {
        List<Field> many = java.util.stream.IntStream.range(0, 2000).mapToObj(i -> column("c" + i,
                ArrowType.Utf8.INSTANCE)).toList();
        assertThat(BatchSize.rows(new Schema(many), DEFAULT_STREAM)).isEqualTo(BatchSize.VECTOR_ROWS);
    }

    @Test
    void aSmallStreamLimitShrinksTheBudgetToAnEighthOfIt() {
        Schema five = new Schema(List.of(BIGINT, DOUBLE, DECIMAL, VARCHAR, TIMESTAMP));
        int rows = BatchSize.rows(five, 4L << 20);
        assertThat(rows * BatchSize.width(five.getFields())).isLessThanOrEqualTo((4L << 20) / 8);
        assertThat(rows).isLessThan(BatchSize.rows(five, DEFAULT_STREAM)).isEqualTo(6144);
    }

    @Test
    void theRowPathFetchesFewerRowsThanTheExportForTheJavaObjectsItHolds() {
        Schema five = new Schema(List.of(BIGINT, DOUBLE, DECIMAL, VARCHAR, TIMESTAMP));
        assertThat(BatchSize.rowPathRows(five, DEFAULT_STREAM)).isEqualTo(6144)
                .isLessThan(BatchSize.rows(five, DEFAULT_STREAM));
        assertThat(BatchSize.rowPathRows(new Schema(List.of(BIGINT)), DEFAULT_STREAM)).isEqualTo(63_488);
    }
}

package com.akkio.dbproxy.server.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.calcite.avatica.ColumnMetaData;
import org.junit.jupiter.api.Test;

class ValueTypeTest {
    private static ColumnMetaData column(ValueType t) {
        return new ColumnMetaData(0, false, false, false, false, 1, t.signed(), 0, "c", "c", null, t.precision(),
                t.scale(), null, null, t.avaticaType(), true, false, false, t.javaClassName());
    }

    @Test
    void everyKindSurvivesTheTripThroughAnAvaticaSignature() {
        List<ValueType> types = List.of(ValueType.of(ValueType.Kind.BOOLEAN, "BOOLEAN"),
                ValueType.of(ValueType.Kind.TINYINT, "TINYINT"), ValueType.of(ValueType.Kind.SMALLINT, "UTINYINT"),
                ValueType.of(ValueType.Kind.INTEGER, "INTEGER"), ValueType.of(ValueType.Kind.BIGINT, "BIGINT"),
                new ValueType(ValueType.Kind.DECIMAL, "HUGEINT", 39, 0, null),
                ValueType.of(ValueType.Kind.REAL, "FLOAT"), ValueType.of(ValueType.Kind.DOUBLE, "DOUBLE"),
                ValueType.of(ValueType.Kind.TEXT, "VARCHAR"), ValueType.of(ValueType.Kind.BINARY, "BLOB"),
                ValueType.of(ValueType.Kind.BITS, "BIT"), ValueType.of(ValueType.Kind.DATE, "DATE"),
                new ValueType(ValueType.Kind.TIME, "TIME", 6, 0, null),
                new ValueType(ValueType.Kind.TIME_TZ, "TIME WITH TIME ZONE", 6, 0, null),
                new ValueType(ValueType.Kind.TIMESTAMP, "TIMESTAMP_NS", 9, 0, null),
                new ValueType(ValueType.Kind.TIMESTAMP_TZ, "TIMESTAMP WITH TIME ZONE", 6, 0, null),
                ValueType.of(ValueType.Kind.INTERVAL, "INTERVAL"), ValueType.of(ValueType.Kind.UUID, "UUID"),
                ValueType.of(ValueType.Kind.JSON, "STRUCT(id INTEGER, n VARCHAR)"),
                ValueType.of(ValueType.Kind.JSON, "MAP(VARCHAR, INTEGER)"), ValueType.of(ValueType.Kind.JSON, "JSON"),
                ValueType.array("INTEGER[]", ValueType.of(ValueType.Kind.INTEGER, "INTEGER")),
                ValueType.array("INTEGER[][]", ValueType.array("INTEGER[]",
                        ValueType.of(ValueType.Kind.INTEGER, "INTEGER"))),
                ValueType.of(ValueType.Kind.NULL, "VOID"));
        assertThat(types.stream().map(t -> t.kind()).distinct()).hasSize(ValueType.Kind.values().length);
        for (ValueType t : types) {
            assertThat(ValueType.of(column(t))).as(t.name()).isEqualTo(t);
        }
    }

    @Test
    void kindsThatShareAJdbcTypeCannotTakeEachOthersNames() {
        assertThatThrownBy(() -> ValueType.of(ValueType.Kind.JSON, "UUID"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ValueType.of(ValueType.Kind.JSON, "INTERVAL DAY"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ValueType.of(ValueType.Kind.TEXT, "BIT")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ValueType.of(ValueType.Kind.ARRAY, "INTEGER[]"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void arrayElementsOfFixedWidthTypesAreBoxedSoThatANullElementFits() {
        ColumnMetaData.ArrayType array = (ColumnMetaData.ArrayType) ValueType.array("INTEGER[]",
                ValueType.of(ValueType.Kind.INTEGER, "INTEGER")).avaticaType();
        assertThat(array.getComponent().rep).isEqualTo(ColumnMetaData.Rep.INTEGER);
        assertThat(ValueType.of(ValueType.Kind.INTEGER, "INTEGER").avaticaType().rep)
                .isEqualTo(ColumnMetaData.Rep.PRIMITIVE_INT);
    }

    @Test
    void sqlTextTrimsTheFractionAndWritesOffsetsAsDuckDbAndPostgresqlDo() {
        assertThat(SqlText.of(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 500_000_000)))
                .isEqualTo("2024-02-29 12:34:56.5");
        assertThat(SqlText.of(LocalDateTime.of(2024, 2, 29, 12, 34, 56, 123_456_789)))
                .isEqualTo("2024-02-29 12:34:56.123456789");
        assertThat(SqlText.of(LocalTime.of(0, 0))).isEqualTo("00:00:00");
        assertThat(SqlText.of(OffsetDateTime.of(2024, 7, 1, 5, 30, 0, 500_000_000,
                ZoneOffset.ofHoursMinutes(5, 30)))).isEqualTo("2024-07-01 00:00:00.5+00");
        assertThat(SqlText.of(OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30))))
                .isEqualTo("12:00:00+05:30");
        assertThat(SqlText.of(OffsetTime.of(0, 0, 0, 0, ZoneOffset.ofHours(-8)))).isEqualTo("00:00:00-08");
        assertThat(SqlText.of(LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
        assertThat(SqlText.of(LocalDateTime.of(0, 1, 1, 0, 0))).isEqualTo("0001-01-01 00:00:00 BC");
    }
}

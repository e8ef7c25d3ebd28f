package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.akkio.dbproxy.server.types.ValueType;

import org.apache.calcite.avatica.remote.TypedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Wire encodings against PostgreSQL's own (numeric's base-10000 form, the 2000-01-01 epoch, float text). */
class PgTypeTest {
    private static String text(PgType t, Object v) {
        return new String(t.encode(v, false), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.00", "1", "-1", "12345.6789", "0.0001", "-0.05", "10000", "100000000",
            "123456789012345678901234567890.123456789", "1E+5", "-99999999.99"})
    void numericBinaryRoundTrips(String value) {
        BigDecimal d = new BigDecimal(value);
        byte[] wire = PgType.numericBinary(d);
        BigDecimal back = PgType.numericFromBinary(ByteBuffer.wrap(wire));
        assertThat(back).isEqualByComparingTo(d);
        assertThat(back.scale()).isEqualTo(Math.max(0, d.scale()));
    }

    @Test
    void numericBinaryMatchesPostgres() {
        // SELECT numeric_send(12345.678): ndigits 3, weight 1, sign 0, dscale 3, digits 1 2345 6780
        assertThat(PgType.numericBinary(new BigDecimal("12345.678"))).containsExactly(
                0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c);
        // -0.05: ndigits 1, weight -1, sign 0x4000, dscale 2, digits 500
        assertThat(PgType.numericBinary(new BigDecimal("-0.05"))).containsExactly(
                0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0x01, 0xf4);
    }

    @Test
    void datesAndTimestampsUseThe2000EpochAndCarryMicroseconds() {
        assertThat(PgType.DATE.encode(LocalDate.of(2000, 1, 2), true)).containsExactly(0, 0, 0, 1);
        assertThat(text(PgType.DATE, LocalDate.of(2000, 1, 2))).isEqualTo("2000-01-02");
        LocalDateTime t = LocalDateTime.of(2000, 1, 1, 0, 0, 1, 500_001_999);
        assertThat(ByteBuffer.wrap(PgType.TIMESTAMP.encode(t, true)).getLong()).isEqualTo(1_500_001);
        assertThat(text(PgType.TIMESTAMP, t)).as("nanoseconds cut to PostgreSQL's microseconds")
                .isEqualTo("2000-01-01 00:00:01.500001");
        assertThat(ByteBuffer.wrap(PgType.TIMESTAMPTZ.encode(OffsetDateTime.of(2000, 1, 1, 2, 0, 0, 0,
                ZoneOffset.ofHours(2)), true)).getLong()).as("the instant").isZero();
        assertThat(text(PgType.TIMESTAMPTZ, OffsetDateTime.of(2000, 1, 1, 2, 0, 0, 0, ZoneOffset.ofHours(2))))
                .isEqualTo("2000-01-01 00:00:00+00");
        assertThat(text(PgType.TIME, LocalTime.of(1, 2, 3, 4_000))).isEqualTo("01:02:03.000004");
    }

    @Test
    void zonedTimesUuidsAndBitStringsHavePostgresqlsEncodings() {
        OffsetTime tz = OffsetTime.of(12, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30));
        assertThat(text(PgType.TIMETZ, tz)).isEqualTo("12:00:00+05:30");
        ByteBuffer b = ByteBuffer.wrap(PgType.TIMETZ.encode(tz, true));
        assertThat(b.getLong()).isEqualTo(43_200_000_000L);
        assertThat(b.getInt()).as("seconds west of UTC").isEqualTo(-19_800);
        UUID u = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(ByteBuffer.wrap(PgType.UUID.encode(u, true)).getLong()).isEqualTo(u.getMostSignificantBits());
        // SELECT varbit_send(B'101010101'): 9 bits, then 1010 1010 and 1000 0000
        assertThat(PgType.VARBIT.encode("101010101", true)).containsExactly(0, 0, 0, 9, 0xaa, 0x80);
    }

    @Test
    void aListIsAnArrayOfItsElementsTypeInPostgresqlsTextAndBinaryForms() {
        List<Object> list = Arrays.asList(1, null, 3);
        assertThat(text(PgType.INT4_ARRAY, list)).isEqualTo("{1,NULL,3}");
        assertThat(text(PgType.VARCHAR_ARRAY, Arrays.asList("a", "b c", "", "NULL", "q\"u\\o", null)))
                .isEqualTo("{a,\"b c\",\"\",\"NULL\",\"q\\\"u\\\\o\",NULL}");
        ByteBuffer b = ByteBuffer.wrap(PgType.INT4_ARRAY.encode(list, true));
        // ndim 1, has nulls, int4, 3 elements from 1; then 1, NULL, 3
        int[] ints = new int[10];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = b.getInt();
        }
        assertThat(ints).containsExactly(1, 1, 23, 3, 1, 4, 1, -1, 4, 3);
        assertThat(b.hasRemaining()).isFalse();
        assertThat(PgType.INT4_ARRAY.encode(List.of(), true)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23);
        assertThat(text(PgType.JSON, List.of(List.of(1, 2), List.of()))).isEqualTo("[[1,2],[]]");
    }

    @Test
    void everyKindHasAPostgresqlType() {
        assertThat(PgType.of(ValueType.of(ValueType.Kind.JSON, "STRUCT(a INTEGER)"))).isEqualTo(PgType.JSON);
        assertThat(PgType.of(ValueType.array("INTEGER[]", ValueType.of(ValueType.Kind.INTEGER, "INTEGER"))))
                .isEqualTo(PgType.INT4_ARRAY);
        assertThat(PgType.of(ValueType.array("STRUCT(a INTEGER)[]", ValueType.of(ValueType.Kind.JSON, "STRUCT"))))
                .isEqualTo(PgType.JSON_ARRAY);
        assertThat(PgType.of(ValueType.array("INTEGER[][]", ValueType.array("INTEGER[]",
                ValueType.of(ValueType.Kind.INTEGER, "INTEGER"))))).as("ragged lists fit no array").isEqualTo(
                PgType.JSON);
        assertThat(PgType.of(ValueType.of(ValueType.Kind.INTERVAL, "INTERVAL"))).as("pgjdbc cannot look interval up")
                .isEqualTo(PgType.TEXT);
        for (ValueType.Kind kind : ValueType.Kind.values()) {
            if (kind != ValueType.Kind.ARRAY) {
                String name = switch (kind) {
                    case UUID -> "UUID";
                    case INTERVAL -> "INTERVAL";
                    case BITS -> "BIT";
                    default -> kind.name();
                };
                assertThat(PgType.of(ValueType.of(kind, name))).as(kind.name()).isNotNull();
            }
        }
    }

    @Test
    void textFormsAreThoseOfPostgres() {
        assertThat(text(PgType.BOOL, true)).isEqualTo("t");
        assertThat(text(PgType.FLOAT8, 3.0)).isEqualTo("3");
        assertThat(text(PgType.FLOAT8, 1e20)).isEqualTo("1e+20");
        assertThat(text(PgType.FLOAT8, 1.5e-7)).isEqualTo("1.5e-07");
        assertThat(text(PgType.FLOAT8, Double.NaN)).isEqualTo("NaN");
        assertThat(text(PgType.FLOAT4, Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(text(PgType.BYTEA, new byte[] {1, (byte) 0xab})).isEqualTo("\\x01ab");
        assertThat(text(PgType.NUMERIC, new BigDecimal("1E+3"))).isEqualTo("1000");
    }

    @Test
    void jdbcTypesMapToPostgresTypes() {
        assertThat(PgType.ofJdbc(Types.BIGINT)).isEqualTo(PgType.INT8);
        assertThat(PgType.ofJdbc(Types.DECIMAL)).isEqualTo(PgType.NUMERIC);
        assertThat(PgType.ofJdbc(Types.VARCHAR)).isEqualTo(PgType.VARCHAR);
        assertThat(PgType.ofJdbc(Types.TIMESTAMP)).isEqualTo(PgType.TIMESTAMP);
        assertThat(PgType.ofJdbc(Types.STRUCT)).isEqualTo(PgType.TEXT);
    }

    @Test
    void parametersDecodeFromTextAndBinary() {
        assertThat(PgType.INT8.parameter("42".getBytes(StandardCharsets.UTF_8), false).value).isEqualTo(42L);
        assertThat(PgType.INT4.parameter(new byte[] {0, 0, 1, 0}, true).value).isEqualTo(256);
        assertThat(PgType.BOOL.parameter("on".getBytes(StandardCharsets.UTF_8), false).value).isEqualTo(true);
        assertThat(PgType.NUMERIC.parameter(PgType.numericBinary(new BigDecimal("-1234.50")), true).value)
                .isEqualTo(new BigDecimal("-1234.50"));
        assertThat(PgType.DATE.parameter(new byte[] {0, 0, 0, 1}, true).value).isEqualTo(10958);
        assertThat(PgType.TIMESTAMP.parameter("2000-01-01 00:00:01.5".getBytes(StandardCharsets.UTF_8), false)
                .value).isEqualTo(946_684_801_500L);
        assertThat(PgType.TIMESTAMPTZ.parameter("2000-01-01 02:00:00+02".getBytes(StandardCharsets.UTF_8), false)
                .value).isEqualTo(946_684_800_000L);
        assertThat(PgType.TEXT.parameter(null, false)).isSameAs(TypedValue.EXPLICIT_NULL);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PgType.INT4.parameter(new byte[] {0, 1}, true))
                .hasMessageContaining("4 bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PgType.INT8.parameter("x1".getBytes(
                StandardCharsets.UTF_8), false)).isInstanceOf(NumberFormatException.class);
    }
}

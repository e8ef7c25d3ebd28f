package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Types;

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
    void datesAndTimestampsUseThe2000Epoch() {
        // Avatica hands DATE as days since 1970 and TIMESTAMP as milliseconds since 1970 UTC
        int days2000 = 10957;
        assertThat(PgType.DATE.encode(days2000 + 1, true)).containsExactly(0, 0, 0, 1);
        assertThat(text(PgType.DATE, days2000 + 1)).isEqualTo("2000-01-02");
        long ms = 946_684_800_000L + 1_500;
        assertThat(ByteBuffer.wrap(PgType.TIMESTAMP.encode(ms, true)).getLong()).isEqualTo(1_500_000);
        assertThat(text(PgType.TIMESTAMP, ms)).isEqualTo("2000-01-01 00:00:01.5");
        assertThat(text(PgType.TIME, 3_723_000)).isEqualTo("01:02:03");
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

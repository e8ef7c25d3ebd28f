package com.akkio.dbproxy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class ZonedAndBinaryValuesTest {
    /** One column of JDBC type {@code type} whose value Avatica's client reads as {@code text} or {@code bytes}. */
    private static ResultSet column(int type, String text, byte[] bytes) {
        ResultSetMetaData md = (ResultSetMetaData) Proxy.newProxyInstance(ResultSetMetaData.class.getClassLoader(),
                new Class<?>[] {ResultSetMetaData.class}, (p, m, a) -> m.getName().equals("getColumnType") ? type
                        : null);
        return (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getMetaData" -> md;
                    case "getString" -> text;
                    case "getBytes" -> bytes;
                    case "findColumn" -> 1;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static Object call(ResultSet rs, String method, Object... args) throws Exception {
        Class<?>[] types = new Class<?>[args.length];
        for (int i = 0; i < args.length; i++) {
            types[i] = args[i] instanceof Integer ? int.class : args[i] instanceof Class ? Class.class : String.class;
        }
        return ZonedAndBinaryValues.answer(rs, ResultSet.class.getMethod(method, types), args);
    }

    @Test
    void aTimestampWithTimeZoneIsAnOffsetDateTimeAndItsTimestampIsTheInstant() throws Exception {
        ResultSet rs = column(Types.TIMESTAMP_WITH_TIMEZONE, "2024-02-29 12:34:56.123456+00", null);
        OffsetDateTime expected = OffsetDateTime.of(2024, 2, 29, 12, 34, 56, 123_456_000, ZoneOffset.UTC);
        assertThat(call(rs, "getObject", 1)).isEqualTo(expected);
        assertThat(call(rs, "getObject", "c")).isEqualTo(expected);
        assertThat(call(rs, "getObject", 1, Instant.class)).isEqualTo(expected.toInstant());
        assertThat(call(rs, "getTimestamp", 1)).isEqualTo(Timestamp.from(expected.toInstant()));
        assertThat(call(rs, "getString", 1)).isSameAs(ZonedAndBinaryValues.AVATICA);
        assertThat(call(column(Types.TIMESTAMP_WITH_TIMEZONE, "0044-03-15 00:00:00+00 BC", null), "getObject", 1))
                .isEqualTo(OffsetDateTime.of(-43, 3, 15, 0, 0, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void offsetsAreReadInEveryFormTheBackendsWrite() throws Exception {
        assertThat(call(column(Types.TIME_WITH_TIMEZONE, "12:34:56.5+05:30", null), "getObject", 1))
                .isEqualTo(OffsetTime.of(12, 34, 56, 500_000_000, ZoneOffset.ofHoursMinutes(5, 30)));
        assertThat(call(column(Types.TIME_WITH_TIMEZONE, "00:00:00-08", null), "getObject", 1))
                .isEqualTo(OffsetTime.of(0, 0, 0, 0, ZoneOffset.ofHours(-8)));
        assertThatThrownBy(() -> call(column(Types.TIMESTAMP_WITH_TIMEZONE, "yesterday", null), "getObject", 1))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22007"));
    }

    @Test
    void binaryTextIsHexAsPostgresqlWritesByteaAndOtherCallsGoToAvatica() throws Exception {
        assertThat(call(column(Types.VARBINARY, null, new byte[] {(byte) 0xAA, 0}), "getString", 1))
                .isEqualTo("\\xaa00");
        assertThat(call(column(Types.VARBINARY, null, null), "getString", 1)).isNull();
        assertThat(call(column(Types.VARCHAR, "x", null), "getObject", 1)).isSameAs(ZonedAndBinaryValues.AVATICA);
        assertThat(call(column(Types.TIMESTAMP_WITH_TIMEZONE, null, null), "getObject", 1)).isNull();
    }
}

package com.akkio.dbproxy.jdbc;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;

/**
 * Where Avatica's client falls short of JDBC for values the proxy sends: it has no {@code getObject} for TIMESTAMP
 * WITH TIME ZONE and TIME WITH TIME ZONE columns ("not implemented"), which the proxy sends as their SQL text
 * ({@code 2024-02-29 12:34:56.123456+00}) so that they keep their microseconds and their instant; and
 * {@code getString} of a binary column decodes the bytes as UTF-8 (protobuf) or fails (JSON). Here those calls get
 * what JDBC 4.2 specifies: {@link OffsetDateTime} and {@link OffsetTime} objects, the instant as a
 * {@link Timestamp}, and binary text as PostgreSQL writes bytea ({@code \xaa00}). Every other call goes to Avatica.
 */
final class ZonedAndBinaryValues {
    /** DuckDB's and PostgreSQL's text of a zoned value: {@code +00}, {@code +05:30}, also with seconds. */
    private static final DateTimeFormatter OFFSET = new DateTimeFormatterBuilder().appendOffset("+HH:mm:ss", "+00")
            .toFormatter();
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .append(OFFSET).toFormatter();
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_TIME).append(OFFSET).toFormatter();

    /** What {@link #answer} returns when Avatica's own answer is the right one. */
    static final Object AVATICA = new Object();

    private ZonedAndBinaryValues() {
    }

    /** The answer to {@code method} on {@code rs}, or {@link #AVATICA}. */
    static Object answer(ResultSet rs, Method method, Object[] args) throws SQLException {
        String name = method.getName();
        if (args == null || args.length == 0 || !(name.equals("getObject") || name.equals("getTimestamp")
                || name.equals("getString"))) {
            return AVATICA;
        }
        int column = args[0] instanceof Integer i ? i : rs.findColumn((String) args[0]);
        int type = rs.getMetaData().getColumnType(column);
        if (name.equals("getString")) {
            if (type != Types.BINARY && type != Types.VARBINARY && type != Types.LONGVARBINARY) {
                return AVATICA;
            }
            byte[] bytes = rs.getBytes(column);
            return bytes == null ? null : "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (type != Types.TIMESTAMP_WITH_TIMEZONE && type != Types.TIME_WITH_TIMEZONE) {
            return AVATICA;
        }
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        Class<?> wanted = args.length == 2 && args[1] instanceof Class<?> c ? c : null;
        if (type == Types.TIME_WITH_TIMEZONE) {
            if (name.equals("getObject") && (wanted == null || wanted == OffsetTime.class || wanted == Object.class)) {
                return OffsetTime.parse(text, TIME);
            }
            return wanted == String.class ? text : AVATICA;
        }
        OffsetDateTime instant = timestamp(text);
        if (name.equals("getTimestamp")) {
            return Timestamp.from(instant.toInstant());
        }
        if (wanted == null || wanted == OffsetDateTime.class || wanted == Object.class) {
            return instant;
        }
        if (wanted == Instant.class) {
            return instant.toInstant();
        }
        if (wanted == ZonedDateTime.class) {
            return instant.toZonedDateTime();
        }
        if (wanted == Timestamp.class) {
            return Timestamp.from(instant.toInstant());
        }
        return wanted == String.class ? text : AVATICA;
    }

    /** {@code 2024-02-29 12:34:56.123456+00}, and {@code … BC} for years before 1. */
    private static OffsetDateTime timestamp(String text) throws SQLException {
        try {
            if (text.endsWith(" BC")) {
                OffsetDateTime t = OffsetDateTime.parse(text.substring(0, text.length() - 3), TIMESTAMP);
                return t.with(LocalDate.from(t).withYear(1 - t.getYear()));
            }
            return OffsetDateTime.parse(text, TIMESTAMP);
        } catch (DateTimeParseException e) {
            throw new SQLException("not a timestamp with time zone: " + text, "22007", e);
        }
    }
}

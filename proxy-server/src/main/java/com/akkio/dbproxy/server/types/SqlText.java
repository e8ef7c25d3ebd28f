package com.akkio.dbproxy.server.types;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * The SQL text of date and time values as DuckDB and PostgreSQL both print them ({@code 2024-02-29 12:34:56.5},
 * seconds' fraction without trailing zeros, offsets as {@code +00} or {@code +05:30}), so that a value sent as text
 * reads as the backend would print it. Years before 1 are written {@code 0044-03-15 BC} (PostgreSQL's form).
 */
public final class SqlText {
    private SqlText() {
    }

    /** The SQL text of a date, time or timestamp (zoned or not), and {@code String.valueOf} of anything else. */
    public static String of(Object value) {
        StringBuilder out = new StringBuilder(32);
        if (value instanceof LocalDateTime t) {
            dateTime(out, t);
        } else if (value instanceof LocalDate d) {
            date(out, d);
        } else if (value instanceof LocalTime t) {
            time(out, t);
        } else if (value instanceof OffsetTime t) {
            time(out, t.toLocalTime());
            offset(out, t.getOffset());
        } else if (value instanceof OffsetDateTime t) {
            // an instant, as printed in a session whose time zone is UTC (…+00)
            dateTime(out, t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
            offset(out, ZoneOffset.UTC);
        } else {
            return String.valueOf(value);
        }
        return out.toString();
    }

    private static void dateTime(StringBuilder out, LocalDateTime t) {
        dayOf(out, t.toLocalDate());
        time(out.append(' '), t.toLocalTime());
        era(out, t.getYear());
    }

    private static void date(StringBuilder out, LocalDate d) {
        dayOf(out, d);
        era(out, d.getYear());
    }

    /** The calendar day, with the year counted from 1 BC backwards for years before 1 (ISO's year 0 is 1 BC). */
    private static void dayOf(StringBuilder out, LocalDate d) {
        int year = d.getYear();
        pad(out, year <= 0 ? 1 - year : year, 4).append('-');
        pad(out, d.getMonthValue(), 2).append('-');
        pad(out, d.getDayOfMonth(), 2);
    }

    private static void era(StringBuilder out, int year) {
        if (year <= 0) {
            out.append(" BC");
        }
    }

    private static void time(StringBuilder out, LocalTime t) {
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2);
        fraction(out, t.getNano());
    }

    /** {@code .5}, {@code .123456}, {@code .123456789}; nothing for whole seconds. */
    public static void fraction(StringBuilder out, int nanos) {
        if (nanos == 0) {
            return;
        }
        String digits = Integer.toString(1_000_000_000 + nanos).substring(1);
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        out.append('.').append(digits, 0, end);
    }

    private static void offset(StringBuilder out, ZoneOffset offset) {
        int seconds = offset.getTotalSeconds();
        int abs = Math.abs(seconds);
        out.append(seconds < 0 ? '-' : '+');
        pad(out, abs / 3600, 2);
        if (abs % 3600 != 0) {
            pad(out.append(':'), abs / 60 % 60, 2);
        }
        if (abs % 60 != 0) {
            pad(out.append(':'), abs % 60, 2);
        }
    }

    private static StringBuilder pad(StringBuilder out, int n, int width) {
        String s = Integer.toString(n);
        for (int i = s.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(s);
    }
}

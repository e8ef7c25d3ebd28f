package com.akkio.dbproxy.server.types;

/**
 * An interval as PostgreSQL and DuckDB keep one: months, days and microseconds, each with its own sign (a month is
 * not a number of days, nor a day a number of hours across a daylight-saving change), and the backend's own text of
 * it, which front ends that carry intervals as text send unchanged.
 */
public record Interval(int months, int days, long micros, String text) {
    private static final long MICROS_PER_HOUR = 3_600_000_000L;

    /**
     * PostgreSQL's text of the interval ({@code IntervalStyle} postgres, the only one the front end speaks), as
     * PostgreSQL's {@code EncodeInterval} writes it: {@code 1 year 2 mons 3 days 04:05:06.789}, {@code -1 mons},
     * {@code -1 days +01:00:00} (a field after a negative one shows its plus sign), {@code 00:00:00}.
     */
    public String postgresText() {
        StringBuilder out = new StringBuilder();
        boolean before = false;
        before = unit(out, months / 12, "year", before);
        before = unit(out, months % 12, "mon", before);
        before = unit(out, days, "day", before);
        if (micros != 0 || out.length() == 0) {
            long abs = Math.abs(micros);
            out.append(out.length() > 0 ? " " : "").append(micros < 0 ? "-" : before ? "+" : "")
                    .append(String.format(java.util.Locale.ROOT, "%02d:%02d:%02d", abs / MICROS_PER_HOUR,
                            abs / 60_000_000 % 60, abs / 1_000_000 % 60));
            SqlText.fraction(out, (int) (abs % 1_000_000) * 1000);
        }
        return out.toString();
    }

    private static boolean unit(StringBuilder out, int n, String unit, boolean before) {
        if (n == 0) {
            return before;
        }
        out.append(out.length() > 0 ? " " : "").append(before && n > 0 ? "+" : "").append(n).append(' ')
                .append(unit).append(n == 1 ? "" : "s");
        return n < 0;
    }

    /**
     * Reads DuckDB's text of an interval ({@code 1 year 2 months 3 days 04:05:06.789}, {@code -1 day -00:00:01}),
     * which is what its JDBC driver hands over.
     */
    public static Interval parseDuckDb(String text) {
        int months = 0;
        int days = 0;
        long micros = 0;
        String[] words = text.strip().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.contains(":")) {
                micros += timeMicros(w);
                continue;
            }
            long n = Long.parseLong(w);
            String unit = i + 1 < words.length ? words[++i].toLowerCase(java.util.Locale.ROOT) : "";
            if (unit.startsWith("year")) {
                months = Math.addExact(months, Math.toIntExact(n * 12));
            } else if (unit.startsWith("mon")) {
                months = Math.addExact(months, Math.toIntExact(n));
            } else if (unit.startsWith("day")) {
                days = Math.addExact(days, Math.toIntExact(n));
            } else {
                throw new IllegalArgumentException("not an interval: " + text);
            }
        }
        return new Interval(months, days, micros, text);
    }

    /** {@code [-]HH:MM:SS[.ffffff]}. */
    private static long timeMicros(String hms) {
        boolean negative = hms.startsWith("-");
        String[] parts = (negative ? hms.substring(1) : hms).split(":");
        long hours = Long.parseLong(parts[0]);
        long minutes = Long.parseLong(parts[1]);
        String[] seconds = parts[2].split("\\.");
        long micros = Long.parseLong(seconds[0]) * 1_000_000L;
        if (seconds.length > 1) {
            micros += Long.parseLong((seconds[1] + "000000").substring(0, 6));
        }
        long total = hours * MICROS_PER_HOUR + minutes * 60_000_000L + micros;
        return negative ? -total : total;
    }
}

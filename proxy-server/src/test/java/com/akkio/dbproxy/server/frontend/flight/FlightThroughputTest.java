package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.SqlStates;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1M-row result through each way in, in one run, printed as a table with ratios (no timing assertions: the figures
 * depend on the machine): direct DuckDB JDBC, the proxy's Avatica front end (the client jar), its PostgreSQL front end
 * (pgjdbc, streaming with a fetch size) and its Flight SQL front end (Arrow's client). Every client reads every value.
 * A benchmark more than a test: tagged slow. {@code -Dakkio.flightbench.rows=N} changes the row count.
 */
@LiveServerTest
@SlowTest
class FlightThroughputTest {
    private static final int ROWS = Integer.getInteger("akkio.flightbench.rows", 1_000_000);
    private static final String[] WORKLOADS = {
        "SELECT i FROM range(" + ROWS + ") t(i)",
        "SELECT i, i * 0.25 AS x, CAST(i AS DECIMAL(18, 2)) AS amount, 'row ' || i AS label,"
                + " TIMESTAMP '2025-01-01' + to_seconds(i) AS at FROM range(" + ROWS + ") t(i)",
    };

    @Test
    void printRowsPerSecondOfEveryWayIn(@TempDir Path dir) throws Exception {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%n| %,d rows | direct DuckDB JDBC |"
                + " Avatica (client jar) | PostgreSQL wire | Flight SQL | Flight / Avatica | Flight / pg |"
                + " Flight / direct |%n|---|---:|---:|---:|---:|---:|---:|---:|%n", ROWS));
        try (DemoProxy proxy = DemoProxy.builder().unthrottled()
                     .config(d -> FlightFixture.demoWithPolicyLine(d, "max_rows", "max_rows: " + ROWS, "acme"))
                     .start(dir);
             Connection direct = DriverManager.getConnection("jdbc:duckdb:");
             Connection avatica = proxy.acme();
             Connection pg = SqlStates.connect("jdbc:postgresql://127.0.0.1:" + proxy.pgPort()
                     + "/main?sslmode=disable&defaultRowFetchSize=10000", DemoProxy.credentials("acme",
                     "acme-secret"));
             FlightFixture client = FlightFixture.connect(proxy)) {
            pg.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
            FlightSqlClient flight = client.sql;
            CallOption acme = client.login("acme");
            long peakDirect = 0;
            for (String sql : WORKLOADS) {
                for (int warm = 0; warm < 2; warm++) {
                    jdbc(direct, sql);
                    jdbc(avatica, sql);
                    jdbc(pg, sql);
                    flight(flight, acme, sql);
                }
                double d = jdbc(direct, sql);
                double a = jdbc(avatica, sql);
                double p = jdbc(pg, sql);
                double f = flight(flight, acme, sql);
                peakDirect = Math.max(peakDirect, directMemory());
                table.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f | %,.0f | %.1f | %.1f | %.2f |%n",
                        sql.contains("label") ? "5 columns" : "1 column", d, a, p, f, f / a, f / p, f / d));
            }
            table.append(String.format(Locale.ROOT, "%nrows/s; direct (NIO) memory in use after the Flight runs:"
                    + " %,d KiB; Arrow allocator of the test's client: %,d KiB peak%n", peakDirect >> 10,
                    client.allocator.getPeakMemoryAllocation() >> 10));
        }
        System.out.println(table);
    }

    private static long directMemory() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    /** Rows per second of one run, reading every value. */
    private static double jdbc(Connection c, String sql) throws SQLException {
        long start = System.nanoTime();
        long rows = 0;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(10_000);
            try (ResultSet rs = s.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int col = 1; col <= columns; col++) {
                        rs.getObject(col);
                    }
                    rows++;
                }
            }
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
        assertThat(rows).isEqualTo(ROWS);
        return rows / ((System.nanoTime() - start) / 1e9);
    }

    private static double flight(FlightSqlClient sql, CallOption acme, String query) throws Exception {
        long start = System.nanoTime();
        long rows = 0;
        try (FlightStream s = sql.getStream(sql.execute(query, acme).getEndpoints().get(0).getTicket(), acme)) {
            while (s.next()) {
                int n = s.getRoot().getRowCount();
                for (FieldVector v : s.getRoot().getFieldVectors()) {
                    for (int i = 0; i < n; i++) {
                        v.getObject(i);
                    }
                }
                rows += n;
            }
        }
        assertThat(rows).isEqualTo(ROWS);
        return rows / ((System.nanoTime() - start) / 1e9);
    }
}

package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same statements through both front ends of one proxy, one client each, printed as a table (no timing
 * assertions: the figures depend on the machine). {@code -Dakkio.pgbench.scale=N} repeats everything N times more.
 * A benchmark more than a test (it checks only that every row arrives): tagged slow, it runs with {@code mvn verify}
 * or {@code -Pslow}, never in the unit tier; the README's front-end comparison quotes its table.
 */
@LiveServerTest
@SlowTest
class PgVsAvaticaThroughputTest {
    private static final int SCALE = Integer.getInteger("akkio.pgbench.scale", 1);

    private record Workload(String name, String sql, int rounds, long rowsEach) {
    }

    @Test
    void printThroughputOfBothFrontEnds(@TempDir Path dir) throws Exception {
        Workload[] workloads = {
            new Workload("small query (count)", "SELECT count(*) FROM orders", 200 * SCALE, 1),
            new Workload("1,000 rows x 5 columns", "SELECT * FROM orders", 30 * SCALE, 1000),
            new Workload("100,000 rows x 1 column", "SELECT * FROM range(100000)", 3 * SCALE, 100_000),
        };
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%n| workload | Avatica (protobuf) | PostgreSQL wire | pg / Avatica |%n|---|---:|---:|---:|%n"));
        try (DemoProxy proxy = PgDemo.builder(200_000).start(dir);
             Connection avatica = proxy.acme();
             Connection pg = PgDemo.connect(proxy, "acme", "acme-secret", "")) {
            for (Workload w : workloads) {
                run(avatica, w, Math.max(1, w.rounds() / 10)); // warm-up
                run(pg, w, Math.max(1, w.rounds() / 10));
                double a = run(avatica, w, w.rounds());
                double p = run(pg, w, w.rounds());
                String unit = w.rowsEach() == 1 ? "queries/s" : "rows/s";
                double aRate = w.rowsEach() == 1 ? a : a * w.rowsEach();
                double pRate = w.rowsEach() == 1 ? p : p * w.rowsEach();
                table.append(String.format(Locale.ROOT, "| %s | %,.0f %s | %,.0f %s | %.2f |%n", w.name(), aRate,
                        unit, pRate, unit, p / a));
            }
        }
        System.out.println(table);
    }

    /** Runs the workload {@code rounds} times, reading every value; returns statements per second. */
    private static double run(Connection c, Workload w, int rounds) throws SQLException {
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            long rows = 0;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(w.sql())) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int col = 1; col <= columns; col++) {
                        rs.getObject(col);
                    }
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(w.rowsEach());
        }
        return rounds / ((System.nanoTime() - start) / 1e9);
    }
}

package com.akkio.dbproxy.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.backend.DuckDbTypes;
import com.akkio.dbproxy.server.backend.ResultFrames;
import com.akkio.dbproxy.server.frontend.avatica.AvaticaValues;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.jdbc.PlainAvaticaFrames;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the proxy's Avatica value conversion costs against plain Avatica's, per 100-row frame of a wide typed row (12
 * columns: the integers, DECIMAL, REAL, DOUBLE, BOOLEAN, VARCHAR, DATE, TIME, TIMESTAMP; every tenth row NULLs), as a
 * fetch builds it: the proxy reads each value through its backend type mapping ({@code ResultFrames.frame} with
 * {@code DuckDbTypes}) and puts it in Avatica's wire form ({@code AvaticaValues.encode}); the baseline is what a plain
 * Avatica server ({@code JdbcMeta}) does with the same result, {@code JdbcResultSet.frame} with its per-JDBC-type
 * getters. "Whole frame" adds the protobuf encoding ({@code Frame.toProto().toByteArray()}, what a protobuf server
 * sends). Every frame comes from one materialized DuckDB result of the rows repeated, so (but for one frame in
 * 20,000) no query runs in the measured operations; {@code iterate} ({@code next()} over 100 rows, no value read) is what reading the result costs either
 * way, and is subtracted from both before the ratios. Only types plain Avatica can send are in the row: it cannot carry
 * a BLOB, HUGEINT, UUID, lists, structs or maps at all ("Unhandled type in Frame"), so there is no baseline for them.
 *
 * <p>Run: {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.ValueConversionBenchmark} (JMH
 * options may follow); it prints each time and the ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx1g")
public class ValueConversionBenchmark {
    static final int ROWS = 100;
    static final int COLUMNS = 12;
    private Connection duckdb;
    private Statement query;
    private ResultSet rs;
    private long offset;

    @Setup(Level.Trial)
    public void open() throws SQLException {
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = duckdb.createStatement()) {
            // a result DuckDB spills goes to the system's temporary directory, not .tmp/ in the working directory
            s.execute("SET temp_directory = '" + Path.of(System.getProperty("java.io.tmpdir"), "akkio-bench-duckdb")
                    + "'");
            s.execute("CREATE TABLE wide AS SELECT"
                    + " CASE WHEN i % 10 = 0 THEN NULL ELSE i END::TINYINT AS c_tinyint,"
                    + " (i * 7)::SMALLINT AS c_smallint, i * 1000 AS c_integer, i::BIGINT * 1000000007 AS c_bigint,"
                    + " CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.25 END::DECIMAL(18, 6) AS c_decimal,"
                    + " (i / 3)::REAL AS c_real, i / 7.0 AS c_double, i % 2 = 0 AS c_boolean,"
                    + " CASE WHEN i % 10 = 0 THEN NULL ELSE 'customer-' || i END AS c_varchar,"
                    + " DATE '2024-01-01' + i::INTEGER AS c_date,"
                    + " TIME '12:00:00' + INTERVAL (i) SECOND AS c_time,"
                    + " CASE WHEN i % 10 = 0 THEN NULL ELSE TIMESTAMP '2024-02-29 12:34:56.123456' + INTERVAL (i) MINUTE"
                    + " END AS c_timestamp FROM range(1, " + (ROWS + 1) + ") t(i)");
        }
        query = duckdb.createStatement();
        reopen();
    }

    /**
     * The rows repeated, materialized (DuckDB computes the whole result at once, so reading it is only moving along
     * its vectors), and run again whenever the frames reach its end (every 20,000 frames).
     */
    private void reopen() throws SQLException {
        if (rs != null) {
            rs.close();
        }
        rs = query.executeQuery("SELECT wide.* FROM range(20000), wide");
        offset = 0;
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        rs.close();
        query.close();
        duckdb.close();
    }

    @Benchmark
    public int iterate() throws SQLException {
        int rows = 0;
        while (rows < ROWS && rs.next()) {
            rows++;
        }
        return next(rows);
    }

    @Benchmark
    public Meta.Frame plainAvatica() throws SQLException {
        return plainFrame();
    }

    @Benchmark
    public Meta.Frame proxy() throws SQLException {
        return proxyFrame();
    }

    @Benchmark
    public byte[] plainAvaticaWholeFrame() throws SQLException {
        return plainFrame().toProto().toByteArray();
    }

    @Benchmark
    public byte[] proxyWholeFrame() throws SQLException {
        return proxyFrame().toProto().toByteArray();
    }

    private Meta.Frame plainFrame() throws SQLException {
        Meta.Frame frame = PlainAvaticaFrames.frame(rs, offset, ROWS);
        next(frame.done ? 0 : ROWS);
        return frame;
    }

    /** The proxy's frame: its values through DuckDB's type mapping ({@code left}: no row cap), encoded for Avatica. */
    private Meta.Frame proxyFrame() throws SQLException {
        Meta.Frame frame = AvaticaValues.encode(ResultFrames.frame(null, rs, offset, ROWS, Long.MAX_VALUE,
                DuckDbTypes.INSTANCE));
        next(frame.done ? 0 : ROWS);
        return frame;
    }

    private int next(int rows) throws SQLException {
        offset += rows;
        if (rows < ROWS) {
            reopen();
        }
        return rows;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Double> us = JmhScores.run(ValueConversionBenchmark.class, args);
        double base = us.get("iterate");
        System.out.println();
        System.out.printf(Locale.ROOT, "next() alone: %.1f µs per %d-row frame%n", base, ROWS);
        for (String[] pair : new String[][] {{"proxy", "plainAvatica"}, {"proxyWholeFrame", "plainAvaticaWholeFrame"}}) {
            double proxy = us.get(pair[0]) - base;
            double plain = us.get(pair[1]) - base;
            System.out.printf(Locale.ROOT, "%-24s proxy %.1f µs, plain Avatica %.1f µs, ratio %.2f"
                            + " (%.0f ns against %.0f ns a value); with next(): ratio %.2f%n",
                    pair[0].equals("proxy") ? "values read and encoded:" : "whole frame (protobuf):", proxy, plain,
                    proxy / plain, proxy * 1000 / (ROWS * COLUMNS), plain * 1000 / (ROWS * COLUMNS),
                    us.get(pair[0]) / us.get(pair[1]));
        }
    }
}

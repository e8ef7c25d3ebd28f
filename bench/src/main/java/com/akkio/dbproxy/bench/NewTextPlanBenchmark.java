package com.akkio.dbproxy.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.backend.DuckDbBackends;
import org.duckdb.DuckDBConnection;
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
 * What a backend connection's handling of a statement's plan costs DuckDB when every text is new (the harness's
 * new-shape workload: the analytics join with a new alias each time, as the proxy sends it for the demo tenant), on one connection of the
 * demo data: {@code plainExecute} is what plain Avatica does ({@code Statement.execute(sql)}); {@code prepareAndKeep}
 * is what {@code KeptPlans} does: it keeps the statement open for its text, 32 per connection, closing the least
 * recently used; {@code prepareAndClose} prepares, runs and closes the statement at once, the alternative for texts
 * that never come again (measured slower: kept plans stayed the rule for new texts too); {@code tenantTextExecute} is
 * what plain Avatica runs in the harness, the tenant's text without the rewrite's quoted physical names and row cap
 * (what the rewrite itself costs DuckDB). All read every row.
 *
 * <p>Run: {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.NewTextPlanBenchmark} (JMH options may
 * follow); it prints each time and the ratios to {@code plainExecute}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx1g")
public class NewTextPlanBenchmark {
    private static final int KEPT = 32;
    /** The alias number of the template's text: each benchmarked text puts its own in its place. */
    private static final long MARK = 987_654_321L;

    private DuckDBConnection root;
    private Connection connection;
    private Statement statement;
    private final ArrayDeque<PreparedStatement> kept = new ArrayDeque<>();
    /** The new-shape text as the proxy's policy engine rewrites it, its alias {@link #MARK} to be replaced. */
    private String rewrittenTemplate;
    private long n;

    @Setup(Level.Trial)
    public void open() throws Exception {
        root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        DuckDbBackends.runScript(root, Path.of("conf/demo-seed.sql"));
        try (Statement s = root.createStatement()) {
            s.execute("SET threads = 1"); // the ratio of one query's work, not of the scheduler's
        }
        connection = root.duplicate();
        statement = connection.createStatement();
        rewrittenTemplate = ServerLoadHarness.rewrittenForAcme(ServerLoadHarness.NEW_NAME.apply(MARK));
        if (rewrittenTemplate.indexOf("n" + MARK) != rewrittenTemplate.lastIndexOf("n" + MARK)
                || !rewrittenTemplate.contains("n" + MARK)) {
            throw new IllegalStateException("the rewrite does not hold the alias once: " + rewrittenTemplate);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        for (PreparedStatement p : kept) {
            p.close();
        }
        statement.close();
        connection.close();
        root.close();
    }

    /** A new text as the proxy sends it for the demo tenant (from the engine's rewrite of the template). */
    private String next() {
        return rewrittenTemplate.replace("n" + MARK, "n" + n++);
    }

    private static int read(ResultSet rs) throws SQLException {
        int rows = 0;
        try (rs) {
            while (rs.next()) {
                rs.getObject(1);
                rows++;
            }
        }
        return rows;
    }

    @Benchmark
    public int plainExecute() throws SQLException {
        statement.execute(next());
        return read(statement.getResultSet());
    }

    @Benchmark
    public int tenantTextExecute() throws SQLException {
        statement.execute(ServerLoadHarness.NEW_NAME.apply(n++));
        return read(statement.getResultSet());
    }

    @Benchmark
    public int prepareAndClose() throws SQLException {
        try (PreparedStatement p = connection.prepareStatement(next())) {
            p.execute();
            return read(p.getResultSet());
        }
    }

    @Benchmark
    public int prepareAndKeep() throws SQLException {
        PreparedStatement p = connection.prepareStatement(next());
        p.execute();
        int rows = read(p.getResultSet());
        p.clearParameters();
        kept.addLast(p);
        if (kept.size() > KEPT) {
            kept.removeFirst().close();
        }
        return rows;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Double> us = JmhScores.run(NewTextPlanBenchmark.class, args);
        double plain = us.get("plainExecute");
        System.out.println();
        for (String name : new String[] {"tenantTextExecute", "prepareAndClose", "prepareAndKeep"}) {
            System.out.printf(Locale.ROOT, "%-16s %.0f µs per new text, %.2f× plain Avatica's execute (%.0f µs)%n",
                    name, us.get(name), us.get(name) / plain, plain);
        }
    }
}

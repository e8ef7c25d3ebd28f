package com.akkio.dbproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PolicyEngine#decide} on TPC-DS queries in Spark SQL (from the shared corpus) for a Databricks tenant, never
 * from the decision memo: every call parses the query and its rewrite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TpcdsPolicyBenchmark {
    @Param({"q1", "q4", "q14a", "q23a", "q64", "q72"})
    public String query;

    private final PolicyEngine engine = new PolicyEngine();
    private TenantPolicy policy;
    private String sql;

    @Setup(Level.Trial)
    public void setUp() {
        policy = TenantPolicy.builder("analyst").dialect(Dialect.DATABRICKS).defaultCatalog("tpcds_prod")
                .defaultSchema("sf1").read("tpcds_prod.sf1.*").allow(StatementKind.QUERY).maxRows(1000)
                .decisionCache(0).build();
        sql = read(corpus().resolve(query + ".sql"));
        Decision d = engine.decide(policy, sql);
        if (!d.isAllowed()) {
            throw new IllegalStateException(query + " is not allowed: " + d);
        }
    }

    static Path corpus() {
        String configured = System.getProperty("akkio.tpcds", System.getenv("AKKIO_TPCDS"));
        for (String candidate : configured == null
                ? List.of("../shared/corpus/tpcds-spark", "../../shared/corpus/tpcds-spark")
                : List.of(configured)) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("TPC-DS corpus not found; set -Dakkio.tpcds=DIR or AKKIO_TPCDS");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public Decision decide() {
        return engine.decide(policy, sql);
    }
}

package com.akkio.dbproxy.bench;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link PolicyEngine#decide} on small analytics statements, sampled so the report has percentiles. "cold" decides a
 * text the policy has not seen in any form (the decision memo is switched off: every call parses twice); "repeated"
 * decides a text again, as applications and BI tools do, and is served from the memo; "newLiteral" decides a text
 * never seen before that differs from earlier ones only in a literal, as an application that fills values into its SQL
 * sends it, and is served from the shape's template.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PolicyEngineBenchmark {
    static final String SMALL_ANALYTICS = "SELECT c.country_code, count(*) AS orders, sum(o.amount) AS revenue"
            + " FROM main.sales.orders o JOIN customers c ON o.customer_id = c.customer_id"
            + " WHERE o.ordered_at >= TIMESTAMP '2025-01-01' GROUP BY c.country_code ORDER BY revenue DESC";
    static final String TINY = "SELECT * FROM orders WHERE customer_id = ?";
    static final String CROSS_TENANT = "SELECT * FROM orders o JOIN globex_prod.sales.orders g USING (order_id)";

    /** Databricks SQL JSqlParser reads only through the analysis text (DatabricksSyntax): ANTI JOIN, TABLESAMPLE. */
    static final String DATABRICKS_ANALYST = "SELECT c.country_code, count(*) AS n FROM customers c"
            + " LEFT ANTI JOIN main.sales.orders TABLESAMPLE (10 PERCENT) o ON o.customer_id = c.customer_id"
            + " GROUP BY c.country_code SORT BY n DESC";

    private final PolicyEngine engine = new PolicyEngine();
    private TenantPolicy acmeDatabricksCold;
    private TenantPolicy acmeCold;
    private TenantPolicy acmeRepeated;
    private TenantPolicy acmeNewLiterals;
    private TenantPolicy acmeNewShapes;
    private TenantPolicy acmeNewNames;
    private long literal;
    private long alias;
    private long name;

    @Setup(Level.Trial)
    public void setUp() {
        acmeCold = acme().decisionCache(0).build();
        acmeDatabricksCold = acme().dialect(Dialect.DATABRICKS).decisionCache(0).build();
        acmeRepeated = acme().build();
        acmeNewLiterals = acme().build();
        acmeNewShapes = acme().build();
        acmeNewNames = acme().build();
    }

    private static TenantPolicy.Builder acme() {
        return TenantPolicy.builder("acme").dialect(Dialect.DUCKDB).defaultCatalog("acme_prod").defaultSchema("sales")
                .mapCatalog("main", "acme_prod").read("acme_prod.sales.*").read("shared_ref.geo.*")
                .write("acme_prod.akkio_out.*").allow(StatementKind.QUERY, StatementKind.INSERT).maxRows(10_000);
    }

    @Benchmark
    public Decision smallAnalyticsCold() {
        return engine.decide(acmeCold, SMALL_ANALYTICS);
    }

    /**
     * The small join with a table alias no earlier statement had, as the server harness's new-shape workload sends it:
     * a first-time decision that also meets a word it has not seen (until 2026-12-08 a new column alias, which is now
     * a slot of the shape: {@link #smallAnalyticsNewName}).
     */
    @Benchmark
    public Decision smallAnalyticsNewShape() {
        String table = "o" + ++alias;
        return engine.decide(acmeNewShapes, SMALL_ANALYTICS.replace(" o ", " " + table + " ")
                .replace("o.", table + "."));
    }

    /** The small join with a result column's name no earlier statement had: decided from the shape's template. */
    @Benchmark
    public Decision smallAnalyticsNewName() {
        return engine.decide(acmeNewNames, SMALL_ANALYTICS.replace("AS orders,", "AS orders" + ++name + ","));
    }

    @Benchmark
    public Decision smallAnalyticsRepeated() {
        return engine.decide(acmeRepeated, SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision smallAnalyticsNewLiteral() {
        return engine.decide(acmeNewLiterals, SMALL_ANALYTICS.replace(" GROUP BY",
                " AND o.order_id <> " + ++literal + " GROUP BY"));
    }

    @Benchmark
    public Decision tinyPreparedCold() {
        return engine.decide(acmeCold, TINY);
    }

    /** The small analytics query for a Databricks tenant: parsed in its analysis text, rewritten name by name. */
    @Benchmark
    public Decision smallAnalyticsColdDatabricks() {
        return engine.decide(acmeDatabricksCold, SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision analystConstructsColdDatabricks() {
        return engine.decide(acmeDatabricksCold, DATABRICKS_ANALYST);
    }

    @Benchmark
    public Decision crossTenantDenialCold() {
        return engine.decide(acmeCold, CROSS_TENANT);
    }
}

package com.akkio.dbproxy.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.policy.DataMask;
import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TableColumns;
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
 * What row filters and column masks cost a decision (issue 24): the demo's analytics query decided the first time
 * (no memo) and repeated, for the same tenant with and without a row filter on orders and masks on customers (the
 * views' text is built once per column list and kept, so the added work is putting views in place and verifying
 * them). Ratios: README, Benchmarks, and bench/README.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RowPolicyBenchmark {
    private static final TableColumns COLUMNS = new TableColumns() {
        @Override
        public List<String> columns(QualifiedName table) {
            return table.table().equals("orders")
                    ? List.of("order_id", "customer_id", "amount", "ordered_at", "tenant_tag")
                    : List.of("customer_id", "name", "country_code", "tenant_tag");
        }

        @Override
        public long version() {
            return 1;
        }
    };

    private final PolicyEngine engine = new PolicyEngine();
    private TenantPolicy plainCold;
    private TenantPolicy governedCold;
    private TenantPolicy plainRepeated;
    private TenantPolicy governedRepeated;
    private TenantPolicy governedDatabricksCold;
    private TenantPolicy plainDatabricksCold;

    @Setup(Level.Trial)
    public void setUp() {
        plainCold = acme(Dialect.DUCKDB, false).decisionCache(0).build();
        governedCold = acme(Dialect.DUCKDB, true).decisionCache(0).build();
        plainRepeated = acme(Dialect.DUCKDB, false).build();
        governedRepeated = acme(Dialect.DUCKDB, true).build();
        plainDatabricksCold = acme(Dialect.DATABRICKS, false).decisionCache(0).build();
        governedDatabricksCold = acme(Dialect.DATABRICKS, true).decisionCache(0).build();
        for (TenantPolicy p : List.of(plainCold, governedCold, plainRepeated, governedRepeated, plainDatabricksCold,
                governedDatabricksCold)) {
            p.useColumns(COLUMNS);
            if (!engine.decide(p, PolicyEngineBenchmark.SMALL_ANALYTICS).isAllowed()) {
                throw new IllegalStateException("the benchmark's query is denied");
            }
        }
    }

    static TenantPolicy.Builder acme(Dialect dialect, boolean governed) {
        TenantPolicy.Builder b = TenantPolicy.builder("acme").dialect(dialect).defaultCatalog("acme_prod")
                .defaultSchema("sales").mapCatalog("main", "acme_prod").read("acme_prod.sales.*")
                .allow(StatementKind.QUERY).maxRows(10_000);
        if (governed) {
            b.rowFilter("main.sales.orders", "amount >= 10 AND tenant_tag = :tenant")
                    .rowFilter("main.sales.customers", "country_code IN ('US', 'GB', 'DE')")
                    .mask("main.sales.customers", "name", DataMask.named("hash"))
                    .mask("main.sales.customers", "country_code", DataMask.named("show_first_1"))
                    .maskSalt("bench-salt-0123456789abcdef");
        }
        return b;
    }

    @Benchmark
    public Decision withoutFiltersCold() {
        return engine.decide(plainCold, PolicyEngineBenchmark.SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision withFiltersAndMasksCold() {
        return engine.decide(governedCold, PolicyEngineBenchmark.SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision withoutFiltersRepeated() {
        return engine.decide(plainRepeated, PolicyEngineBenchmark.SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision withFiltersAndMasksRepeated() {
        return engine.decide(governedRepeated, PolicyEngineBenchmark.SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision withoutFiltersColdDatabricks() {
        return engine.decide(plainDatabricksCold, PolicyEngineBenchmark.SMALL_ANALYTICS);
    }

    @Benchmark
    public Decision withFiltersAndMasksColdDatabricks() {
        return engine.decide(governedDatabricksCold, PolicyEngineBenchmark.SMALL_ANALYTICS);
    }
}

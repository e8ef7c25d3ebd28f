package com.akkio.dbproxy.server.admin;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import com.akkio.dbproxy.policy.DecisionSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The proxy's metrics, in Prometheus form: statements by tenant, decision and code, latencies, pools, audit. */
public final class ProxyMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter authenticationFailures = Counter.builder("akkio_authentication_failures")
            .description("requests refused for missing or wrong credentials").register(registry);
    private final Counter auditWriteFailures = Counter.builder("akkio_audit_write_failures")
            .description("audit records that could not be written").register(registry);
    private final Timer auditWrites = Timer.builder("akkio_audit_write").description("time to hand one audit record"
            + " to the kernel").publishPercentiles(0.5, 0.99).register(registry);
    private final Timer policyDecisions = Timer.builder("akkio_policy_decision").description("time the policy took"
            + " to decide one statement (from the memo, a template or in full: akkio_policy_decisions counts them)")
            .publishPercentiles(0.5, 0.99).register(registry);

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Meters are looked up once per tenant and outcome, not built on every statement: building one allocates its
     * tags and searches the registry, which showed in profiles of the request path.
     */
    private final ConcurrentHashMap<StatementOutcome, Counter> statements = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();

    private record StatementOutcome(String tenant, String decision, String code) {
    }

    /** One statement finished: allowed, denied, throttled or failed. */
    public void statement(String tenant, String decision, String code, long durationNanos) {
        StatementOutcome outcome = new StatementOutcome(tenant, decision, code);
        // get first: computeIfAbsent can lock the bin even when the meter is there, and this runs per statement
        Counter counter = statements.get(outcome);
        if (counter == null) {
            counter = statements.computeIfAbsent(outcome, o -> Counter.builder("akkio_statements")
                    .description("statements by tenant, decision and code")
                    .tags("tenant", o.tenant(), "decision", o.decision(), "code", o.code()).register(registry));
        }
        counter.increment();
        if (durationNanos >= 0) {
            Timer timer = durations.get(tenant);
            if (timer == null) {
                timer = durations.computeIfAbsent(tenant, t -> Timer.builder("akkio_statement_duration")
                        .description("from receipt to last row served").tags("tenant", t)
                        .publishPercentileHistogram().register(registry));
            }
            timer.record(durationNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void authenticationFailure() {
        authenticationFailures.increment();
    }

    public void auditWrite(long nanos) {
        auditWrites.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void policyDecision(long nanos) {
        policyDecisions.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void auditWriteFailure() {
        auditWriteFailures.increment();
    }

    public void openConnections(String tenant, Supplier<Number> count) {
        Gauge.builder("akkio_open_connections", count).description("client connections open")
                .tags("tenant", tenant).register(registry);
    }

    /**
     * Shared limits of a cluster: whether Redis answers ({@code akkio_cluster_redis_up}) and how many decisions this
     * replica took on its own share of a limit because it did not.
     */
    public <T> void sharedLimits(T limits, java.util.function.Predicate<T> up, ToDoubleFunction<T> fallbacks) {
        Gauge.builder("akkio_cluster_redis_up", () -> up.test(limits) ? 1 : 0)
                .description("1 while the Redis that holds the cluster's shared limits answers").register(registry);
        // a function counter holds its object weakly: the limits themselves, which the server holds, not a supplier
        // only the meter would hold (a collection left such a counter reading 0)
        FunctionCounter.builder("akkio_cluster_limit_fallbacks", limits, fallbacks)
                .description("limit decisions taken on this replica's share because Redis did not answer")
                .register(registry);
    }

    /** Decisions by where the policy engine found them, read from the engine when scraped. */
    public void policyDecisions(ToDoubleFunction<DecisionSource> count) {
        for (DecisionSource source : DecisionSource.values()) {
            FunctionCounter.builder("akkio_policy_decisions", source, count)
                    .description("policy decisions: from the memo (same text), a template (same shape) or in full")
                    .tags("source", source.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    /** Queries of a tenant by whether their backend connection had kept a plan for the text, read when scraped. */
    public void backendPlans(String tenant, LongAdder kept, LongAdder planned) {
        // the counters themselves as the meters' objects, which a function counter holds weakly (the tenant's
        // runtime holds them), not suppliers only the meters would hold
        for (Map.Entry<String, LongAdder> plan : Map.of("kept", kept, "planned", planned).entrySet()) {
            FunctionCounter.builder("akkio_backend_plans", plan.getValue(), LongAdder::sum)
                    .description("queries run or prepared on a plan their backend connection kept for the text"
                            + " (kept) or on a new one (planned)")
                    .tags("tenant", tenant, "plan", plan.getKey()).register(registry);
        }
    }

    public String scrape() {
        return registry.scrape();
    }
}

package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.admin.ProxyMetrics;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.audit.AuditOutcome;
import com.akkio.dbproxy.server.backend.BackendErrors;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.limits.TenantLimiter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statement lifecycle on its own, without a server or a backend: decide, admit, audit, complete. */
class StatementGateTest {
    private static final ProxyConfig.Tenant ACME = demoTenant();

    private static ProxyConfig.Tenant demoTenant() {
        try {
            return ConfigLoader.load(Path.of("../conf/proxy.yaml")).tenants().get("acme");
        } catch (com.akkio.dbproxy.server.config.ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StatementGate.Context context(ProxyConfig.Limits limits) {
        TenantLimiter limiter = new TenantLimiter("acme", limits);
        return new StatementGate.Context() {
            @Override
            public String tenantName() {
                return "acme";
            }

            @Override
            public TenantPolicy policy() {
                return ACME.policy();
            }

            @Override
            public TenantLimiter limiter() {
                return limiter;
            }

            @Override
            public Caller caller() {
                return new Caller("acme", "127.0.0.1", "unit-test");
            }

            @Override
            public String backendName() {
                return "demo";
            }

            @Override
            public String warehouse() {
                return null;
            }

            @Override
            public BackendErrors backendErrors() {
                return BackendErrors.STANDARD;
            }

            @Override
            public Duration queryTimeout() {
                return Duration.ofSeconds(5);
            }
        };
    }

    private static List<String> records(Path log) throws Exception {
        return Files.readAllLines(log);
    }

    @Test
    void aDenialIsAuditedOnceAndRefusedWithItsOwnCode(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        StatementGate gate = new StatementGate(new AuditLog(log, 1 << 20, 2), new ProxyMetrics(), false);
        assertThatThrownBy(() -> gate.decide(context(ACME.limits()), "SELECT * FROM globex_prod.sales.orders"))
                .isInstanceOfSatisfying(ProxyError.class, e -> {
                    assertThat(e.getSqlState()).isEqualTo("42501");
                    assertThat(e.getErrorCode()).isEqualTo(1201);
                    assertThat(e.getMessage()).startsWith("OBJECT_NOT_READABLE: ");
                });
        assertThat(records(log)).singleElement().satisfies(r -> assertThat(r)
                .contains("\"event\":\"complete\"", "\"decision\":\"deny\"", "\"code\":\"OBJECT_NOT_READABLE\"")
                .doesNotContain("globex_prod"));
    }

    @Test
    void anAdmittedStatementIsAuditedBeforeItRunsAndCompletedAfter(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        StatementGate gate = new StatementGate(new AuditLog(log, 1 << 20, 2), new ProxyMetrics(), false);
        StatementGate.Context c = context(ACME.limits());
        Decision d = gate.decide(c, "SELECT count(*) FROM orders");
        StatementRun run = StatementRun.begin("SELECT count(*) FROM orders", d);
        try (TenantLimiter.Permit permit = gate.admit(c, List.of(run))) {
            assertThat(records(log)).singleElement().satisfies(r -> assertThat(r)
                    .contains("\"event\":\"forward\"", "\"decision\":\"allow\"", run.requestId));
            gate.complete(c, run, AuditOutcome.ALLOW, AuditOutcome.ALLOWED, 1);
        }
        assertThat(records(log)).hasSize(2).last().satisfies(r -> assertThat(r)
                .contains("\"event\":\"complete\"", "\"rows\":1", run.requestId));
    }

    @Test
    void aStatementThatCannotBeAuditedIsRefusedAndItsPermitReturned(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Files.createSymbolicLink(log, Path.of("/dev/full"));
        StatementGate gate = new StatementGate(new AuditLog(log, 1 << 20, 2), new ProxyMetrics(), false);
        StatementGate.Context c = context(new ProxyConfig.Limits(1000, 1000, 1, Duration.ofSeconds(5)));
        Decision d = gate.decide(c, "SELECT 1");
        assertThatThrownBy(() -> gate.admit(c, List.of(StatementRun.begin("SELECT 1", d))))
                .isInstanceOfSatisfying(ProxyError.class, e -> {
                    assertThat(e.getSqlState()).isEqualTo("08006");
                    assertThat(e.getErrorCode()).isEqualTo(2301);
                });
        assertThat(c.limiter().inFlight()).as("the concurrency slot is free again").isZero();
    }

    @Test
    void aThrottledStatementIsAuditedAndRefusedWithTheLimitsCode(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.jsonl");
        StatementGate gate = new StatementGate(new AuditLog(log, 1 << 20, 2), new ProxyMetrics(), false);
        StatementGate.Context c = context(new ProxyConfig.Limits(1000, 1000, 1, Duration.ofSeconds(5)));
        Decision d = gate.decide(c, "SELECT 1");
        try (TenantLimiter.Permit first = gate.admit(c, List.of(StatementRun.begin("SELECT 1", d)))) {
            assertThatThrownBy(() -> gate.admit(c, List.of(StatementRun.begin("SELECT 1", d))))
                    .isInstanceOfSatisfying(ProxyError.class, e -> {
                        assertThat(e.getSqlState()).isEqualTo("53400");
                        assertThat(e.getErrorCode()).isEqualTo(2002);
                        assertThat(e.getMessage()).startsWith("TOO_MANY_CONCURRENT: ").contains("max_concurrent");
                    });
        }
        assertThat(records(log)).filteredOn(r -> r.contains("\"decision\":\"throttled\"")).hasSize(1);
    }

    @Test
    void aBackendTimeoutNamesTheTenantsRule() {
        StatementGate gate = new StatementGate(null, new ProxyMetrics(), false);
        ProxyError e = gate.backendFailure(context(ACME.limits()),
                new RuntimeException(new java.sql.SQLTimeoutException("timed out")));
        assertThat(e.getSqlState()).isEqualTo("57014");
        assertThat(e.getErrorCode()).isEqualTo(2102);
        assertThat(e.getMessage()).isEqualTo("QUERY_TIMEOUT: the statement ran longer than tenant 'acme' allows (5 s,"
                + " rule: query_timeout_seconds) and was cancelled in the backend");
    }

    @Test
    void aBackendMessageNamesTheTenantsCatalogsByTheirLogicalNamesAndItsStatementByTheClientsText(
            @TempDir Path dir) throws Exception {
        StatementGate gate = new StatementGate(new AuditLog(dir.resolve("audit.jsonl"), 1 << 20, 2),
                new ProxyMetrics(), false);
        StatementGate.Context c = context(ACME.limits());
        String sql = "SELECT * FROM orders";
        Decision d = gate.decide(c, sql);
        java.sql.SQLException backend = new java.sql.SQLException("no table " + d.rewrittenSql() + " in ACME_PROD"
                + " (did you mean `acme_prod`.`sales`.`orders` or acme_production?)", "42P01");
        ProxyError e = gate.failed(c, List.of(StatementRun.begin(sql, d)), new RuntimeException(backend), false);
        assertThat(e.getSqlState()).as("the backend's own state").isEqualTo("42P01");
        assertThat(e.getMessage()).isEqualTo("BACKEND_ERROR: no table SELECT * FROM orders in main (did you mean"
                + " `main`.`sales`.`orders` or acme_production?)");
    }

    @Test
    void aFailurePreparingAStatementNeverShowsItsRewrite() {
        StatementGate gate = new StatementGate(null, new ProxyMetrics(), false);
        StatementGate.Context c = context(ACME.limits());
        // decided by the engine alone: the gate audits denials only, and this one is allowed
        Decision d = new com.akkio.dbproxy.policy.PolicyEngine().decide(c.policy(), "SELECT order_id FROM orders");
        ProxyError e = gate.backendFailure(c, new RuntimeException(new java.sql.SQLException("cannot prepare "
                + d.rewrittenSql())), "SELECT order_id FROM orders", d);
        assertThat(e.getMessage()).isEqualTo("BACKEND_ERROR: cannot prepare SELECT order_id FROM orders")
                .doesNotContain("acme_prod");
        assertThat(e.getSqlState()).isEqualTo("HY000");
        assertThat(e.getErrorCode()).isEqualTo(2202);
    }
}

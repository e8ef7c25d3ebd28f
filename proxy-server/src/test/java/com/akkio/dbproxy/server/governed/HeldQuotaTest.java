package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.errors.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * The check-and-cache shape both held-amount quotas share: measured only before a write that can add rows, the
 * measurement reused while fresh, counted forward by what writes add, measured again after a write of unknown effect,
 * and refused at the quota or when it cannot be measured, naming the rule.
 */
class HeldQuotaTest {
    private static final TenantPolicy POLICY = TenantPolicy.builder("acme").dialect(Dialect.DUCKDB)
            .defaultCatalog("acme_prod").defaultSchema("sales").read("acme_prod.sales.*").write("acme_prod.akkio_out.*")
            .allow(StatementKind.QUERY, StatementKind.INSERT, StatementKind.CREATE_TABLE).build();
    private final PolicyEngine engine = new PolicyEngine();
    private final AtomicLong onBackend = new AtomicLong();
    private final AtomicInteger measurements = new AtomicInteger();

    private StatementRun run(String sql) {
        Decision d = engine.decide(POLICY, sql);
        assertThat(d.isAllowed()).as(d.toString()).isTrue();
        return StatementRun.begin(sql, d);
    }

    private HeldQuota quota(long max, Duration cacheFor) {
        return new HeldQuota(max, "rows", "write_quota.max_rows", cacheFor, (policy, backend) -> {
            measurements.incrementAndGet();
            return onBackend.get();
        }, e -> "SQLSTATE " + e.getSQLState());
    }

    @Test
    void queriesAreNeverMeasuredAndAWriteIsMeasuredOnceWhileTheMeasurementIsFresh() {
        HeldQuota quota = quota(100, Duration.ofHours(1));
        quota.check("acme", POLICY, List.of(run("SELECT count(*) FROM orders")), null);
        assertThat(measurements).hasValue(0);
        StatementRun insert = run("INSERT INTO akkio_out.t VALUES (1)");
        onBackend.set(40);
        quota.check("acme", POLICY, List.of(insert), null);
        onBackend.set(99_999); // not seen while the measurement is fresh
        quota.check("acme", POLICY, List.of(insert), null);
        assertThat(measurements).hasValue(1);
    }

    @Test
    void addedRowsCountForwardUntilTheQuotaAndAnUnknownWriteHasTheNextCheckMeasure() {
        HeldQuota quota = quota(100, Duration.ofHours(1));
        StatementRun insert = run("INSERT INTO akkio_out.t VALUES (1)");
        onBackend.set(40);
        quota.check("acme", POLICY, List.of(insert), null);
        quota.add(60);
        assertThatThrownBy(() -> quota.check("acme", POLICY, List.of(insert), null))
                .isInstanceOfSatisfying(ProxyError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.WRITE_QUOTA_EXCEEDED);
                    assertThat(e.getMessage()).contains("hold 100 rows, its quota is 100 rows",
                            "(rule: write_quota.max_rows)");
                });
        onBackend.set(10);
        quota.measureAgain();
        quota.check("acme", POLICY, List.of(insert), null);
        assertThat(measurements).hasValue(2);
    }

    @Test
    void aQuotaThatCannotBeMeasuredRefusesTheWriteWithWhatTheOwnerLetsTheTenantSee() {
        HeldQuota quota = new HeldQuota(100, "bytes", "write_quota.max_bytes", Duration.ZERO, (policy, backend) -> {
            throw new SQLException("table acme_prod.akkio_out.t is not Delta", "42000");
        }, e -> "SQLSTATE " + e.getSQLState());
        assertThatThrownBy(() -> quota.check("acme", POLICY, List.of(run("INSERT INTO akkio_out.t VALUES (1)")), null))
                .isInstanceOfSatisfying(ProxyError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.WRITE_QUOTA_EXCEEDED);
                    assertThat(e.getMessage()).contains("the bytes tenant 'acme''s write-back tables hold could not"
                            + " be measured (SQLSTATE 42000)", "(rule: write_quota.max_bytes)")
                            .doesNotContain("acme_prod");
                });
    }
}

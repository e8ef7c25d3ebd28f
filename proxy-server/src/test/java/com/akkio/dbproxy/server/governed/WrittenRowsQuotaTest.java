package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;

/**
 * The Databricks write quota's arithmetic: what each write is charged, and that a write whose count is unknown fails
 * closed (charged the most it can have written).
 */
class WrittenRowsQuotaTest {
    private static final TenantPolicy POLICY = TenantPolicy.builder("acme").dialect(Dialect.DATABRICKS)
            .defaultCatalog("acme_prod").defaultSchema("sales").read("acme_prod.sales.*").write("acme_prod.akkio_out.*")
            .allow(StatementKind.QUERY, StatementKind.INSERT, StatementKind.CREATE_TABLE).maxWriteRows(100).build();
    private final PolicyEngine engine = new PolicyEngine();

    private StatementRun run(String sql) {
        Decision d = engine.decide(POLICY, sql);
        assertThat(d.isAllowed()).as(d.toString()).isTrue();
        return StatementRun.begin(sql, d);
    }

    @Test
    void reportedCountsAreChargedAndAnUnknownCountIsChargedTheMostTheWriteCanHaveWritten() {
        assertThat(WrittenRowsQuota.charge(StatementKind.INSERT, true, 42, 100)).isEqualTo(42);
        assertThat(WrittenRowsQuota.charge(StatementKind.INSERT, true, 0, 100)).isZero();
        assertThat(WrittenRowsQuota.charge(StatementKind.INSERT, true, -1, 100)).isEqualTo(100);
        assertThat(WrittenRowsQuota.charge(StatementKind.CREATE_TABLE, true, 0, 100))
                .as("a CREATE TABLE … AS reporting no rows may be a warehouse not reporting them").isEqualTo(100);
        assertThat(WrittenRowsQuota.charge(StatementKind.CREATE_TABLE, false, 0, 100))
                .as("CREATE TABLE with columns adds none").isZero();
        assertThat(WrittenRowsQuota.charge(StatementKind.MERGE, true, -1, 100)).isEqualTo(100);
        assertThat(WrittenRowsQuota.charge(StatementKind.MERGE, true, 7, 100)).isEqualTo(7);
    }

    @Test
    void writesAreRefusedOnceTheWindowHoldsTheQuotaAndQueriesNever() {
        WrittenRowsQuota quota = new WrittenRowsQuota(new ProxyConfig.WriteQuota(150, Duration.ZERO,
                Duration.ofHours(1)));
        StatementRun insert = run("INSERT INTO akkio_out.t SELECT order_id FROM orders");
        quota.check("acme", POLICY, List.of(insert), null);
        quota.written(insert, POLICY, 100);
        quota.written(run("INSERT INTO akkio_out.t VALUES (1)"), POLICY, -1);
        assertThat(quota.written()).as("a VALUES list of unknown count: the most it can have written").isEqualTo(200);
        quota.written(run("CREATE TABLE akkio_out.u AS SELECT order_id FROM orders"), POLICY, 0);
        assertThat(quota.written()).isEqualTo(300);
        assertThatThrownBy(() -> quota.check("acme", POLICY, List.of(insert), null))
                .isInstanceOfSatisfying(ProxyError.class, e -> {
                    assertThat(e.code()).isEqualTo(com.akkio.dbproxy.server.errors.ErrorCode.WRITE_QUOTA_EXCEEDED);
                    assertThat(e.getMessage()).contains("written 300 rows").contains("150 rows per 3600 s");
                });
        quota.check("acme", POLICY, List.of(run("SELECT count(*) FROM orders")), null);
    }
}

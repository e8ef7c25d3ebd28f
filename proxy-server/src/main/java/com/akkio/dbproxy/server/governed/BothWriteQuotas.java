package com.akkio.dbproxy.server.governed;

import java.util.List;

import com.akkio.dbproxy.policy.TenantPolicy;

/** Two quotas a tenant keeps at once (Databricks: rows written per window and bytes held); a write must pass both. */
record BothWriteQuotas(WriteBackQuota first, WriteBackQuota second) implements WriteBackQuota {
    @Override
    public void check(String tenant, TenantPolicy policy, List<StatementRun> runs, Backend backend) {
        first.check(tenant, policy, runs, backend);
        second.check(tenant, policy, runs, backend);
    }

    @Override
    public void written(StatementRun run, TenantPolicy policy, long rows) {
        first.written(run, policy, rows);
        second.written(run, policy, rows);
    }
}

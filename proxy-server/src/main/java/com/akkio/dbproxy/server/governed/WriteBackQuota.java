package com.akkio.dbproxy.server.governed;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import com.akkio.dbproxy.policy.TenantPolicy;

/**
 * A tenant's {@code write_quota}, as its backend lets it be kept: the rows its write-back tables hold (DuckDB,
 * {@link WriteQuota}), or the rows its writes added in a window of time (Databricks, {@link WrittenRowsQuota}).
 */
interface WriteBackQuota {
    /** A connection to the tenant's backend to measure on. */
    interface Backend {
        Connection connection() throws SQLException;
    }

    /**
     * Refuses the statements ({@link ProxyError} with {@code WRITE_QUOTA_EXCEEDED}) if one of them can add rows and
     * the quota is spent, or cannot be measured.
     */
    void check(String tenant, TenantPolicy policy, List<StatementRun> runs, Backend backend);

    /** A statement completed having reported {@code rows} (-1: unknown): what the quota counts. */
    void written(StatementRun run, TenantPolicy policy, long rows);
}

package com.akkio.dbproxy.server.governed;

import java.util.List;

import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.errors.ErrorCode;

/**
 * One tenant's {@code write_quota} on a Databricks backend: the rows its writes added in a window of
 * {@code window_seconds}, counted from the rows each write reported (the warehouse's {@code num_affected_rows}, which
 * databricks-jdbc gives as the update count). A warehouse tells a table's bytes (DESCRIBE DETAIL) but its rows only by
 * counting them, so rather than measuring what the write-back tables hold, the proxy counts what goes in. Once the
 * window's count reaches {@code max_rows}, every write that can add rows is refused until the window ends; a write is
 * checked before it runs, so one statement can end the window over the quota by at most its {@code max_write_rows}.
 *
 * <p>A write whose count is unknown fails closed. Every write adds at most {@code max_write_rows} (the write cap on its
 * query or a MERGE's source, or a VALUES list's count), so one that reports no count (negative), or 0 for a
 * CREATE TABLE … AS from a query (a count the proxy does not rely on every warehouse to report), is charged
 * {@code max_write_rows}, the most it can have written. A MERGE's count (rows inserted, updated and deleted) is charged
 * whole. Windows are fixed, each begun by the first write after the last
 * one ended; the count is this replica's own (a cluster's replicas each count their own writes).
 */
final class WrittenRowsQuota implements WriteBackQuota {
    private final ProxyConfig.WriteQuota limit;
    private long windowStartNanos;
    private long written;
    private boolean started;

    WrittenRowsQuota(ProxyConfig.WriteQuota limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void check(String tenant, TenantPolicy policy, List<StatementRun> runs, Backend backend) {
        if (runs.stream().noneMatch(r -> WriteQuota.addsRows(r.decision.kind()))) {
            return;
        }
        roll();
        if (written >= limit.maxRows()) {
            long left = Math.max(1, (window() - (System.nanoTime() - windowStartNanos)) / 1_000_000_000L);
            throw ProxyError.of(ErrorCode.WRITE_QUOTA_EXCEEDED, "tenant '" + tenant + "' has written " + written
                    + " rows to its write-back tables in this window, its quota is " + limit.maxRows() + " rows per "
                    + limit.window().toSeconds() + " s (rule: write_quota.max_rows); writes are refused for " + left
                    + " s more");
        }
    }

    @Override
    public synchronized void written(StatementRun run, TenantPolicy policy, long rows) {
        StatementKind kind = run.decision.kind();
        if (!WriteQuota.addsRows(kind)) {
            return;
        }
        roll();
        long charged = charge(kind, PolicyEngine.writeCapped(run.decision), rows, policy.maxWriteRows());
        written = saturatedAdd(written, charged);
    }

    /**
     * The rows a write is counted for.
     *
     * @param capped the write's query carries the write cap (PolicyEngine#writeCapped)
     */
    static long charge(StatementKind kind, boolean capped, long reported, long maxWriteRows) {
        boolean createAs = kind == StatementKind.CREATE_TABLE || kind == StatementKind.CREATE_OR_REPLACE;
        if (reported > 0 || reported == 0 && (!createAs || !capped)) {
            // the warehouse's count; a CREATE TABLE without a query adds no rows
            return reported;
        }
        // unknown: every write adds at most max_write_rows (the write cap, a VALUES list's count)
        return maxWriteRows;
    }

    /** The count of the current window, 0 once the last one ended. */
    synchronized long written() {
        roll();
        return written;
    }

    private void roll() {
        long now = System.nanoTime();
        if (!started || now - windowStartNanos >= window()) {
            started = true;
            windowStartNanos = now;
            written = 0;
        }
    }

    private long window() {
        return limit.window().toNanos();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}

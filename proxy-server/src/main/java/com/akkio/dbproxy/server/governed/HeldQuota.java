package com.akkio.dbproxy.server.governed;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.errors.ErrorCode;

/**
 * The check-and-cache shape of a quota on what the tenant's write-back tables hold, measured on the backend (rows on
 * DuckDB, {@link WriteQuota}; bytes on Databricks, {@link StoredBytesQuota}): before statements of which one can add
 * rows, the amount held is measured, or taken from the last measurement while it is younger than {@code cacheFor}
 * and no write has made it stale, and the write is refused with {@code WRITE_QUOTA_EXCEEDED} once the tables hold
 * {@code max}, or when the amount cannot be measured (fail closed). What is measured, and what makes a measurement
 * stale, is the owner's.
 */
final class HeldQuota {
    /** Measures the amount held on the backend. */
    interface Measure {
        long held(TenantPolicy policy, WriteBackQuota.Backend backend) throws SQLException;
    }

    private final long max;
    private final String unit;
    private final String rule;
    private final Duration cacheFor;
    private final Measure measure;
    /** What a failed measurement's message may tell the tenant (the backend's words may name physical tables). */
    private final Function<SQLException, String> failure;
    private long held;
    /** When {@link #held} was measured; 0 when it is to be measured again. */
    private long measuredAtNanos;

    HeldQuota(long max, String unit, String rule, Duration cacheFor, Measure measure,
              Function<SQLException, String> failure) {
        this.max = max;
        this.unit = unit;
        this.rule = rule;
        this.cacheFor = cacheFor;
        this.measure = measure;
        this.failure = failure;
    }

    /** Refuses the statements if one of them can add rows and the tables hold {@code max}, or cannot be measured. */
    void check(String tenant, TenantPolicy policy, List<StatementRun> runs, WriteBackQuota.Backend backend) {
        if (runs.stream().noneMatch(r -> WriteQuota.addsRows(r.decision.kind()))) {
            return;
        }
        long amount;
        try {
            amount = held(policy, backend);
        } catch (SQLException e) {
            throw ProxyError.of(ErrorCode.WRITE_QUOTA_EXCEEDED, "the " + unit + " tenant '" + tenant + "''s write-back"
                    + " tables hold could not be measured (" + failure.apply(e) + "), so the write was not run (rule: "
                    + rule + ")");
        }
        if (amount >= max) {
            throw ProxyError.of(ErrorCode.WRITE_QUOTA_EXCEEDED, "tenant '" + tenant + "''s write-back tables hold "
                    + amount + " " + unit + ", its quota is " + max + " " + unit + " (rule: " + rule + "); drop or"
                    + " empty some of them to write again");
        }
    }

    /** A write whose effect on the amount is unknown ended: the next check measures again. */
    synchronized void measureAgain() {
        measuredAtNanos = 0;
    }

    /** A write added {@code amount}: counted into the last measurement, if there is one to keep. */
    synchronized void add(long amount) {
        if (measuredAtNanos != 0) {
            held += amount;
        }
    }

    private synchronized long held(TenantPolicy policy, WriteBackQuota.Backend backend) throws SQLException {
        long now = System.nanoTime();
        if (measuredAtNanos != 0 && now - measuredAtNanos < cacheFor.toNanos()) {
            return held;
        }
        held = measure.held(policy, backend);
        measuredAtNanos = now == 0 ? 1 : now;
        return held;
    }
}

package com.akkio.dbproxy.server;

import java.time.Instant;

import com.akkio.dbproxy.server.admin.ProxyMetrics;
import com.akkio.dbproxy.server.audit.AuditEvent;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.audit.AuditOutcome;
import com.akkio.dbproxy.server.backend.WarehouseStart;

/**
 * Each wait for a starting warehouse as an audit record: event {@code warehouse_start}, the tenant whose query
 * waited, the backend and warehouse, {@code decision} {@code allow} with code {@code WAREHOUSE_STARTED}, or
 * {@code error} with {@code WAREHOUSE_NOT_STARTED} (still starting at the bound) or {@code WAREHOUSE_START_FAILED}
 * (it stopped again, or could not be asked), and {@code duration_ms} the wait. A record that cannot be written is
 * counted as any audit failure and logged by the backend; the query goes on.
 */
final class WarehouseStartRecords implements WarehouseStart.Listener {
    static final String EVENT = "warehouse_start";

    private final AuditLog audit;
    private final ProxyMetrics metrics;

    WarehouseStartRecords(AuditLog audit, ProxyMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    @Override
    public void started(WarehouseStart start) {
        boolean started = start.outcome() == WarehouseStart.Outcome.STARTED;
        String code = switch (start.outcome()) {
            case STARTED -> "WAREHOUSE_STARTED";
            case NOT_STARTED -> "WAREHOUSE_NOT_STARTED";
            case FAILED -> "WAREHOUSE_START_FAILED";
        };
        try {
            audit.write(new AuditEvent(EVENT, Instant.now(), AuditEvent.newRequestId(), start.tenant(), null,
                    start.backend(), start.warehouse(), null, null,
                    (started ? AuditOutcome.ALLOW : AuditOutcome.ERROR).wire(), code, -1, start.waited().toMillis(),
                    null, null));
        } catch (RuntimeException e) {
            metrics.auditWriteFailure();
            throw e;
        }
    }
}

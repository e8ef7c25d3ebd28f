package com.akkio.dbproxy.server.audit;

import java.time.Instant;

/**
 * One audit record. A statement that is forwarded gets two records with the same {@code requestId}: {@code forward}
 * written before the backend sees it and {@code complete} after; anything refused (denied, throttled,
 * unauthenticated, failed before forwarding) gets a single {@code complete} record. Fields that do not apply are null
 * ({@code rows} and {@code durationMs} are -1). {@code sql} is the raw text only when the deployment enables it.
 */
public record AuditEvent(
        String event,
        Instant ts,
        String requestId,
        String tenant,
        String clientAddress,
        String backend,
        String warehouseId,
        String statementType,
        String sqlSha256,
        String decision,
        String code,
        long rows,
        long durationMs,
        String userAgent,
        String sql) {

    public static final String FORWARD = "forward";
    public static final String COMPLETE = "complete";
}

package com.akkio.dbproxy.server.audit;

import java.time.Instant;

/**
 * One audit record. A statement that is forwarded gets two records with the same {@code requestId}: {@code forward}
 * written before the backend sees it and {@code complete} after; anything refused (denied, throttled,
 * unauthenticated, failed before forwarding) gets a single {@code complete} record. Fields that do not apply are null
 * ({@code rows} and {@code durationMs} are -1). {@code sql} is the raw text only when the deployment enables it.
 * {@code filtersAndMasks} names the row filters and column masks the statement was read through (never a filter's
 * text or a salt).
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
        String sql,
        java.util.List<String> filtersAndMasks) {

    /** A record of a statement that read no filtered or masked table (or of no statement). */
    public AuditEvent(String event, Instant ts, String requestId, String tenant, String clientAddress, String backend,
                      String warehouseId, String statementType, String sqlSha256, String decision, String code,
                      long rows, long durationMs, String userAgent, String sql) {
        this(event, ts, requestId, tenant, clientAddress, backend, warehouseId, statementType, sqlSha256, decision,
                code, rows, durationMs, userAgent, sql, java.util.List.of());
    }

    public AuditEvent {
        filtersAndMasks = filtersAndMasks == null ? java.util.List.of() : java.util.List.copyOf(filtersAndMasks);
    }

    public static final String FORWARD = "forward";
    public static final String COMPLETE = "complete";

    /**
     * A random (version 4) UUID naming one request. Request ids need to be unique, not unguessable, so they come
     * from the thread's own generator rather than {@code UUID.randomUUID()}'s shared, synchronised SecureRandom,
     * which every request thread would otherwise queue on.
     */
    public static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new java.util.UUID(high, low).toString();
    }
}

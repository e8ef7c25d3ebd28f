package com.akkio.dbproxy.server.governed;

import org.slf4j.MDC;

/**
 * The tenant and request id of the governed call this thread is making, in the logging MDC ({@code tenant},
 * {@code request_id}), so that a server log line can be matched to its audit record. Restores what was there before,
 * since the PostgreSQL front end's calls can nest inside an Avatica request's thread in tests.
 */
public final class LogContext implements AutoCloseable {
    public static final String TENANT = "tenant";
    public static final String REQUEST_ID = "request_id";

    private final String previousTenant;
    private final String previousRequest;

    private LogContext(String tenant, String requestId) {
        previousTenant = MDC.get(TENANT);
        previousRequest = MDC.get(REQUEST_ID);
        put(TENANT, tenant);
        put(REQUEST_ID, requestId);
    }

    /** Enters a governed call of {@code tenant}; {@code requestId} may be null outside a statement. */
    public static LogContext enter(String tenant, String requestId) {
        return new LogContext(tenant, requestId);
    }

    @Override
    public void close() {
        put(TENANT, previousTenant);
        put(REQUEST_ID, previousRequest);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}

package com.akkio.dbproxy.server.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit records of refused logins, aggregated so that a flood of them cannot flood the log: the first refusal
 * of an address claiming a tenant in an interval is written at once; further ones of the same address and tenant
 * are counted, and {@link #flush} (called every interval) writes one record for them whose {@code rows} is the count.
 * At most {@link #MAX_KEYS} addresses and tenants are tracked per interval; refusals beyond them are counted in one
 * record without address or tenant. They go to their own log (the audit log's {@code unauthenticated_path}), which
 * rotates on its own: unauthenticated traffic never pushes a tenant's records out of the audit log.
 */
public final class RefusalRecords implements java.io.Closeable {
    static final int MAX_KEYS = 1024;

    private record Key(String tenant, String address, String code) {
    }

    private static final class Pending {
        long count;
        String userAgent;
    }

    private final AuditLog log;
    private final Map<Key, Pending> interval = new LinkedHashMap<>();
    private final Pending overflow = new Pending();

    public RefusalRecords(AuditLog log) {
        this.log = log;
    }

    /** Records one refused login ({@code code}: why, e.g. AUTHENTICATION_FAILED); {@code tenant} as claimed. */
    public void refused(String tenant, String address, String userAgent, String code) {
        Key key = new Key(tenant, address, code);
        synchronized (this) {
            Pending pending = interval.get(key);
            if (pending == null && interval.size() >= MAX_KEYS) {
                overflow.count++;
                return;
            }
            if (pending != null) {
                pending.count++;
                pending.userAgent = userAgent;
                return;
            }
            interval.put(key, new Pending());
        }
        write(key, userAgent, 1);
    }

    /** Writes the counts of the interval that ends now and starts the next one. */
    public void flush() {
        Map<Key, Pending> ended;
        long overflowed;
        synchronized (this) {
            ended = new LinkedHashMap<>(interval);
            interval.clear();
            overflowed = overflow.count;
            overflow.count = 0;
        }
        ended.forEach((key, pending) -> {
            if (pending.count > 0) {
                write(key, pending.userAgent, pending.count);
            }
        });
        if (overflowed > 0) {
            write(new Key(null, null, AuditOutcome.AUTHENTICATION_FAILED), null, overflowed);
        }
    }

    /** Writes what is pending and closes the log. */
    @Override
    public void close() throws java.io.IOException {
        flush();
        log.close();
    }

    private void write(Key key, String userAgent, long count) {
        log.write(new AuditEvent(AuditEvent.COMPLETE, Instant.now(), AuditEvent.newRequestId(), key.tenant(),
                key.address(), null, null, null, null, AuditOutcome.UNAUTHENTICATED.wire(), key.code(), count, 0,
                userAgent, null));
    }
}

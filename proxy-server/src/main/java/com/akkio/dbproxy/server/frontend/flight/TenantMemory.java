package com.akkio.dbproxy.server.frontend.flight;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.memory.AllocationReservation;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flight front end's Arrow memory, bounded per tenant: each tenant has one allocator limited to
 * {@code server.flight.tenant_memory_mb}, and every result stream, metadata answer and ingest of that tenant gets a
 * child of it limited to {@code stream_memory_mb}. Arrow enforces both limits on every allocation, so one tenant's
 * many streams together cannot take more than its share of the process's direct memory, whatever the other tenants
 * do. Memory Arrow allocated elsewhere for a stream (DuckDB's exported batches, an ingest's batches as gRPC received
 * them into the server's allocator) is counted in the stream's allocator too, while the stream holds it ({@link Held}).
 */
final class TenantMemory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TenantMemory.class);

    private final BufferAllocator root;
    private final long tenantBytes;
    private final long streamBytes;
    private final ConcurrentMap<String, BufferAllocator> tenants = new ConcurrentHashMap<>();

    TenantMemory(BufferAllocator root, long tenantBytes, long streamBytes) {
        this.root = root;
        this.tenantBytes = tenantBytes;
        this.streamBytes = streamBytes;
    }

    /** A new allocator for one stream (or ingest, or metadata answer) of {@code tenant}; the caller closes it. */
    BufferAllocator stream(String tenant, String name) {
        return tenant(tenant).newChildAllocator(name, 0, streamBytes);
    }

    /** The tenant's own allocator (created on its first stream, kept while the server runs). */
    BufferAllocator tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, t -> root.newChildAllocator("flight-tenant-" + t, 0, tenantBytes));
    }

    long streamBytes() {
        return streamBytes;
    }

    /**
     * The error for an allocation that {@code stream} (an allocator of {@link #stream}) could not make, naming the
     * limit that refused it: the tenant's when it had less room left than the stream's own, else the stream's.
     * {@code what} says what needed the memory ("a batch of the result").
     */
    ProxyError exceeded(BufferAllocator stream, String what) {
        BufferAllocator tenant = stream.getParentAllocator();
        long streamRoom = stream.getLimit() - stream.getAllocatedMemory();
        if (tenant != null && tenant != root && tenant.getLimit() - tenant.getAllocatedMemory() < streamRoom) {
            return ProxyError.of(ErrorCode.TENANT_MEMORY_EXCEEDED, what + " does not fit in the "
                    + (tenant.getLimit() >> 20) + " MB of Arrow memory the tenant's Flight streams and ingests may"
                    + " hold together (rule: server.flight.tenant_memory_mb)");
        }
        return ProxyError.of(ErrorCode.STREAM_MEMORY_EXCEEDED, what + " needs more than " + (stream.getLimit() >> 20)
                + " MB (rule: server.flight.stream_memory_mb)");
    }

    @Override
    public void close() {
        for (BufferAllocator a : tenants.values()) {
            try {
                a.close();
            } catch (IllegalStateException e) {
                LOG.warn("Arrow memory of a tenant still held at shutdown: {}", e.getMessage());
            }
        }
        tenants.clear();
    }

    /**
     * Bytes a stream holds that no buffer of its allocator accounts for (Arrow allocated them in another allocator),
     * counted in the stream's allocator by a reservation, so under its limit and its tenant's, until the next
     * {@link #hold} or {@link #close}. A reservation is only accounting: when it does not fit nothing is half done.
     */
    static final class Held implements AutoCloseable {
        private final BufferAllocator allocator;
        private AllocationReservation reservation;

        Held(BufferAllocator allocator) {
            this.allocator = allocator;
        }

        /**
         * Holds {@code bytes} (rounded up to a multiple of 8) instead of what was held; false (nothing held) when the
         * limits leave no room.
         */
        boolean hold(long bytes) {
            close();
            if (bytes <= 0) {
                return true;
            }
            AllocationReservation r = allocator.newReservation();
            // a reservation rounds each amount it adds up to a power of two (at least 2): added bit by bit, it holds
            // the bytes to the next 8 (Arrow's buffers are 8-byte aligned anyway)
            for (long rest = (bytes + 7) & ~7L; rest != 0; rest &= rest - 1) {
                if (!r.add(Long.lowestOneBit(rest))) {
                    r.close();
                    return false;
                }
            }
            reservation = r;
            return true;
        }

        @Override
        public void close() {
            if (reservation != null) {
                reservation.close();
                reservation = null;
            }
        }
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import org.apache.arrow.memory.BufferAllocator;

/**
 * What the Flight SQL front end's Arrow allocator holds, read-only, for the admin metrics and the benchmarks. Its
 * root accounts every stream's batches, ingest buffers and the batches imported from the backend's own Arrow export
 * (DuckDB's memory, handed over through the C data interface, which no JVM counter sees).
 */
public final class ArrowMemory {
    private final BufferAllocator root;

    ArrowMemory(BufferAllocator root) {
        this.root = root;
    }

    /** Bytes of Arrow buffers allocated now, over every stream and tenant. */
    public long allocatedBytes() {
        return root.getAllocatedMemory();
    }

    /** The most bytes allocated at once since the front end started. */
    public long peakBytes() {
        return root.getPeakMemoryAllocation();
    }
}

package com.akkio.dbproxy.server.admin;

import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.netty.util.internal.PlatformDependent;

/**
 * Memory outside the collector's view, for operators: the JVM's buffer pools (NIO direct buffers, which Netty's
 * pooled chunks and Arrow's Netty allocator come from on Java 17 by default) and heap pools, the direct memory Netty
 * allocates without a cleaner (only when it does), and the Flight SQL front end's Arrow allocator, whose limit per
 * stream is {@code server.flight.stream_memory_mb}.
 */
public final class MemoryMetrics {
    private MemoryMetrics() {
    }

    /** The JVM's memory pools and Netty's uncleaned direct memory. */
    public static void bindJvm(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        // -1 unless Netty allocates direct memory itself (io.netty.noCleaner); that memory is in no buffer pool
        if (PlatformDependent.usedDirectMemory() >= 0) {
            Gauge.builder("akkio_netty_direct_memory_used_bytes", PlatformDependent::usedDirectMemory)
                    .description("direct memory Netty allocated outside the JVM's buffer pools").baseUnit("bytes")
                    .register(registry);
        }
    }

    /** The Flight SQL front end's Arrow allocator: bytes held now, and the most held at once since start. */
    public static void bindArrow(MeterRegistry registry, LongSupplier allocated, LongSupplier peak) {
        Gauge.builder("akkio_flight_arrow_allocated_bytes", allocated::getAsLong)
                .description("Arrow buffers the Flight SQL front end holds now (batches, ingest, imported exports)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("akkio_flight_arrow_peak_bytes", peak::getAsLong)
                .description("the most Arrow memory the Flight SQL front end held at once since start")
                .baseUnit("bytes").register(registry);
    }
}

package com.akkio.dbproxy.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.netty.util.internal.PlatformDependent;

/**
 * The peaks of a server's memory while a workload runs, sampled every {@value #PERIOD_MS} ms
 * between {@link #start} and {@link #stop} (not outside them, so that the sampling thread's CPU stays out of the
 * per-statement CPU figures):
 * <ul>
 *   <li>heap occupied, garbage included (the collector's view after each collection is {@link BenchServer}'s);</li>
 *   <li>direct memory the JVM holds: its NIO direct buffer pool (on Java 17, where Netty has no access to
 *   {@code DirectByteBuffer}'s private constructor, this holds Netty's pooled chunks, gRPC's and the PostgreSQL front
 *   end's buffers and, through Arrow's Netty allocation manager, Arrow's buffers) plus what Netty allocated outside
 *   it ({@code io.netty.noCleaner}; counted by Netty, and 0 when it does not), summed at the same instant;</li>
 *   <li>the proxy's Arrow allocator (its Flight SQL front end): its own buffers, which lie in the direct memory
 *   above, and the batches imported from DuckDB's Arrow export, which are DuckDB's native memory and lie in no JVM
 *   figure (only in the resident set).</li>
 * </ul>
 */
final class MemorySampler {
    static final long PERIOD_MS = 5;
    private final BufferPoolMXBean nio = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
    /** The proxy's Arrow allocator's bytes in use; -1 for a server without one. */
    private final LongSupplier arrow;
    private final java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakDirect = new AtomicLong();
    private final AtomicLong peakArrow = new AtomicLong();
    private long directAtStart;
    private ScheduledExecutorService timer;

    MemorySampler(LongSupplier arrow) {
        this.arrow = arrow;
    }

    /** Forgets the peaks and samples from now on. */
    synchronized void start() {
        stopTimer();
        peakHeap.set(0);
        peakDirect.set(0);
        peakArrow.set(0);
        sample();
        directAtStart = peakDirect.get();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-memory-sampler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops sampling; the peaks since {@link #start}, in bytes: heap occupied (garbage not yet collected included:
     * an upper bound of what was in use), direct memory, the Arrow allocator (-1: none); and the direct memory held
     * at {@link #start} (Netty's pools keep their chunks: what the workload added is the difference).
     */
    synchronized long[] stop() {
        stopTimer();
        sample();
        return new long[] {peakHeap.get(), peakDirect.get(), arrow.getAsLong() < 0 ? -1 : peakArrow.get(),
            directAtStart};
    }

    private void stopTimer() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer = null;
    }

    private void sample() {
        // -1 when Netty does not allocate direct memory itself: then all of its direct memory is in the NIO pool
        long netty = Math.max(0, PlatformDependent.usedDirectMemory());
        peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        peakDirect.accumulateAndGet(nio.getMemoryUsed() + netty, Math::max);
        peakArrow.accumulateAndGet(arrow.getAsLong(), Math::max);
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import java.util.concurrent.locks.LockSupport;

import org.apache.arrow.flight.FlightProducer.ServerStreamListener;

/**
 * Back-pressure for a stream written from the call's own thread: waits until gRPC can take another batch without
 * buffering it ({@code isReady}), by looking again at growing intervals. Arrow's {@code CallbackBackpressureStrategy}
 * waits for gRPC's on-ready callback instead, which gRPC delivers on the call's serialized executor, behind the very
 * call that is waiting for it: a result faster than the network (DuckDB's Arrow export) then stalled until the wait
 * timed out.
 */
final class ClientReady {
    /** Longest pause between two looks, so a client that drains again is served within a few milliseconds. */
    private static final long MAX_PAUSE_NANOS = 2_000_000;

    private ClientReady() {
    }

    /** True when the client can take more; false when it cancelled the stream or read nothing for {@code timeoutMs}. */
    static boolean await(ServerStreamListener listener, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        long pause = 20_000;
        while (!listener.isReady()) {
            if (listener.isCancelled() || System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
        return !listener.isCancelled();
    }
}

package com.akkio.dbproxy.server.governed;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work a request thread does once its HTTP response is on the socket: writing a statement's {@code complete} audit
 * record. In the running server, encoding a record and appending it to the log ({@code write(2)} on ext4, which
 * journals the file's new size) took a request thread 15 µs or more, the largest part of what the proxy added to a
 * {@code SELECT 1} round trip; after the response, the client does not wait for it. The {@code forward} record, which
 * must reach the kernel before the backend sees the statement, is never deferred. A proxy killed between a response
 * and its record loses that {@code complete} record, as it loses the one of a statement it is killed during.
 */
public final class AfterResponse implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AfterResponse.class);
    private static final ThreadLocal<AfterResponse> CURRENT = new ThreadLocal<>();

    private final List<Runnable> tasks = new ArrayList<>(2);

    private AfterResponse() {
    }

    /** Defers the task to this thread's current response, or runs it now outside one (housekeeping, PostgreSQL). */
    static void run(Runnable task) {
        AfterResponse current = CURRENT.get();
        if (current == null) {
            task.run();
        } else {
            current.tasks.add(task);
        }
    }

    /** Defers this thread's tasks until {@link #close}, which the caller calls once the response has been sent. */
    public static AfterResponse open() {
        AfterResponse opened = new AfterResponse();
        CURRENT.set(opened);
        return opened;
    }

    /** Runs the deferred tasks in order; one that fails is logged and does not keep the others from running. */
    @Override
    public void close() {
        CURRENT.remove();
        for (Runnable task : tasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("work deferred until after a response failed", e);
            }
        }
    }
}

package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs one connection's tasks one after another, in order, on a shared pool: a session's messages must be handled in
 * the order they came, and blocking backend work must stay off the Netty event loop.
 */
final class SerialExecutor implements Executor {
    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            pool.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the server is shutting down: what this connection still had to do is moot, the governed connections
            // are closed by the server itself
            synchronized (tasks) {
                tasks.clear();
                running = false;
            }
        }
    }

    /** Tasks waiting (not counting the one running). */
    int pending() {
        synchronized (tasks) {
            return tasks.size();
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                // a task that throws must not stop the ones behind it; the session's tasks handle their own errors
                org.slf4j.LoggerFactory.getLogger(SerialExecutor.class).warn("session task failed", e);
            }
        }
    }
}

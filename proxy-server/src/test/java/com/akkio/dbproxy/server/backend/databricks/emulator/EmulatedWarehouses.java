package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The SQL warehouses of the workspace and their states (SQL Warehouses API: RUNNING, STOPPED, STARTING, STOPPING). A
 * stopped warehouse takes {@link #startTakes} to start (a real one 30 s serverless to about 5 minutes classic; a few
 * seconds in tests). It starts when the Warehouses API's {@code start} is called or, as a real warehouse does, when a
 * client opens a session on it; until it runs, sessions are refused with 503 and Retry-After, which databricks-jdbc
 * retries. Stopping (auto-stop) ends the warehouse's sessions. Every start is recorded with what caused it.
 */
public final class EmulatedWarehouses {
    /** Why a warehouse was started: {@code api} (Warehouses API start) or {@code session}. */
    public record Start(String warehouse, String cause) {
    }

    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final List<Start> starts = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dbx-emulator-warehouse");
        t.setDaemon(true);
        return t;
    });
    private volatile Duration startTakes = Duration.ZERO;
    private final Runnable onStop;

    /** @param onStop called when a warehouse stops, to end its sessions */
    EmulatedWarehouses(Runnable onStop) {
        this.onStop = onStop;
    }

    void add(String id) {
        states.put(id, "RUNNING");
    }

    void remove(String id) {
        states.remove(id);
    }

    boolean exists(String id) {
        return states.containsKey(id);
    }

    String state(String id) {
        return states.get(id);
    }

    /** Sets every warehouse's state; STOPPED ends their sessions, as an auto-stop does. */
    void setAll(String state) {
        states.replaceAll((id, old) -> state);
        if (state.equals("STOPPED")) {
            onStop.run();
        }
    }

    void startTakes(Duration duration) {
        this.startTakes = duration;
    }

    List<Start> starts() {
        return List.copyOf(starts);
    }

    /** Starts a stopped warehouse; it runs after {@link #startTakes}. */
    void start(String id, String cause) {
        if (states.replace(id, "STOPPED", "STARTING") || states.replace(id, "STOPPING", "STARTING")) {
            starts.add(new Start(id, cause));
            if (startTakes.isZero()) {
                states.replace(id, "STARTING", "RUNNING");
            } else {
                timer.schedule(() -> states.replace(id, "STARTING", "RUNNING"), startTakes.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Seconds a client should wait before opening a session on {@code id} again (a session on a stopped warehouse
     * starts it), or 0 when it runs.
     */
    int sessionRetryAfter(String id) {
        if ("RUNNING".equals(states.get(id))) {
            return 0;
        }
        start(id, "session");
        return "RUNNING".equals(states.get(id)) ? 0 : 1;
    }

    void close() {
        timer.shutdownNow();
    }
}

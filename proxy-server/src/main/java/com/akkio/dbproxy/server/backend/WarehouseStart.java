package com.akkio.dbproxy.server.backend;

import java.time.Duration;

/**
 * A query's backend connection found its warehouse starting (a session on a stopped warehouse starts it, with
 * {@code start_on_demand}) and waited for it: the tenant whose pool opened the connection, the warehouse, how the
 * wait ended and how long it took. Starting a warehouse costs money, so each one is an audit record of its own.
 *
 * @param outcome {@code STARTED} (the connection has its session), {@code NOT_STARTED} (still starting at the bound)
 *                or {@code FAILED} (it stopped again, or could not be asked)
 */
public record WarehouseStart(String backend, String warehouse, String tenant, Outcome outcome, Duration waited) {
    /** How a wait for a starting warehouse ended. */
    public enum Outcome { STARTED, NOT_STARTED, FAILED }

    /** Where a backend reports the starts its connections waited for (the audit log, in the running proxy). */
    @FunctionalInterface
    public interface Listener {
        void started(WarehouseStart start);
    }
}

package com.akkio.dbproxy.server.backend.databricks.emulator;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The statement lifecycle of a SQL warehouse as the Statement Execution API shows it: a statement is PENDING, then
 * RUNNING, then SUCCEEDED, FAILED or CANCELED, on a thread of its own. {@code POST /statements} waits for it up to
 * its {@code wait_timeout} (the API's default is 10 s; {@code "0s"} answers at once) and otherwise answers with the
 * state it has, which the client then polls with {@code GET /statements/{id}}. {@code POST …/cancel}, and
 * {@code DELETE} of a statement still running, stop it: the emulated run time is interrupted and DuckDB's statement
 * cancelled, so a cancelled statement provably never finishes its work. Bound parameters
 * ({@code parameters: [{ordinal, type, value}]}, as databricks-jdbc 3.4.5 sends them for {@code ?} markers) are bound
 * by type; a failure carries {@code error_code} and {@code sql_state} as a warehouse's does.
 */
public final class EmulatedStatements {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_WAIT_MILLIS = 10_000;

    /**
     * Runs one statement's SQL on DuckDB and writes its manifest and result into the response; {@code created} is
     * the rows a CREATE TABLE … AS wrote (DuckDB reports none, a warehouse does), else -1.
     */
    interface Encoder {
        void encode(String id, JsonNode request, Statement statement, boolean rows, long created, ObjectNode response)
                throws SQLException, java.io.IOException;
    }

    /** What became of one statement, for tests: its text, final state, and when it was asked to stop and stopped. */
    public record Outcome(String id, String sql, String state, boolean workFinished, long cancelRequestedNanos,
                          long stoppedNanos) {
        /** Milliseconds from the first cancel or close request to the statement stopping; -1 if never asked. */
        public long stopMillis() {
            return cancelRequestedNanos == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(stoppedNanos - cancelRequestedNanos);
        }
    }

    private final class Run {
        final String id = UUID.randomUUID().toString();
        final String sql;
        final JsonNode parameters;
        final JsonNode request;
        final CountDownLatch done = new CountDownLatch(1);
        volatile String state = "PENDING";
        volatile ObjectNode response;
        volatile Thread worker;
        volatile Statement duck;
        volatile boolean workFinished;
        volatile long cancelRequested;
        volatile long stopped;

        Run(String sql, JsonNode parameters, JsonNode request) {
            this.request = request;
            this.sql = sql;
            this.parameters = parameters;
        }

        boolean terminal() {
            return !state.equals("PENDING") && !state.equals("RUNNING");
        }
    }

    private final Connection duckdb;
    private final Encoder encoder;
    private final java.util.function.UnaryOperator<String> dialect;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final List<Run> history = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dbx-emulator-statement");
        t.setDaemon(true);
        return t;
    });
    private volatile long runMillis;
    private volatile ObjectNode failure;
    private final AtomicInteger throttled = new AtomicInteger();
    private volatile int throttleStatus;
    private volatile int retryAfterSeconds;

    /** @param dialect turns the statement text a client sent into DuckDB's */
    EmulatedStatements(Connection duckdb, java.util.function.UnaryOperator<String> dialect, Encoder encoder) {
        this.duckdb = duckdb;
        this.dialect = dialect;
        this.encoder = encoder;
    }

    /**
     * Every statement but DESCRIBE QUERY stays RUNNING at least this long before its work starts (zero: none), as on
     * a busy warehouse.
     */
    void runFor(java.time.Duration duration) {
        this.runMillis = duration.toMillis();
    }

    /** Every statement fails with this error until called with null. */
    void fail(ObjectNode error) {
        this.failure = error;
    }

    /** The next {@code count} submissions are refused with {@code status} (429 or 503) and Retry-After. */
    void throttle(int count, int status, int retryAfter) {
        this.throttleStatus = status;
        this.retryAfterSeconds = retryAfter;
        this.throttled.set(count);
    }

    /** Null when a submission may go ahead, else the HTTP status it is refused with (Retry-After: {@link #retryAfter}). */
    int refusal() {
        return throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? throttleStatus : 0;
    }

    int retryAfter() {
        return retryAfterSeconds;
    }

    List<Outcome> outcomes() {
        List<Outcome> out = new ArrayList<>();
        for (Run r : history) {
            out.add(new Outcome(r.id, r.sql, r.state, r.workFinished, r.cancelRequested, r.stopped));
        }
        return out;
    }

    /** {@code POST /statements}: starts the statement and answers when it ends or its wait_timeout passes. */
    ObjectNode submit(JsonNode request) throws InterruptedException {
        Run run = new Run(request.path("statement").asText(), request.path("parameters"), request);
        runs.put(run.id, run);
        history.add(run);
        workers.submit(() -> lifecycle(run));
        run.done.await(waitMillis(request.path("wait_timeout").asText("")), TimeUnit.MILLISECONDS);
        return snapshot(run);
    }

    /** {@code GET /statements/{id}}; null when there is no such statement. */
    ObjectNode get(String id) {
        Run run = runs.get(id);
        return run == null ? null : snapshot(run);
    }

    /** {@code POST /statements/{id}/cancel}: a statement not yet ended is CANCELED and its work stopped. */
    boolean cancel(String id) {
        Run run = runs.get(id);
        if (run == null) {
            return false;
        }
        stop(run);
        return true;
    }

    /** {@code DELETE /statements/{id}}: closes the statement, stopping it first if it still runs. */
    void close(String id) {
        Run run = runs.remove(id);
        if (run != null) {
            stop(run);
        }
    }

    private void stop(Run run) {
        synchronized (run) {
            if (run.terminal()) {
                return;
            }
            run.cancelRequested = System.nanoTime();
            run.state = "CANCELED";
        }
        Thread worker = run.worker;
        if (worker != null) {
            worker.interrupt();
        }
        Statement duck = run.duck;
        if (duck != null) {
            try {
                duck.cancel();
            } catch (SQLException ignored) {
                // already finished
            }
        }
    }

    private void lifecycle(Run run) {
        run.worker = Thread.currentThread();
        ObjectNode response = JSON.createObjectNode().put("statement_id", run.id);
        try {
            synchronized (run) {
                if (run.terminal()) {
                    return;
                }
                run.state = "RUNNING";
            }
            // DESCRIBE QUERY (a prepared statement's metadata) only compiles the query: it takes no warehouse time
            if (runMillis > 0 && !run.sql.regionMatches(true, 0, "DESCRIBE QUERY ", 0, 15)) {
                Thread.sleep(runMillis);
            }
            ObjectNode failed = failure;
            if (failed != null) {
                finish(run, response, "FAILED", failed.deepCopy());
                return;
            }
            String text = dialect.apply(run.sql);
            try (PreparedStatement s = duckdb.prepareStatement(text)) {
                run.duck = s;
                bind(s, run.parameters);
                if (run.terminal()) {
                    return;
                }
                boolean rows = s.execute();
                encoder.encode(run.id, run.request, s, rows, rows ? -1 : createdRows(text), response);
                run.workFinished = true;
            }
            finish(run, response, "SUCCEEDED", null);
        } catch (InterruptedException e) {
            // cancelled while it ran: the state is CANCELED already
        } catch (SQLException | java.io.IOException | RuntimeException e) {
            finish(run, response, "FAILED", WarehouseErrors.of(e));
        } finally {
            run.duck = null;
            synchronized (run) {
                if (run.state.equals("CANCELED") && run.stopped == 0) {
                    run.stopped = System.nanoTime();
                }
            }
            Thread.interrupted();
            run.done.countDown();
        }
    }

    private static void finish(Run run, ObjectNode response, String state, ObjectNode error) {
        synchronized (run) {
            if (run.terminal()) {
                return; // cancelled first: a cancelled statement's late result is dropped
            }
            if (error != null) {
                ObjectNode status = response.putObject("status").put("state", state);
                if (error.hasNonNull("sql_state")) {
                    status.put("sql_state", error.path("sql_state").asText());
                }
                status.set("error", error.without("sql_state"));
            } else {
                response.putObject("status").put("state", state);
            }
            run.response = response;
            run.state = state;
        }
    }

    private static ObjectNode snapshot(Run run) {
        synchronized (run) {
            if (run.response != null && run.terminal() && !run.state.equals("CANCELED")) {
                return run.response.deepCopy();
            }
            ObjectNode out = JSON.createObjectNode().put("statement_id", run.id);
            out.putObject("status").put("state", run.state);
            return out;
        }
    }

    private static final java.util.regex.Pattern CREATE_AS = java.util.regex.Pattern.compile(
            "(?is)\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
                    + "((?:\"[^\"]*\"|\\w+)(?:\\.(?:\"[^\"]*\"|\\w+))*)\\s+AS\\b.*");

    /**
     * The rows of the table a CREATE TABLE … AS (DuckDB's text) just created, which a warehouse reports as the
     * statement's {@code num_affected_rows}; -1 for any other statement.
     */
    private long createdRows(String text) throws SQLException {
        java.util.regex.Matcher m = CREATE_AS.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        try (Statement count = duckdb.createStatement();
             java.sql.ResultSet rs = count.executeQuery("SELECT count(*) FROM " + m.group(1))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code "10s"}: 10 000; the API's default when absent; 0 for {@code "0s"}. */
    private static long waitMillis(String waitTimeout) {
        if (waitTimeout.isEmpty()) {
            return DEFAULT_WAIT_MILLIS;
        }
        return TimeUnit.SECONDS.toMillis(Long.parseLong(waitTimeout.replaceAll("s$", "")));
    }

    /** Binds the positional parameters by their Databricks type, as the warehouse does. */
    private static void bind(PreparedStatement s, JsonNode parameters) throws SQLException {
        for (JsonNode p : parameters) {
            int ordinal = p.path("ordinal").asInt();
            String type = p.path("type").asText("STRING").toUpperCase(Locale.ROOT);
            JsonNode value = p.get("value");
            if (value == null || value.isNull()) {
                s.setObject(ordinal, null);
                continue;
            }
            String v = value.asText();
            s.setObject(ordinal, switch (type.replaceAll("\\(.*", "")) {
                case "TINYINT", "SMALLINT", "INT", "INTEGER" -> Integer.valueOf(v);
                case "BIGINT", "LONG" -> Long.valueOf(v);
                case "FLOAT", "REAL", "DOUBLE" -> Double.valueOf(v);
                case "DECIMAL" -> new BigDecimal(v);
                case "BOOLEAN" -> Boolean.valueOf(v);
                case "DATE" -> java.sql.Date.valueOf(v);
                case "TIMESTAMP", "TIMESTAMP_NTZ" -> java.sql.Timestamp.valueOf(v);
                case "STRING", "VARCHAR", "CHAR" -> v;
                default -> throw new SQLException("[UNSUPPORTED_DATATYPE] Unsupported data type \"" + type
                        + "\"", "0A000");
            });
        }
    }

    void close() {
        workers.shutdownNow();
    }
}

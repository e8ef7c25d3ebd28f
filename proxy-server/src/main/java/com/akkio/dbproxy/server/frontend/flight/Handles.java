package com.akkio.dbproxy.server.frontend.flight;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * The statements Flight clients hold handles to: a query's ticket and a prepared statement's handle are 256 random
 * bits, never an id a client could guess, and each is bound to the tenant that created it. A handle presented by
 * another tenant is answered exactly as one that does not exist ({@code 08003 UNKNOWN_HANDLE}), as the Avatica front
 * end answers another tenant's connection id.
 */
final class Handles {
    /**
     * One statement: its text, the result schema declared to the client, the parameters last bound to it, and, while
     * it is prepared on the backend, its governed connection (opened for it alone, so concurrent streams of one
     * client never share a backend connection) and backend statement. A prepared statement gives its connection
     * back when no execution runs and prepares again at the next one ({@code GovernedFlightProducer.lease}): a
     * handle a client forgets holds none of the tenant's backend connections.
     */
    static final class Entry {
        final String tenant;
        final String sql;
        final Schema schema;
        final boolean returnsRows;
        volatile long usedNanos = System.nanoTime();
        volatile List<TypedValue> parameters = List.of();
        /** Set when a query's one stream starts: its ticket is then spent (but still names it for a cancel). */
        final java.util.concurrent.atomic.AtomicBoolean streamed = new java.util.concurrent.atomic.AtomicBoolean();
        // guarded by this
        private String connectionId;
        private Meta.StatementHandle statement;
        private int running;
        private boolean closed;

        Entry(String tenant, String sql, String connectionId, Meta.StatementHandle statement, Schema schema,
              boolean returnsRows) {
            this.tenant = tenant;
            this.sql = sql;
            this.connectionId = connectionId;
            this.statement = statement;
            this.schema = schema;
            this.returnsRows = returnsRows;
        }

        /** The backend statement while prepared (at creation, and during executions); null once given back. */
        synchronized Meta.StatementHandle statement() {
            return statement;
        }

        /** The governed connection's id while prepared, else null. */
        synchronized String connectionId() {
            return connectionId;
        }

        /** The connection and backend statement one execution runs on. */
        record Prepared(String connectionId, Meta.StatementHandle statement) {
        }

        /**
         * Starts an execution: what it runs on when the statement is prepared (now counted as running), null when it
         * must be prepared again first ({@link #prepared}). Refused once closed.
         */
        synchronized Prepared start() {
            if (closed) {
                throw ProxyError.unknownHandle("statement");
            }
            if (connectionId == null) {
                return null;
            }
            running++;
            return new Prepared(connectionId, statement);
        }

        /** Records a new preparation and starts an execution on it; false (the caller closes it) when closed. */
        synchronized boolean prepared(String connection, Meta.StatementHandle prepared) {
            if (closed || connectionId != null) {
                return false;
            }
            connectionId = connection;
            statement = prepared;
            running++;
            return true;
        }

        /** Ends an execution; the connection id to close when it was the last, else null. */
        synchronized String finish() {
            return --running == 0 ? takeConnection() : null;
        }

        /** Closes the statement for good; the connection id to close, or null if none is held. */
        synchronized String close() {
            closed = true;
            return takeConnection();
        }

        private String takeConnection() {
            String id = connectionId;
            connectionId = null;
            statement = null;
            return id;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<HandleKey, Entry> entries = new ConcurrentHashMap<>();

    /** Bytes compared by value (a byte[] key would be compared by identity). */
    private record HandleKey(String hex) {
        static HandleKey of(byte[] bytes) {
            return new HandleKey(java.util.HexFormat.of().formatHex(bytes));
        }
    }

    /** A new random handle for {@code entry}. */
    byte[] add(Entry entry) {
        byte[] handle = new byte[32];
        random.nextBytes(handle);
        entries.put(HandleKey.of(handle), entry);
        return handle;
    }

    /** {@code caller}'s statement under {@code handle}; another tenant's, or nobody's, is unknown. */
    Entry get(byte[] handle, Caller caller) {
        Entry e = entries.get(HandleKey.of(handle));
        if (e == null || !e.tenant.equals(caller.tenant())) {
            throw ProxyError.unknownHandle("statement");
        }
        e.usedNanos = System.nanoTime();
        return e;
    }

    /** Removes and returns {@code caller}'s statement under {@code handle}, with the same check as {@link #get}. */
    Entry remove(byte[] handle, Caller caller) {
        Entry e = get(handle, caller);
        if (!entries.remove(HandleKey.of(handle), e)) {
            throw ProxyError.unknownHandle("statement");
        }
        return e;
    }

    /** Removes and returns the statements last used before {@code nanos} (abandoned by their clients). */
    List<Entry> removeOlderThan(long nanos) {
        List<Entry> old = new java.util.ArrayList<>();
        entries.entrySet().removeIf(e -> {
            if (e.getValue().usedNanos - nanos < 0) {
                old.add(e.getValue());
                return true;
            }
            return false;
        });
        return old;
    }
}

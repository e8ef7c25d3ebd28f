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
     * One statement: its governed connection (opened for it alone, so concurrent streams of one client never share a
     * backend connection), the prepared backend statement, the result schema, and the parameters last bound to it.
     */
    static final class Entry {
        final String tenant;
        final String connectionId;
        final Meta.StatementHandle statement;
        final Schema schema;
        final boolean returnsRows;
        volatile long usedNanos = System.nanoTime();
        volatile List<TypedValue> parameters = List.of();
        /** Set when a query's one stream starts: its ticket is then spent (but still names it for a cancel). */
        final java.util.concurrent.atomic.AtomicBoolean streamed = new java.util.concurrent.atomic.AtomicBoolean();

        Entry(String tenant, String connectionId, Meta.StatementHandle statement, Schema schema, boolean returnsRows) {
            this.tenant = tenant;
            this.connectionId = connectionId;
            this.statement = statement;
            this.schema = schema;
            this.returnsRows = returnsRows;
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

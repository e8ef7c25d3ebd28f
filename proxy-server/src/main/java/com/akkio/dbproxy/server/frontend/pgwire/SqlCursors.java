package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.Meta;

/**
 * The cursors of SQL (DECLARE, FETCH, CLOSE) a session keeps: psycopg2's named cursors, psql's FETCH_COUNT. Each has
 * its own backend statement, run through the governed path when declared, and its open result, which FETCH streams
 * forward. A cursor WITH HOLD outlives the transaction block; others end with it.
 */
final class SqlCursors {
    /** A cursor opened with DECLARE: its own backend statement and open result. */
    private record SqlCursor(Meta.StatementHandle handle, ResultStream result, boolean hold) {
    }

    private final ClientChannel client;
    private final GovernedCalls calls;
    private final Transaction transaction;
    private final Map<String, SqlCursor> cursors = new HashMap<>();

    SqlCursors(ClientChannel client, GovernedCalls calls, Transaction transaction) {
        this.client = client;
        this.calls = calls;
        this.transaction = transaction;
    }

    /** Refuses a DECLARE the proxy answers without running its query (the front end audits the refusal). */
    void check(LocalStatement.Declare d) {
        if (d.scroll()) {
            throw ProxyError.of(ErrorCode.SCROLL_CURSOR_NOT_SUPPORTED, "SCROLL cursors are not"
                    + " supported by the proxy (cursors fetch forward only)");
        }
        if (!d.hold() && transaction.state() == TransactionState.IDLE) {
            throw ProxyError.of(ErrorCode.CURSOR_OUTSIDE_TRANSACTION, "DECLARE CURSOR can only be used in transaction"
                    + " blocks");
        }
        if (cursors.containsKey(d.name())) {
            throw ProxyError.of(ErrorCode.DUPLICATE_CURSOR, "cursor \"" + d.name() + "\" already exists");
        }
        NamedHandles.checkRoom("cursors", cursors.size());
        if (!d.query().strip().toLowerCase(Locale.ROOT).matches("(?s)(select|with|values|table|\\().*")) {
            throw notAQuery();
        }
    }

    /** Opens a checked DECLARE's cursor: its query runs through the governed path, which audits it. */
    void open(LocalStatement.Declare d) {
        Meta.StatementHandle h = calls.createStatement();
        Meta.MetaResultSet rs;
        try {
            rs = calls.execute(h, d.query());
        } catch (ProxyError e) {
            calls.closeQuietly(h);
            throw e;
        }
        if (!GovernedCalls.hasRows(rs)) {
            calls.closeQuietly(h);
            throw notAQuery();
        }
        short[] formats = d.binary() ? new short[] {1} : new short[0];
        cursors.put(d.name(), new SqlCursor(h, new ResultStream(client, calls, h, rs.signature.columns, formats,
                rs.firstFrame), d.hold()));
        client.commandComplete("DECLARE CURSOR");
    }

    private static ProxyError notAQuery() {
        return ProxyError.of(ErrorCode.CURSOR_NOT_A_QUERY, "cannot open a cursor on a statement that is not a query");
    }

    /** FETCH; {@code describe}: a RowDescription first (simple protocol), in the portal's {@code formats}. */
    void fetch(LocalStatement.Fetch f, boolean describe, short[] formats) {
        SqlCursor c = cursor(f.name());
        if (describe) {
            client.write(PgOut.rowDescription(client.alloc(), fields(c, formats)));
        }
        long n;
        try {
            n = f.count() == 0 ? 0 : c.result().sendMore(f.count() < 0 ? 0 : f.count());
        } catch (ProxyError e) {
            cursors.remove(f.name());
            calls.closeQuietly(c.handle());
            throw e;
        }
        client.commandComplete("FETCH " + n);
    }

    /** What a FETCH from cursor {@code name} sends, for Describe. */
    List<PgOut.Field> fields(String name, short[] formats) {
        return fields(cursor(name), formats);
    }

    /** A BINARY cursor sends binary whatever the portal asked; otherwise the portal's result formats apply. */
    private static List<PgOut.Field> fields(SqlCursor c, short[] formats) {
        boolean binary = c.result().binary.length > 0 && c.result().binary[0];
        return PgOut.fields(c.result().columns, binary ? new short[] {1} : formats);
    }

    /** CLOSE of one cursor, or of all of them. */
    void close(LocalStatement.CloseCursor close) {
        String name = close.name();
        if (name == null) {
            cursors.values().forEach(c -> calls.closeQuietly(c.handle()));
            cursors.clear();
        } else {
            calls.closeQuietly(cursor(name).handle());
            cursors.remove(name);
        }
        client.commandComplete("CLOSE CURSOR");
    }

    /** The transaction block ended: every cursor without HOLD closes. */
    void closeTransactionScoped() {
        cursors.entrySet().removeIf(e -> {
            if (!e.getValue().hold()) {
                calls.closeQuietly(e.getValue().handle());
                return true;
            }
            return false;
        });
    }

    private SqlCursor cursor(String name) {
        return NamedHandles.find(cursors, name, ErrorCode.UNKNOWN_CURSOR, "cursor");
    }
}

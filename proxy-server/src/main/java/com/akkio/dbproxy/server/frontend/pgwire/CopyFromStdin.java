package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.CatalogSnapshot;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * A session's {@code COPY … FROM STDIN}: the COPY is decided as the INSERT it amounts to (so its target must match
 * the tenant's write patterns and INSERT must be an allowed statement kind), admitted once through the tenant's
 * limits and audited once with its row count ({@link GovernedConnection#copyIn}); the rows arrive in CopyData
 * messages and go to the backend as multi-row INSERTs
 * ({@link CopyCommand#rowsPerStatement}), each decided by the policy too. Outside a transaction block the COPY is a
 * transaction of its own, so a failed COPY leaves nothing; inside one, the block decides.
 */
final class CopyFromStdin {
    private final ClientChannel client;
    private final GovernedCalls calls;
    private final Transaction transaction;
    // -- the COPY under way, or null
    private GovernedConnection.CopyIn copy;
    private CopyRows rows;
    private boolean ownTransaction;
    private List<List<TypedValue>> batch = new ArrayList<>();
    private int batchRows = 1;

    CopyFromStdin(ClientChannel client, GovernedCalls calls, Transaction transaction) {
        this.client = client;
        this.calls = calls;
        this.transaction = transaction;
    }

    boolean active() {
        return copy != null;
    }

    /** Starts the COPY {@code sql} is: decided, admitted, audited; the client is told to send its data. */
    void start(String sql, CopyCommand command) {
        calls.refuseIfFailed(transaction, sql);
        List<String> columns = command.columns().isEmpty() ? tableColumns(command) : command.columns();
        GovernedConnection.CopyIn started = calls.copyIn(sql, n -> command.insert(columns, n));
        int width = columns.isEmpty() ? 1 : columns.size();
        batchRows = CopyCommand.rowsPerStatement(width);
        ownTransaction = transaction.state() == TransactionState.IDLE;
        if (ownTransaction) {
            try {
                calls.beginTransaction();
            } catch (ProxyError e) {
                started.abort(e);
                throw e;
            }
        }
        copy = started;
        rows = new CopyRows(command, width);
        batch = new ArrayList<>();
        PgOut m = PgOut.message(client.alloc(), 'G').int8(0).int16(width);
        for (int i = 0; i < width; i++) {
            m.int16(0);
        }
        client.write(m.done());
        client.flush();
    }

    /** CopyData. A failure ends the COPY (rolled back) and is thrown for the session to answer. */
    void data(byte[] data) {
        try {
            add(rows.feed(data));
        } catch (ProxyError e) {
            fail(e);
            throw e;
        }
    }

    /** CopyDone: the last rows go in, the COPY commits (if it is its own transaction) and is recorded. */
    void done() {
        long count;
        try {
            add(rows.finish());
            flush();
            if (ownTransaction) {
                calls.endTransaction(true);
                ownTransaction = false;
            }
            count = copy.finish();
        } catch (ProxyError e) {
            fail(e);
            throw e;
        }
        copy = null;
        client.commandComplete("COPY " + count);
    }

    /** CopyFail: the client gave up; nothing of the COPY is kept outside a transaction block. */
    void clientFailed(String message) {
        ProxyError e = ProxyError.of(ErrorCode.COPY_FAILED, "COPY from stdin failed: " + message);
        fail(e);
        throw e;
    }

    /** The session ends (or fails) in the middle of a COPY. */
    void abandon() {
        if (copy != null) {
            fail(ProxyError.of(ErrorCode.CLIENT_GONE, "the client went away during COPY"));
        }
    }

    private void fail(ProxyError e) {
        GovernedConnection.CopyIn c = copy;
        copy = null;
        batch = new ArrayList<>();
        if (c == null) {
            return;
        }
        if (ownTransaction) {
            ownTransaction = false;
            try {
                calls.endTransaction(false);
            } catch (ProxyError ignored) {
                // the COPY's own error is the one the client needs
            }
        }
        c.abort(e);
    }

    private void add(List<String[]> parsed) {
        for (String[] row : parsed) {
            List<TypedValue> values = new ArrayList<>(row.length);
            for (String v : row) {
                values.add(v == null ? TypedValue.ofLocal(ColumnMetaData.Rep.OBJECT, null)
                        : TypedValue.ofLocal(ColumnMetaData.Rep.STRING, v));
            }
            batch.add(values);
            if (batch.size() >= batchRows) {
                flush();
            }
        }
    }

    private void flush() {
        if (!batch.isEmpty()) {
            List<List<TypedValue>> out = batch;
            batch = new ArrayList<>();
            copy.add(out);
        }
    }

    /**
     * The columns of the COPY's table when it names none, from the tenant's catalog (which holds only tables the
     * tenant may read). A table not there gets one column: the policy then decides the INSERT into it as for any
     * other (a table the tenant may not write is denied as such), and the backend says if it does not exist.
     */
    private List<String> tableColumns(CopyCommand command) {
        List<String> parts = command.tableParts().stream().map(CopyCommand::identifier).toList();
        CatalogSnapshot snapshot = calls.catalogSnapshot();
        for (CatalogSnapshot.Table t : snapshot.tables()) {
            int n = parts.size();
            boolean match = t.name().equalsIgnoreCase(parts.get(n - 1))
                    && (n < 2 ? t.schema().equalsIgnoreCase(calls.defaultSchema())
                        : t.schema().equalsIgnoreCase(parts.get(n - 2)))
                    && (n < 3 ? t.catalog().equalsIgnoreCase(calls.defaultCatalog())
                        : t.catalog().equalsIgnoreCase(parts.get(0)));
            if (match) {
                return t.columns().stream().map(c -> CopyCommand.quoted(c.name())).toList();
            }
        }
        return List.of();
    }
}

package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.netty.buffer.ByteBuf;

/**
 * Answers the statements the front end runs itself ({@link LocalStatement}, which recognises them): the transaction
 * block (BEGIN, COMMIT, ROLLBACK), the session's settings (SET, SHOW, and the ParameterStatus that report them),
 * questions about the server, and SQL cursors, which it hands to {@link SqlCursors}.
 */
final class LocalStatements {
    /** What clients are told: drivers parse it (SQLAlchemy needs "PostgreSQL N.M" in version()). */
    static final String SERVER_VERSION = "14.0";
    static final String VERSION_TEXT = "PostgreSQL " + SERVER_VERSION + " (akkio-dbproxy governed gateway;"
            + " the backend is not PostgreSQL)";

    private final ClientChannel client;
    private final GovernedCalls calls;
    private final Transaction transaction;
    private final SqlCursors cursors;
    private final Supplier<TenantPolicy> policy;
    private final Map<String, String> settings;

    /**
     * @param policy the tenant's policy as it is now (reloads included), for current_schema() and
     *               current_database()
     */
    LocalStatements(ClientChannel client, GovernedCalls calls, Transaction transaction, SqlCursors cursors,
                    Supplier<TenantPolicy> policy, String applicationName, String searchPath) {
        this.client = client;
        this.calls = calls;
        this.transaction = transaction;
        this.cursors = cursors;
        this.policy = policy;
        this.settings = LocalStatement.defaults(applicationName, searchPath);
    }

    /** ParameterStatus of every setting drivers expect to hear about, at the end of the startup. */
    void reportSettings() {
        for (Map.Entry<String, String> e : LocalStatement.REPORTED.entrySet()) {
            client.write(PgOut.parameterStatus(client.alloc(), e.getValue(), settings.get(e.getKey())));
        }
    }

    /** The columns {@code local} answers with, in the result formats the client asked for. */
    static List<PgOut.Field> fields(LocalStatement local, short[] formats) {
        List<PgOut.Field> out = new ArrayList<>();
        List<LocalStatement.Column> columns = local.columns();
        for (int i = 0; i < columns.size(); i++) {
            out.add(new PgOut.Field(columns.get(i).name(), columns.get(i).type(), -1, PgOut.binary(formats, i)));
        }
        return out;
    }

    /**
     * Runs {@code local}, the statement {@code sql} as the client sent it, and records it in the audit log (answered,
     * or the error it was refused with). A DECLARE's query is forwarded and audited like any other. {@code describe}:
     * a RowDescription before the rows (the simple protocol; the extended one has its Describe).
     */
    void run(String sql, LocalStatement local, boolean describe, short[] formats) {
        try {
            if (local instanceof LocalStatement.Declare d) {
                transaction.refuseIfFailed();
                cursors.check(d);
            } else {
                answer(local, describe, formats);
            }
        } catch (ProxyError e) {
            calls.answeredLocally(sql, e);
            throw e;
        }
        if (local instanceof LocalStatement.Declare d) {
            cursors.open(d);
        } else {
            calls.answeredLocally(sql, null);
        }
    }

    private void answer(LocalStatement local, boolean describe, short[] formats) {
        boolean endsBlock = local instanceof LocalStatement.Commit || local instanceof LocalStatement.Rollback;
        if (!endsBlock) {
            transaction.refuseIfFailed();
        }
        if (local instanceof LocalStatement.Fetch f) {
            cursors.fetch(f, describe, formats);
            return;
        }
        if (local instanceof LocalStatement.CloseCursor c) {
            cursors.close(c);
            return;
        }
        String tag;
        Object[] row = null;
        if (local instanceof LocalStatement.Begin) {
            begin();
            tag = "BEGIN";
        } else if (endsBlock) {
            tag = end(local instanceof LocalStatement.Rollback);
        } else if (local instanceof LocalStatement.Set set) {
            set(set);
            tag = "SET";
        } else if (local instanceof LocalStatement.Show show) {
            String value = settings.get(show.name().toLowerCase(Locale.ROOT));
            if (value == null) {
                throw ProxyError.of(ErrorCode.UNKNOWN_SETTING, "unrecognized configuration parameter \""
                        + show.name() + "\"");
            }
            row = new Object[] {value};
            tag = "SHOW";
        } else if (local instanceof LocalStatement.Function f) {
            row = new Object[] {function(f.function())};
            tag = "SELECT 1";
        } else {
            tag = "SELECT 0"; // HstoreOids: no such type here
        }
        List<PgOut.Field> fields = fields(local, formats);
        if (describe && !fields.isEmpty()) {
            client.write(PgOut.rowDescription(client.alloc(), fields));
        }
        if (row != null) {
            byte[][] values = new byte[row.length][];
            for (int i = 0; i < row.length; i++) {
                values[i] = fields.get(i).type().encode(row[i], fields.get(i).binary());
            }
            ByteBuf out = client.alloc().buffer();
            PgOut.dataRow(out, values);
            client.write(out);
        }
        client.commandComplete(tag);
    }

    /** BEGIN: a transaction of the backend connection, so the block commits or rolls back as one. */
    private void begin() {
        if (transaction.state() != TransactionState.IDLE) {
            client.warning("25001", "there is already a transaction in progress");
        } else {
            calls.beginTransaction();
            transaction.begin();
        }
    }

    /**
     * COMMIT or ROLLBACK: what the block's open portals and cursors hold is closed first, then the backend commits
     * or rolls back; a COMMIT of a failed block rolls back (and says ROLLBACK, as PostgreSQL does).
     */
    private String end(boolean rollback) {
        TransactionState state = transaction.state();
        if (state == TransactionState.IDLE) {
            client.warning("25P01", "there is no transaction in progress");
            transaction.end();
            return rollback ? "ROLLBACK" : "COMMIT";
        }
        boolean commit = !rollback && state != TransactionState.FAILED;
        transaction.end();
        calls.endTransaction(commit);
        return commit ? "COMMIT" : "ROLLBACK";
    }

    private void set(LocalStatement.Set set) {
        String name = set.name().toLowerCase(Locale.ROOT);
        String value = LocalStatement.checkSetting(name, set.value());
        settings.put(name, value);
        String reported = LocalStatement.REPORTED.get(name);
        if (reported != null) {
            client.write(PgOut.parameterStatus(client.alloc(), reported, value));
        }
    }

    private Object function(String name) {
        TenantPolicy p = policy.get();
        return switch (name) {
            case "version" -> VERSION_TEXT;
            case "current_schema" -> p.defaultSchema();
            default -> p.logicalCatalog(p.defaultCatalog());
        };
    }
}

package com.akkio.dbproxy.server.frontend.pgwire;

import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.Meta;

/**
 * The simple query protocol of one session: a Query's text answered locally or run on the session's one reusable
 * backend statement, its rows streamed to the end. Errors are thrown as {@link ProxyError}s for the connection to
 * answer before ReadyForQuery.
 */
final class SimpleQuery {
    private final ClientChannel client;
    private final GovernedCalls calls;
    private final Transaction transaction;
    private final LocalStatements locals;
    private final ExtendedQuery extended;
    private final CopyFromStdin copy;
    /** The backend statement simple queries run on, once created; closed after an interrupted or failed result. */
    private Meta.StatementHandle statement;

    SimpleQuery(ClientChannel client, GovernedCalls calls, Transaction transaction, LocalStatements locals,
                ExtendedQuery extended, CopyFromStdin copy) {
        this.copy = copy;
        this.client = client;
        this.calls = calls;
        this.transaction = transaction;
        this.locals = locals;
        this.extended = extended;
    }

    void run(String sql) {
        calls.clearCancel();
        extended.closeUnnamed();
        if (LocalStatement.isEmpty(sql)) {
            client.writeEmpty('I');
            return;
        }
        LocalStatement local = LocalStatement.recognize(sql);
        if (local != null) {
            locals.run(sql, local, true, new short[0]);
            return;
        }
        CopyCommand copyCommand = CopyCommand.recognise(sql);
        if (copyCommand != null) {
            copy.start(sql, copyCommand); // the client now sends the data; ReadyForQuery waits for its end
            return;
        }
        String catalog = calls.catalogRewrite(sql);
        if (catalog != null) {
            runCatalog(sql, catalog);
        } else {
            runGoverned(sql);
        }
    }

    /** A catalog query, answered from the tenant's governed catalog. */
    private void runCatalog(String sql, String rewritten) {
        calls.refuseIfFailed(transaction, sql);
        TenantCatalogs.Answer answer = calls.answerCatalogQuery(sql, rewritten, java.util.List.of());
        client.write(PgOut.rowDescription(client.alloc(), PgOut.fields(answer.columns(), new short[0])));
        long rows = new ResultStream(client, calls, null, answer.columns(), new short[0],
                Meta.Frame.create(0, true, answer.rows())).sendMore(0);
        client.commandComplete("SELECT " + rows);
    }

    private void runGoverned(String sql) {
        calls.refuseIfFailed(transaction, sql);
        if (statement == null) {
            statement = calls.createStatement();
        }
        Meta.StatementHandle h = statement;
        Meta.MetaResultSet rs;
        try {
            rs = calls.execute(h, sql);
        } catch (ProxyError e) {
            if (GovernedCalls.interrupted(e)) {
                abandon();
            }
            throw e;
        }
        if (!GovernedCalls.hasRows(rs)) {
            client.commandComplete(CommandTags.of(sql, Math.max(0, rs.updateCount)));
            return;
        }
        client.write(PgOut.rowDescription(client.alloc(), PgOut.fields(rs.signature.columns, new short[0])));
        try {
            long rows = new ResultStream(client, calls, h, rs.signature.columns, new short[0], rs.firstFrame)
                    .sendMore(0);
            client.commandComplete("SELECT " + rows);
        } catch (ProxyError e) {
            abandon();
            throw e;
        }
    }

    /** A cancelled or failed result leaves the statement unusable: the next query creates another. */
    private void abandon() {
        Meta.StatementHandle h = statement;
        statement = null;
        calls.closeQuietly(h);
    }
}

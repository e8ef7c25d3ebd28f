package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.List;
import java.util.concurrent.Executor;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL front end's one way into the governed core: it holds the session's {@link GovernedConnection},
 * makes every call on it (policy, limits and audit happen there), turns Avatica's checked "no such statement" and
 * "no such result" into client errors, and keeps track of a client's cancel.
 */
final class GovernedCalls {
    private static final Logger LOG = LoggerFactory.getLogger(GovernedCalls.class);
    /** Rows per frame asked of the backend when the client did not limit them: results stream in frames this size. */
    static final int FRAME_ROWS = 1000;

    private final GovernedConnection connection;
    private final String tenant;
    private final Executor cancels;
    private final TenantCatalogs catalogs;
    private volatile boolean cancelRequested;

    GovernedCalls(GovernedConnection connection, String tenant, Executor cancels, TenantCatalogs catalogs) {
        this.connection = connection;
        this.tenant = tenant;
        this.cancels = cancels;
        this.catalogs = catalogs;
    }

    // ------------------------------------------------------------------ the governed catalog

    /**
     * The rewrite of {@code sql} for the tenant's governed catalog, or null when it is not a catalog query (it then
     * takes the governed path). A catalog that cannot be read from the backend is the statement's error.
     */
    String catalogRewrite(String sql) {
        try {
            return catalogs.recognise(connection, sql);
        } catch (ProxyError e) {
            answeredLocally(sql, e);
            throw e;
        }
    }

    /** The columns and parameter count of a recognised catalog query, without running it. */
    TenantCatalogs.Answer describeCatalogQuery(String sql, String rewritten) {
        try {
            return catalogs.run(connection, rewritten, List.of(), true);
        } catch (ProxyError e) {
            answeredLocally(sql, e);
            throw e;
        }
    }

    /** Answers a recognised catalog query from the tenant's governed catalog: limited and audited like a statement. */
    TenantCatalogs.Answer answerCatalogQuery(String sql, String rewritten, List<TypedValue> parameters) {
        TenantCatalogs.Answer[] answer = new TenantCatalogs.Answer[1];
        connection.answerCatalogQuery(sql, () -> {
            answer[0] = catalogs.run(connection, rewritten, parameters, false);
            return answer[0].rows().size();
        });
        return answer[0];
    }

    /** Starts a COPY FROM STDIN (see {@link GovernedConnection#copyIn}). */
    GovernedConnection.CopyIn copyIn(String copySql, java.util.function.IntFunction<String> insertFor) {
        return connection.copyIn(copySql, insertFor);
    }

    /** The tenant's tables as its governed catalog has them, to learn a COPY target's columns. */
    com.akkio.dbproxy.server.governed.CatalogSnapshot catalogSnapshot() {
        return connection.catalogSnapshot();
    }

    /** The tenant's default schema, for unqualified names. */
    String defaultSchema() {
        return connection.policy().defaultSchema();
    }

    /** The tenant's default catalog, under its logical name. */
    String defaultCatalog() {
        return connection.policy().logicalCatalog(connection.policy().defaultCatalog());
    }

    /** BEGIN: the backend connection leaves autocommit, so the block's statements commit or roll back together. */
    void beginTransaction() {
        connection.autoCommit(false);
    }

    /** COMMIT ({@code commit}) or ROLLBACK of the block, then autocommit again, even if the first failed. */
    void endTransaction(boolean commit) {
        try {
            if (commit) {
                connection.commit();
            } else {
                connection.rollback();
            }
        } finally {
            connection.autoCommit(true);
        }
    }

    /** Records a statement this front end answered itself (or refused with {@code refusal}). */
    void answeredLocally(String sql, ProxyError refusal) {
        connection.answeredLocally(sql, refusal);
    }

    /** Refuses {@code sql} in a failed transaction block, and records the refusal. */
    void refuseIfFailed(Transaction transaction, String sql) {
        try {
            transaction.refuseIfFailed();
        } catch (ProxyError e) {
            answeredLocally(sql, e);
            throw e;
        }
    }

    Meta.StatementHandle createStatement() {
        return connection.createStatement();
    }

    /** Prepares through the governed path: the policy decides here. */
    Meta.StatementHandle prepare(String sql) {
        return connection.prepare(sql, -1);
    }

    /** Runs {@code sql} on statement {@code h}; the first frame holds up to {@link #FRAME_ROWS} rows. */
    Meta.MetaResultSet execute(Meta.StatementHandle h, String sql) {
        return call(() -> connection.execute(h, sql, -1, FRAME_ROWS)).resultSets.get(0);
    }

    Meta.MetaResultSet executePrepared(Meta.StatementHandle h, List<TypedValue> parameters, int firstFrameRows) {
        return call(() -> connection.executePrepared(h, parameters, firstFrameRows)).resultSets.get(0);
    }

    Meta.Frame fetch(Meta.StatementHandle h, long offset, int rows) {
        return call(() -> connection.fetch(h, offset, rows));
    }

    /** Closes a backend statement (null: nothing); a failure is only logged, the client has moved on. */
    void closeQuietly(Meta.StatementHandle h) {
        if (h == null) {
            return;
        }
        try {
            connection.closeStatement(h);
        } catch (ProxyError e) {
            LOG.debug("closing a statement failed: {}", e.getMessage());
        }
    }

    /** Closes the governed connection and every statement still open on it. */
    void close() {
        try {
            connection.close();
        } catch (ProxyError e) {
            LOG.debug("closing the connection of tenant {} failed: {}", tenant, e.getMessage());
        }
    }

    /** Whether an executed statement answered with rows to stream (otherwise it is a command, with a count). */
    static boolean hasRows(Meta.MetaResultSet rs) {
        return rs.signature != null && rs.updateCount < 0 && rs.firstFrame != null;
    }

    /** A cancelled or timed-out statement is closed in the backend (DuckDB closes it): it is prepared anew. */
    static boolean interrupted(ProxyError e) {
        return ErrorCode.QUERY_CANCELLED.sqlState().equals(e.getSqlState());
    }

    // ------------------------------------------------------------------ the client's cancel

    /** A CancelRequest (any thread): remembered, and the statement running, if {@code running}, is cancelled. */
    void cancel(boolean running) {
        cancelRequested = true;
        if (running) {
            cancels.execute(() -> {
                try {
                    connection.cancel();
                } catch (RuntimeException e) {
                    LOG.debug("cancel failed", e);
                }
            });
        }
    }

    /** A new statement starts: a cancel that came before it was for an earlier one. */
    void clearCancel() {
        cancelRequested = false;
    }

    /** Throws the client's cancel as an error, once, between frames of a result. */
    void checkCancelled() {
        if (cancelRequested) {
            cancelRequested = false;
            throw ProxyError.cancelledByClient(tenant);
        }
    }

    private interface CoreCall<T> {
        T run() throws NoSuchStatementException, MissingResultsException;
    }

    private static <T> T call(CoreCall<T> call) {
        try {
            return call.run();
        } catch (NoSuchStatementException e) {
            throw ProxyError.of(ErrorCode.STATEMENT_GONE, "the statement no longer exists in the proxy");
        } catch (MissingResultsException e) {
            throw ProxyError.of(ErrorCode.RESULT_GONE, "the result no longer exists in the proxy");
        }
    }
}

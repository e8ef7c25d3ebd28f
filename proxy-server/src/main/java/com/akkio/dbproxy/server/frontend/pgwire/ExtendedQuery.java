package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * The extended query protocol of one session: Parse, Bind, Describe, Execute and Close over its named (and unnamed)
 * {@link PgPreparedStatement}s and {@link PgPortal}s, and what Sync ends. A governed statement is prepared through
 * the governed path at Parse, so the policy answers there; a local one is answered by {@link LocalStatements} at
 * Execute. Errors are thrown as {@link ProxyError}s: the connection answers them and skips to Sync.
 */
final class ExtendedQuery {
    private final ClientChannel client;
    private final GovernedCalls calls;
    private final Transaction transaction;
    private final LocalStatements locals;
    private final SqlCursors cursors;
    private final Map<String, PgPreparedStatement> statements = new HashMap<>();
    private final Map<String, PgPortal> portals = new HashMap<>();

    ExtendedQuery(ClientChannel client, GovernedCalls calls, Transaction transaction, LocalStatements locals,
                  SqlCursors cursors) {
        this.client = client;
        this.calls = calls;
        this.transaction = transaction;
        this.locals = locals;
        this.cursors = cursors;
    }

    void parse(PgMessage.Parse m) {
        String name = m.name();
        if (!name.isEmpty() && statements.containsKey(name)) {
            throw ProxyError.of(ErrorCode.DUPLICATE_PREPARED_STATEMENT, "prepared statement \"" + name
                    + "\" already exists");
        }
        if (!name.isEmpty()) {
            NamedHandles.checkRoom("prepared statements", statements.size());
        }
        LocalStatement local = LocalStatement.recognize(m.sql());
        if (!(local instanceof LocalStatement.Commit || local instanceof LocalStatement.Rollback)) {
            calls.refuseIfFailed(transaction, m.sql());
        }
        if (name.isEmpty()) {
            closeStatement(statements.remove(""));
        }
        PgPreparedStatement p = new PgPreparedStatement(m.sql(), local, m.parameterOids());
        if (local == null && !p.prepareCatalog(calls)) {
            p.prepare(calls);
        }
        statements.put(name, p);
        client.writeEmpty('1');
    }

    void bind(PgMessage.Bind m) {
        PgPreparedStatement p = statement(m.statement());
        String portalName = m.portal();
        if (!portalName.isEmpty() && portals.containsKey(portalName)) {
            throw ProxyError.of(ErrorCode.DUPLICATE_PORTAL, "portal \"" + portalName + "\" already exists");
        }
        closePortal(portals.remove(portalName));
        NamedHandles.checkRoom("portals", portals.size());
        byte[][] values = m.values();
        int[] oids = p.parameterOids();
        if (values.length != oids.length) {
            throw ProxyError.of(ErrorCode.BIND_PARAMETER_COUNT, "bind message supplies " + values.length
                    + " parameters, but prepared statement \"" + m.statement() + "\" requires " + oids.length);
        }
        short[] formats = m.parameterFormats();
        if (formats.length > 1 && formats.length != values.length) {
            throw new PgIn.ProtocolViolation("bind message has " + formats.length + " parameter formats for "
                    + values.length + " parameters");
        }
        List<TypedValue> parameters = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            PgType type = PgType.ofOid(oids[i]);
            try {
                parameters.add((type == null ? PgType.TEXT : type).parameter(values[i], PgOut.binary(formats, i)));
            } catch (RuntimeException e) {
                throw ProxyError.of(ErrorCode.INVALID_PARAMETER_VALUE, "invalid value for parameter $" + (i + 1)
                        + ": " + e.getMessage());
            }
        }
        portals.put(portalName, new PgPortal(p, parameters, m.resultFormats()));
        client.writeEmpty('2');
    }

    void describe(PgMessage.Describe m) {
        if (m.target() == PgMessage.Target.STATEMENT) {
            PgPreparedStatement p = statement(m.name());
            client.write(PgOut.parameterDescription(client.alloc(), p.parameterOids()));
            describeRows(p, new short[0]);
        } else {
            PgPortal portal = portal(m.name());
            describeRows(portal.statement, portal.resultFormats);
        }
    }

    private void describeRows(PgPreparedStatement p, short[] formats) {
        List<PgOut.Field> fields;
        if (p.local instanceof LocalStatement.Fetch f) {
            fields = cursors.fields(f.name(), formats);
        } else if (p.local != null) {
            fields = LocalStatements.fields(p.local, formats);
        } else if (p.catalog != null) {
            fields = PgOut.fields(p.catalogColumns, formats);
        } else {
            p.ensurePrepared(calls);
            fields = p.returnsRows() ? PgOut.fields(p.handle.signature.columns, formats) : List.of();
        }
        client.write(fields.isEmpty() ? PgOut.empty(client.alloc(), 'n')
                : PgOut.rowDescription(client.alloc(), fields));
    }

    void execute(PgMessage.Execute m) {
        calls.clearCancel();
        PgPortal portal = portal(m.portal());
        PgPreparedStatement p = portal.statement;
        if (p.local != null) {
            locals.run(p.sql, p.local, false, portal.resultFormats);
            return;
        }
        calls.refuseIfFailed(transaction, p.sql);
        if (portal.finished) {
            client.commandComplete("SELECT 0");
            return;
        }
        int maxRows = m.maxRows();
        if (portal.result == null && !open(portal, maxRows)) {
            return;
        }
        try {
            portal.result.sendMore(Math.max(0, maxRows));
        } catch (ProxyError e) {
            closePortal(portal);
            throw e;
        }
        if (portal.result.done()) {
            portal.finished = true;
            p.active = null;
            client.commandComplete("SELECT " + portal.result.sent);
        } else {
            client.writeEmpty('s');
        }
    }

    /** Executes the portal's statement: true when it opened a result to send, false when it completed a command. */
    private boolean open(PgPortal portal, int maxRows) {
        PgPreparedStatement p = portal.statement;
        if (p.catalog != null) {
            TenantCatalogs.Answer answer = calls.answerCatalogQuery(p.sql, p.catalog, portal.parameters);
            portal.result = new ResultStream(client, calls, null, answer.columns(), portal.resultFormats,
                    Meta.Frame.create(0, true, answer.rows()));
            return true;
        }
        if (p.active != null && p.active != portal) {
            closePortal(p.active); // one open result per backend statement
        }
        p.ensurePrepared(calls);
        Meta.StatementHandle h = p.handle;
        int first = maxRows > 0 ? Math.min(maxRows, GovernedCalls.FRAME_ROWS) : GovernedCalls.FRAME_ROWS;
        Meta.MetaResultSet rs;
        try {
            rs = calls.executePrepared(h, portal.parameters, first);
        } catch (ProxyError e) {
            if (GovernedCalls.interrupted(e)) {
                p.handle = null;
                calls.closeQuietly(h);
            }
            throw e;
        }
        if (!GovernedCalls.hasRows(rs)) {
            portal.finished = true;
            client.commandComplete(CommandTags.of(p.sql, Math.max(0, rs.updateCount)));
            return false;
        }
        portal.result = new ResultStream(client, calls, h, rs.signature.columns, portal.resultFormats, rs.firstFrame);
        p.active = portal;
        return true;
    }

    void close(PgMessage.Close m) {
        if (m.target() == PgMessage.Target.STATEMENT) {
            closeStatement(statements.remove(m.name()));
        } else {
            closePortal(portals.remove(m.name()));
        }
        client.writeEmpty('3');
    }

    /** Sync outside a transaction block: the implicit transaction of the batch ends here, and its portals with it. */
    void sync() {
        if (transaction.state() == TransactionState.IDLE) {
            closeAllPortals();
        }
    }

    /** A simple Query replaces the unnamed statement and portal. */
    void closeUnnamed() {
        closePortal(portals.remove(""));
        closeStatement(statements.remove(""));
    }

    /** The transaction block ended: every portal closes. */
    void closeAllPortals() {
        portals.values().forEach(this::closePortal);
        portals.clear();
    }

    private PgPreparedStatement statement(String name) {
        return NamedHandles.find(statements, name, ErrorCode.UNKNOWN_PREPARED_STATEMENT, "prepared statement");
    }

    private PgPortal portal(String name) {
        return NamedHandles.find(portals, name, ErrorCode.UNKNOWN_PORTAL, "portal");
    }

    private void closePortal(PgPortal portal) {
        if (portal != null) {
            portal.close(calls);
        }
    }

    private void closeStatement(PgPreparedStatement p) {
        if (p == null) {
            return;
        }
        List<PgPortal> bound = portals.values().stream().filter(portal -> portal.statement == p).toList();
        bound.forEach(portal -> portal.close(calls));
        portals.values().removeAll(bound);
        Meta.StatementHandle h = p.handle;
        p.handle = null;
        calls.closeQuietly(h);
    }
}

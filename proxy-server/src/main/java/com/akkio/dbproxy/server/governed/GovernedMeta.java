package com.akkio.dbproxy.server.governed;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.backend.QueryTimeouts;
import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.admin.ProxyMetrics;
import com.akkio.dbproxy.server.audit.AuditEvent;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.audit.Sha256;
import com.akkio.dbproxy.server.limits.TenantLimiter;
import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.proto.Requests;
import org.apache.calcite.avatica.remote.ProtobufMeta;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every Avatica call passes: a {@code Meta} that binds connections and statements to the tenant that
 * opened them, sends every SQL text through {@link PolicyEngine#decide} and only the rewritten text to the backend,
 * admits statements through the tenant's limits, audits each one, filters metadata, and turns backend failures into
 * clean errors. Everything it does not govern it refuses.
 */
public final class GovernedMeta implements ProtobufMeta {
    private static final Logger LOG = LoggerFactory.getLogger(GovernedMeta.class);

    private final PolicyEngine engine = new PolicyEngine();
    private final AuditLog audit;
    private final ProxyMetrics metrics;
    private final boolean auditRawSql;
    private final int maxConnectionsPerTenant;
    private final long idleNanos;
    private volatile Map<String, TenantRuntime> tenants;
    private final ConcurrentHashMap<String, GovernedConnection> sessions = new ConcurrentHashMap<>();

    public GovernedMeta(Map<String, TenantRuntime> tenants, AuditLog audit, ProxyMetrics metrics, boolean auditRawSql,
                 int maxConnectionsPerTenant, long idleSeconds) {
        this.tenants = Map.copyOf(tenants);
        this.audit = audit;
        this.metrics = metrics;
        this.auditRawSql = auditRawSql;
        this.maxConnectionsPerTenant = maxConnectionsPerTenant;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        metrics.policyDecisions(engine::decisions);
    }

    // ---------------------------------------------------------------- binding

    private static Caller caller() {
        Caller caller = Caller.current();
        if (caller == null || caller.tenant() == null) {
            throw ProxyError.authentication("request without an authenticated tenant");
        }
        return caller;
    }

    private GovernedConnection session(String connectionId) {
        Caller caller = caller();
        GovernedConnection s = sessions.get(connectionId);
        if (s == null || !s.tenantName().equals(caller.tenant())) {
            throw ProxyError.unknownHandle("connection");
        }
        if (s.tenant.retired()) {
            throw ProxyError.authentication("tenant '" + s.tenantName() + "' is no longer configured");
        }
        s.lastUsedNanos = System.nanoTime();
        return s;
    }

    private GovernedConnection session(ConnectionHandle ch) {
        return session(ch.id);
    }

    private GovernedConnection statement(StatementHandle h) {
        GovernedConnection s = session(h.connectionId);
        if (!s.statements.contains(h.id)) {
            throw ProxyError.unknownHandle("statement");
        }
        return s;
    }

    // ---------------------------------------------------------------- connections

    @Override
    public void openConnection(ConnectionHandle ch, Map<String, String> info) {
        Caller caller = caller();
        TenantRuntime tenant = tenants.get(caller.tenant());
        if (tenant == null) {
            throw ProxyError.authentication("tenant is no longer configured");
        }
        if (tenant.connections.incrementAndGet() > maxConnectionsPerTenant) {
            tenant.connections.decrementAndGet();
            throw new ProxyError(TenantLimiter.SQLSTATE_THROTTLED, 2003, "TOO_MANY_CONNECTIONS: tenant '"
                    + caller.tenant() + "' already has " + maxConnectionsPerTenant
                    + " open connections (rule: server.max_connections_per_tenant)");
        }
        GovernedConnection session = new GovernedConnection(ch.id, tenant, caller);
        if (sessions.putIfAbsent(ch.id, session) != null) {
            tenant.connections.decrementAndGet();
            throw new ProxyError(ProxyError.INVALID_HANDLE, 3102, "CONNECTION_ID_IN_USE: choose another connection id");
        }
        try {
            // the client's properties never reach the backend: its connection is the proxy's own
            tenant.meta.openConnection(ch, Map.of(QueryTimeouts.PROPERTY,
                    Long.toString(Math.max(1, tenant.config().limits().queryTimeout().toSeconds()))));
        } catch (RuntimeException e) {
            forget(session);
            throw backendFailure(tenant, e);
        }
    }

    @Override
    public void closeConnection(ConnectionHandle ch) {
        GovernedConnection s = session(ch);
        close(s);
    }

    private void close(GovernedConnection s) {
        for (Map.Entry<Integer, StatementRun> run : s.runs.entrySet()) {
            complete(s, run.getValue(), "allow", "CLOSED", run.getValue().rows);
        }
        s.runs.clear();
        try {
            s.tenant.meta.closeConnection(new ConnectionHandle(s.connectionId));
        } catch (RuntimeException e) {
            LOG.debug("closing backend connection of {} failed", s.tenantName(), e);
        } finally {
            forget(s);
        }
    }

    private void forget(GovernedConnection s) {
        if (sessions.remove(s.connectionId, s)) {
            s.tenant.connections.decrementAndGet();
        }
    }

    /** Closes connections idle for longer than the configured timeout; called periodically. */
    public void expireIdle() {
        long now = System.nanoTime();
        for (GovernedConnection s : sessions.values()) {
            if (now - s.lastUsedNanos > idleNanos) {
                LOG.info("closing idle connection of tenant {}", s.tenantName());
                close(s);
            }
        }
    }

    /** Closes the connections of a tenant that was removed from the configuration. */
    public void closeTenant(String tenant) {
        for (GovernedConnection s : sessions.values()) {
            if (s.tenantName().equals(tenant)) {
                close(s);
            }
        }
    }

    /** Closes every connection, for shutdown. */
    public void closeAll() {
        sessions.values().forEach(this::close);
    }

    public int openConnections() {
        return sessions.size();
    }

    public void tenants(Map<String, TenantRuntime> updated) {
        this.tenants = Map.copyOf(updated);
    }

    @Override
    public ConnectionProperties connectionSync(ConnectionHandle ch, ConnectionProperties props) {
        GovernedConnection s = session(ch);
        if (props.getCatalog() != null || props.getSchema() != null) {
            throw ProxyError.unsupported("changing the connection's catalog or schema (names resolve through the"
                    + " tenant's policy)");
        }
        ConnectionProperties backend = s.tenant.meta.connectionSync(ch, props);
        // the client's idea of the current catalog and schema is the tenant's own default, under its logical name
        TenantPolicy policy = s.tenant.config().policy();
        return new ConnectionPropertiesImpl(backend.isAutoCommit(), backend.isReadOnly(),
                backend.getTransactionIsolation(), policy.logicalCatalog(policy.defaultCatalog()),
                policy.defaultSchema());
    }

    @Override
    public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
        return session(ch).tenant.meta.getDatabaseProperties(ch);
    }

    @Override
    public void commit(ConnectionHandle ch) {
        GovernedConnection s = session(ch);
        try {
            s.tenant.meta.commit(ch);
        } catch (RuntimeException e) {
            throw backendFailure(s.tenant, e);
        }
    }

    @Override
    public void rollback(ConnectionHandle ch) {
        GovernedConnection s = session(ch);
        try {
            s.tenant.meta.rollback(ch);
        } catch (RuntimeException e) {
            throw backendFailure(s.tenant, e);
        }
    }

    /**
     * Cancels whatever the connection's backend statements are running, at the request of the connection's tenant
     * (Avatica has no cancel message; the PostgreSQL front end's CancelRequest ends here). The statement that was
     * running fails with {@code 57014 QUERY_CANCELLED}; a cancel arriving when nothing runs has no effect.
     */
    public void cancel(ConnectionHandle ch) {
        GovernedConnection s = session(ch);
        s.cancelRequested.set(true);
        try {
            s.tenant.meta.cancelRunning(ch.id);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("cancelling a statement of tenant {} failed", s.tenantName(), e);
        }
    }

    // ---------------------------------------------------------------- statements

    @Override
    public StatementHandle createStatement(ConnectionHandle ch) {
        GovernedConnection s = session(ch);
        StatementHandle h = s.tenant.meta.createStatement(ch);
        s.statements.add(h.id);
        return h;
    }

    @Override
    public void closeStatement(StatementHandle h) {
        GovernedConnection s = statement(h);
        StatementRun run = s.runs.remove(h.id);
        if (run != null) {
            complete(s, run, "allow", "CLOSED", run.rows);
        }
        s.statements.remove(h.id);
        s.prepared.remove(h.id);
        s.tenant.meta.closeStatement(h);
    }

    @Override
    public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
        GovernedConnection s = session(ch);
        Decision d = decideOrRefuse(s, sql);
        StatementHandle h;
        try {
            h = d.kind() == StatementKind.QUERY ? s.tenant.meta.prepareQuery(ch, d.rewrittenSql(), cap(s, maxRowCount))
                    : s.tenant.meta.prepare(ch, d.rewrittenSql(), cap(s, maxRowCount));
        } catch (RuntimeException e) {
            throw backendFailure(s.tenant, e);
        }
        s.statements.add(h.id);
        s.prepared.put(h.id, new GovernedConnection.Prepared(sql, Sha256.hex(sql), s.tenant.config().policy(), d));
        h.signature = withSql(h.signature, sql);
        return h;
    }

    @Override
    @SuppressWarnings("deprecation")
    public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount, PrepareCallback callback)
            throws NoSuchStatementException {
        return prepareAndExecute(h, sql, maxRowCount, -1, callback);
    }

    @Override
    public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame,
                                           PrepareCallback callback) throws NoSuchStatementException {
        GovernedConnection s = statement(h);
        Decision d = decideOrRefuse(s, sql);
        s.cancelRequested.set(false);
        StatementRun run = StatementRun.begin(sql, d);
        try (TenantLimiter.Permit permit = admit(s, run)) {
            ExecuteResult result = countless(d.kind() == StatementKind.QUERY
                    ? s.tenant.meta.query(h, d.rewrittenSql(), cap(s, maxRowCount), maxRowsInFirstFrame)
                    : s.tenant.meta.prepareAndExecute(h, d.rewrittenSql(), cap(s, maxRowCount), maxRowsInFirstFrame,
                            callback));
            finishFirstFrames(s, h, run, result);
            return result;
        } catch (NoSuchStatementException e) {
            complete(s, run, "error", "NO_SUCH_STATEMENT", -1);
            throw e;
        } catch (RuntimeException e) {
            throw failed(s, run, e);
        }
    }

    @Override
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, int maxRowsInFirstFrame)
            throws NoSuchStatementException {
        GovernedConnection s = statement(h);
        StatementRun run = prepared(s, h).run();
        s.cancelRequested.set(false);
        try (TenantLimiter.Permit permit = admit(s, run)) {
            ExecuteResult result = countless(s.tenant.meta.execute(h, parameterValues, maxRowsInFirstFrame));
            finishFirstFrames(s, h, run, result);
            return result;
        } catch (NoSuchStatementException e) {
            complete(s, run, "error", "NO_SUCH_STATEMENT", -1);
            throw e;
        } catch (RuntimeException e) {
            throw failed(s, run, e);
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, long maxRowCount)
            throws NoSuchStatementException {
        return execute(h, parameterValues, (int) Math.min(Integer.MAX_VALUE, Math.max(-1, maxRowCount)));
    }

    @Override
    public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
            throws NoSuchStatementException, MissingResultsException {
        GovernedConnection s = statement(h);
        Frame frame;
        try {
            frame = s.tenant.meta.fetch(h, offset, fetchMaxRowCount);
        } catch (RuntimeException e) {
            StatementRun run = s.runs.remove(h.id);
            if (run != null) {
                throw failed(s, run, e);
            }
            throw backendFailure(s.tenant, e);
        }
        StatementRun run = s.runs.get(h.id);
        if (run != null) {
            run.rows += count(frame);
            if (frame.done) {
                s.runs.remove(h.id);
                complete(s, run, "allow", "ALLOWED", run.rows);
            }
        }
        return frame;
    }

    @Override
    public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
            throws NoSuchStatementException {
        GovernedConnection s = statement(h);
        List<Decision> decisions = new ArrayList<>(sqlCommands.size());
        List<String> rewritten = new ArrayList<>(sqlCommands.size());
        for (String sql : sqlCommands) {
            Decision d = decideOrRefuse(s, sql);
            decisions.add(d);
            rewritten.add(d.rewrittenSql());
        }
        List<StatementRun> runs = new ArrayList<>(sqlCommands.size());
        for (int i = 0; i < sqlCommands.size(); i++) {
            runs.add(StatementRun.begin(sqlCommands.get(i), decisions.get(i)));
        }
        try (TenantLimiter.Permit permit = admit(s, runs)) {
            ExecuteBatchResult result = s.tenant.meta.prepareAndExecuteBatch(h, rewritten);
            completeBatch(s, runs, result);
            return result;
        } catch (RuntimeException e) {
            throw failedBatch(s, runs, e);
        }
    }

    @Override
    public ExecuteBatchResult executeBatch(StatementHandle h, List<List<TypedValue>> parameterValues)
            throws NoSuchStatementException {
        GovernedConnection s = statement(h);
        List<StatementRun> runs = batchRuns(prepared(s, h), parameterValues.size());
        try (TenantLimiter.Permit permit = admit(s, runs)) {
            ExecuteBatchResult result = s.tenant.meta.executeBatch(h, parameterValues);
            completeBatch(s, runs, result);
            return result;
        } catch (RuntimeException e) {
            throw failedBatch(s, runs, e);
        }
    }

    @Override
    public ExecuteBatchResult executeBatchProtobuf(StatementHandle h, List<Requests.UpdateBatch> parameterValues)
            throws NoSuchStatementException {
        GovernedConnection s = statement(h);
        List<StatementRun> runs = batchRuns(prepared(s, h), parameterValues.size());
        try (TenantLimiter.Permit permit = admit(s, runs)) {
            ExecuteBatchResult result = s.tenant.meta.executeBatchProtobuf(h, parameterValues);
            completeBatch(s, runs, result);
            return result;
        } catch (RuntimeException e) {
            throw failedBatch(s, runs, e);
        }
    }

    /** Re-running a statement from client-held state would bypass the decision: refused. */
    @Override
    public boolean syncResults(StatementHandle h, QueryState state, long offset) {
        statement(h);
        throw ProxyError.unsupported("re-synchronising results (syncResults)");
    }

    @Override
    public Iterable<Object> createIterable(StatementHandle h, QueryState state, Signature signature,
                                           List<TypedValue> parameters, Frame firstFrame) {
        return statement(h).tenant.meta.createIterable(h, state, signature, parameters, firstFrame);
    }

    // ---------------------------------------------------------------- metadata

    private interface MetadataQuery {
        TenantMetadata.Answer run(TenantMetadata metadata) throws SQLException;
    }

    private MetaResultSet metadata(ConnectionHandle ch, MetadataQuery query) {
        GovernedConnection s = session(ch);
        TenantMetadata.Answer answer;
        try {
            answer = query.run(new TenantMetadata(s.tenant.config().policy(),
                    s.tenant.meta.backendConnection(ch.id)));
        } catch (SQLException | RuntimeException e) {
            throw backendFailure(s.tenant, e);
        }
        StatementHandle h = createStatement(ch);
        return MetaResultSet.create(ch.id, h.id, true, TenantMetadata.signature(answer),
                Frame.create(0, true, answer.rows()));
    }

    @Override
    public MetaResultSet getCatalogs(ConnectionHandle ch) {
        return metadata(ch, TenantMetadata::catalogs);
    }

    @Override
    public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
        return metadata(ch, m -> m.schemas(catalog, schemaPattern.s));
    }

    @Override
    public MetaResultSet getTables(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
                                   List<String> typeList) {
        return metadata(ch, m -> m.tables(catalog, schemaPattern.s, tableNamePattern.s,
                typeList == null ? null : typeList.toArray(new String[0])));
    }

    @Override
    public MetaResultSet getColumns(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
                                    Pat columnNamePattern) {
        return metadata(ch, m -> m.columns(catalog, schemaPattern.s, tableNamePattern.s, columnNamePattern.s));
    }

    @Override
    public MetaResultSet getTableTypes(ConnectionHandle ch) {
        return session(ch).tenant.meta.getTableTypes(ch);
    }

    @Override
    public MetaResultSet getTypeInfo(ConnectionHandle ch) {
        return session(ch).tenant.meta.getTypeInfo(ch);
    }

    /** Metadata Avatica's remote protocol never asks the server for; refused rather than passed through. */
    private MetaResultSet notServed(ConnectionHandle ch, String what) {
        session(ch);
        throw ProxyError.unsupported(what);
    }

    @Override
    public MetaResultSet getProcedures(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                       Pat procedureNamePattern) {
        return notServed(ch, "getProcedures");
    }

    @Override
    public MetaResultSet getProcedureColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                             Pat procedureNamePattern, Pat columnNamePattern) {
        return notServed(ch, "getProcedureColumns");
    }

    @Override
    public MetaResultSet getColumnPrivileges(ConnectionHandle ch, String catalog, String schema, String table,
                                             Pat columnNamePattern) {
        return notServed(ch, "getColumnPrivileges");
    }

    @Override
    public MetaResultSet getTablePrivileges(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                            Pat tableNamePattern) {
        return notServed(ch, "getTablePrivileges");
    }

    @Override
    public MetaResultSet getBestRowIdentifier(ConnectionHandle ch, String catalog, String schema, String table,
                                              int scope, boolean nullable) {
        return notServed(ch, "getBestRowIdentifier");
    }

    @Override
    public MetaResultSet getVersionColumns(ConnectionHandle ch, String catalog, String schema, String table) {
        return notServed(ch, "getVersionColumns");
    }

    @Override
    public MetaResultSet getPrimaryKeys(ConnectionHandle ch, String catalog, String schema, String table) {
        return notServed(ch, "getPrimaryKeys");
    }

    @Override
    public MetaResultSet getImportedKeys(ConnectionHandle ch, String catalog, String schema, String table) {
        return notServed(ch, "getImportedKeys");
    }

    @Override
    public MetaResultSet getExportedKeys(ConnectionHandle ch, String catalog, String schema, String table) {
        return notServed(ch, "getExportedKeys");
    }

    @Override
    public MetaResultSet getCrossReference(ConnectionHandle ch, String parentCatalog, String parentSchema,
                                           String parentTable, String foreignCatalog, String foreignSchema,
                                           String foreignTable) {
        return notServed(ch, "getCrossReference");
    }

    @Override
    public MetaResultSet getIndexInfo(ConnectionHandle ch, String catalog, String schema, String table,
                                      boolean unique, boolean approximate) {
        return notServed(ch, "getIndexInfo");
    }

    @Override
    public MetaResultSet getUDTs(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat typeNamePattern,
                                 int[] types) {
        return notServed(ch, "getUDTs");
    }

    @Override
    public MetaResultSet getSuperTypes(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat typeNamePattern) {
        return notServed(ch, "getSuperTypes");
    }

    @Override
    public MetaResultSet getSuperTables(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                        Pat tableNamePattern) {
        return notServed(ch, "getSuperTables");
    }

    @Override
    public MetaResultSet getAttributes(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat typeNamePattern,
                                       Pat attributeNamePattern) {
        return notServed(ch, "getAttributes");
    }

    @Override
    public MetaResultSet getClientInfoProperties(ConnectionHandle ch) {
        return notServed(ch, "getClientInfoProperties");
    }

    @Override
    public MetaResultSet getFunctions(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                      Pat functionNamePattern) {
        return notServed(ch, "getFunctions");
    }

    @Override
    public MetaResultSet getFunctionColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                            Pat functionNamePattern, Pat columnNamePattern) {
        return notServed(ch, "getFunctionColumns");
    }

    @Override
    public MetaResultSet getPseudoColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                          Pat tableNamePattern, Pat columnNamePattern) {
        return notServed(ch, "getPseudoColumns");
    }

    // ---------------------------------------------------------------- decisions, admission, audit

    private Decision decideOrRefuse(GovernedConnection s, String sql) {
        long start = System.nanoTime();
        Decision d = engine.decide(s.tenant.config().policy(), sql);
        if (!d.isAllowed()) {
            write(AuditEvent.COMPLETE, s, AuditEvent.newRequestId(), Sha256.hex(sql), sql, d, "deny", d.code().name(), -1,
                    System.nanoTime() - start);
            throw new ProxyError(d.code().sqlState(), d.code().vendorCode(), d.code().name() + ": " + d.reason());
        }
        return d;
    }

    /** A prepared statement, decided again if the tenant's policy was reloaded since it was last decided. */
    private GovernedConnection.Prepared prepared(GovernedConnection s, StatementHandle h) {
        GovernedConnection.Prepared p = s.prepared.get(h.id);
        if (p == null) {
            throw ProxyError.unsupported("executing a statement that was not prepared through the proxy");
        }
        TenantPolicy policy = s.tenant.config().policy();
        if (p.policy() == policy) {
            return p;
        }
        Decision d = decideOrRefuse(s, p.sql());
        if (!d.rewrittenSql().equals(p.decision().rewrittenSql())) {
            throw new ProxyError(ProxyError.FEATURE_NOT_SUPPORTED, 3202, "PREPARE_AGAIN: the tenant's policy changed"
                    + " how this statement is rewritten; prepare it again");
        }
        GovernedConnection.Prepared again = new GovernedConnection.Prepared(p.sql(), p.sqlSha256(), policy, d);
        s.prepared.replace(h.id, p, again);
        return again;
    }

    private static long cap(GovernedConnection s, long requested) {
        long max = s.tenant.config().policy().maxRows();
        return requested <= 0 ? max : Math.min(requested, max);
    }

    /** Admits the statement, then records it before the backend sees it; a refusal is recorded instead. */
    private TenantLimiter.Permit admit(GovernedConnection s, StatementRun run) {
        return admit(s, List.of(run));
    }

    private TenantLimiter.Permit admit(GovernedConnection s, List<StatementRun> runs) {
        TenantLimiter.Permit permit;
        try {
            permit = s.tenant.limiter().admit();
        } catch (SQLException e) {
            for (StatementRun run : runs) {
                complete(s, run, "throttled", "THROTTLED", -1);
            }
            throw new ProxyError(e.getSQLState(), e.getErrorCode(), e.getMessage());
        }
        try {
            for (StatementRun run : runs) {
                write(AuditEvent.FORWARD, s, run.requestId, run.sqlSha256, run.sql, run.decision, "allow", "ALLOWED",
                        -1, -1);
            }
        } catch (RuntimeException e) {
            permit.close();
            metrics.auditWriteFailure();
            LOG.error("audit log write failed; statement of tenant {} not forwarded", s.tenantName(), e);
            throw new ProxyError(ProxyError.BACKEND_UNAVAILABLE, 2301,
                    "AUDIT_UNAVAILABLE: the statement was not run because it could not be audited");
        }
        return permit;
    }

    private void finishFirstFrames(GovernedConnection s, StatementHandle h, StatementRun run, ExecuteResult result) {
        long rows = 0;
        boolean open = false;
        for (MetaResultSet rs : result.resultSets) {
            if (rs.updateCount >= 0) {
                rows += rs.updateCount;
            } else if (rs.firstFrame != null) {
                rows += count(rs.firstFrame);
                open |= !rs.firstFrame.done;
            }
        }
        run.rows = rows;
        if (open) {
            s.runs.put(h.id, run);
        } else {
            complete(s, run, "allow", "ALLOWED", rows);
        }
    }

    /**
     * DDL such as CREATE TABLE AS reports neither rows nor an update count (-1) in DuckDB's driver, which Avatica's
     * service would mistake for a result set without a signature: report it as 0 rows changed.
     */
    private static ExecuteResult countless(ExecuteResult result) {
        List<MetaResultSet> fixed = null;
        for (int i = 0; i < result.resultSets.size(); i++) {
            MetaResultSet rs = result.resultSets.get(i);
            if (rs.signature == null && rs.updateCount < 0) {
                if (fixed == null) {
                    fixed = new ArrayList<>(result.resultSets);
                }
                fixed.set(i, MetaResultSet.count(rs.connectionId, rs.statementId, 0));
            }
        }
        return fixed == null ? result : new ExecuteResult(fixed);
    }

    private void completeBatch(GovernedConnection s, List<StatementRun> runs, ExecuteBatchResult result) {
        for (int i = 0; i < runs.size(); i++) {
            long rows = result.updateCounts != null && i < result.updateCounts.length ? result.updateCounts[i] : -1;
            complete(s, runs.get(i), "allow", "ALLOWED", rows);
        }
    }

    private static List<StatementRun> batchRuns(GovernedConnection.Prepared p, int count) {
        List<StatementRun> runs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            runs.add(p.run());
        }
        return runs;
    }

    private ProxyError failed(GovernedConnection s, StatementRun run, RuntimeException e) {
        if (e instanceof ProxyError pe) {
            return pe; // refused before forwarding, and recorded where it was refused
        }
        ProxyError error = s.cancelRequested.getAndSet(false) ? ProxyError.cancelledByClient(s.tenantName())
                : backendFailure(s.tenant, e);
        complete(s, run, "error", error.getSqlState(), -1);
        return error;
    }

    private ProxyError failedBatch(GovernedConnection s, List<StatementRun> runs, RuntimeException e) {
        if (e instanceof ProxyError pe) {
            return pe;
        }
        ProxyError error = backendFailure(s.tenant, e);
        for (StatementRun run : runs) {
            complete(s, run, "error", error.getSqlState(), -1);
        }
        return error;
    }

    private void complete(GovernedConnection s, StatementRun run, String decision, String code, long rows) {
        write(AuditEvent.COMPLETE, s, run.requestId, run.sqlSha256, run.sql, run.decision, decision, code, rows,
                System.nanoTime() - run.startNanos);
    }

    /**
     * Writes one audit record ({@code durationNanos} -1 for none): a forward record now, failing if it cannot be
     * written; a complete record, and the statement's metrics, once the client has its response.
     */
    private void write(String event, GovernedConnection s, String requestId, String sqlSha256, String sql, Decision d,
                       String decision, String code, long rows, long durationNanos) {
        AuditEvent record = new AuditEvent(event, Instant.now(), requestId, s.tenantName(), s.opener.address(),
                s.tenant.meta.backend().name(), warehouse(s),
                d == null || d.kind() == null ? null : d.kind().configName(), sqlSha256, decision, code, rows,
                durationNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(durationNanos), s.opener.userAgent(),
                auditRawSql ? sql : null);
        if (event.equals(AuditEvent.FORWARD)) {
            append(record);
            return;
        }
        AfterResponse.run(() -> {
            try {
                append(record);
            } catch (RuntimeException e) {
                metrics.auditWriteFailure();
                LOG.error("audit log write failed; the complete record of request {} (tenant {}) is lost",
                        requestId, s.tenantName(), e);
            }
            metrics.statement(s.tenantName(), decision, code, durationNanos);
        });
    }

    private void append(AuditEvent record) {
        long start = System.nanoTime();
        audit.write(record);
        metrics.auditWrite(System.nanoTime() - start);
    }

    /** Only Databricks backends have warehouses, and only there is it worth asking which one a connection uses. */
    private static String warehouse(GovernedConnection s) {
        return s.tenant.meta.backend().warehouseId() == null ? null : s.tenant.meta.warehouseOf(s.connectionId);
    }

    private static long count(Frame frame) {
        if (frame.rows instanceof java.util.Collection<?> c) {
            return c.size();
        }
        long n = 0;
        for (Object ignored : frame.rows) {
            n++;
        }
        return n;
    }

    /** The signature the client sees names its own SQL text, not the physical rewrite. */
    private static Signature withSql(Signature sig, String sql) {
        if (sig == null) {
            return null;
        }
        List<AvaticaParameter> parameters = sig.parameters;
        return new Signature(sig.columns, sql, parameters, sig.internalParameters, sig.cursorFactory,
                sig.statementType);
    }

    /** A backend failure as the client should see it: SQLState and first line of the message, no stack trace. */
    static ProxyError backendFailure(TenantRuntime tenant, Throwable e) {
        if (e instanceof ProxyError pe) {
            return pe;
        }
        String backend = tenant.meta.backend().name();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTimeoutException) {
                return new ProxyError(ProxyError.CANCELLED, 2102, "QUERY_TIMEOUT: the statement ran longer than"
                        + " tenant '" + tenant.name() + "' allows (" + tenant.config().limits().queryTimeout()
                        .toSeconds() + " s, rule: query_timeout_seconds) and was cancelled in the backend");
            }
            if (t instanceof SQLTransientConnectionException && t.getCause() == null) {
                return new ProxyError(ProxyError.BACKEND_UNAVAILABLE, 2201, "BACKEND_UNAVAILABLE: backend '" + backend
                        + "' has no free connection (pool wait exceeded): " + firstLine(t.getMessage()));
            }
            if (t instanceof SQLTransientConnectionException || t instanceof SQLException sql && unreachable(sql)) {
                // a pool timeout with a cause: the pool had room, but connecting failed
                Throwable why = t.getCause() != null ? t.getCause() : t;
                return new ProxyError(ProxyError.BACKEND_UNAVAILABLE, 2204, "BACKEND_UNAVAILABLE: backend '" + backend
                        + "' cannot be reached: " + withoutDriverConfig(firstLine(why.getMessage())));
            }
            if (t instanceof SQLException sql && credentialsUnavailable(sql)) {
                return new ProxyError(ProxyError.BACKEND_UNAVAILABLE, 2205, "BACKEND_UNAVAILABLE: backend '" + backend
                        + "' cannot obtain an access token: " + withoutDriverConfig(firstLine(sql.getMessage())));
            }
            if (t instanceof SQLException sql) {
                String state = isStandardState(sql.getSQLState()) ? sql.getSQLState() : "HY000";
                return new ProxyError(state, sql.getErrorCode() == 0 ? 2202 : sql.getErrorCode(),
                        "BACKEND_ERROR: " + firstLine(sql.getMessage()) + warehouseReason(sql.getMessage()));
            }
        }
        LOG.warn("unexpected failure on backend {}", backend, e);
        return new ProxyError("HY000", 2203, "BACKEND_ERROR: backend '" + backend + "' failed: "
                + firstLine(e.getMessage()));
    }

    private static boolean isStandardState(String state) {
        return state != null && state.matches("[0-9A-Z]{5}");
    }

    /**
     * True when the Databricks driver could not get or refresh its OAuth token (the token endpoint is down, or the
     * secret was revoked): the backend is unavailable to this proxy, not the statement wrong.
     */
    private static boolean credentialsUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("oauth-m2m auth:")) {
                return true;
            }
        }
        return false;
    }

    /** The Databricks SDK appends its configuration (workspace host, client id) to messages; tenants get none. */
    private static String withoutDriverConfig(String message) {
        int config = message.indexOf(" Config: ");
        return config < 0 ? message : message.substring(0, config);
    }

    /**
     * databricks-jdbc reports a statement the warehouse failed as "Statement execution failed ID -> SQL" and puts
     * the warehouse's own reason on the next line ("FAILED. Error Message: …, Error code: …"), which the first line
     * alone would drop.
     */
    private static String warehouseReason(String message) {
        if (message == null) {
            return "";
        }
        return message.lines().skip(1).filter(l -> l.contains("Error Message:")).findFirst()
                .map(l -> l.substring(l.indexOf("Error Message:")).strip())
                .map(l -> " (" + (l.length() > 300 ? l.substring(0, 300) + "…" : l) + ")").orElse("");
    }

    /** True when the failure came from the network: the backend did not answer. */
    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.SocketTimeoutException || t instanceof javax.net.ssl.SSLException
                    || t.getClass().getSimpleName().endsWith("HostConnectException")
                    || t.getClass().getSimpleName().endsWith("NoHttpResponseException")) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        String line = message.strip().lines().findFirst().orElse("no message");
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }
}

package com.akkio.dbproxy.server.governed;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.audit.AuditOutcome;
import com.akkio.dbproxy.server.audit.Sha256;
import com.akkio.dbproxy.server.backend.BackendErrors;
import com.akkio.dbproxy.server.backend.BackendMeta;
import com.akkio.dbproxy.server.config.ProxyVersion;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.limits.TenantLimiter;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.Meta.ConnectionHandle;
import org.apache.calcite.avatica.Meta.ExecuteBatchResult;
import org.apache.calcite.avatica.Meta.ExecuteResult;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.Meta.MetaResultSet;
import org.apache.calcite.avatica.Meta.StatementHandle;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.proto.Requests;
import org.apache.calcite.avatica.remote.TypedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection bound to the tenant that opened it, whichever front end it came through: the core's API for
 * front ends. Every SQL text goes through the {@link StatementGate} and only the rewritten text reaches the backend;
 * a prepared statement is decided once (again only if the tenant's policy was reloaded). It holds the connection's
 * statements, the decisions of those it prepared, and the executions whose results are still being fetched.
 *
 * <p>It is the core's whole API for front ends, one method per protocol operation, each a few lines over the gate and
 * the backend; splitting it would give front ends several objects per connection to keep consistent.
 *
 * <p>Results are Avatica's value types ({@link Frame}, {@link Meta.Signature}, {@link TypedValue}) because the
 * backend adapter is Avatica's JDBC {@code Meta}; front ends do not call a {@code Meta}. Statement handles are
 * checked against this connection: one it did not create is answered as unknown.
 */
public final class GovernedConnection implements StatementGate.Context {
    private static final Logger LOG = LoggerFactory.getLogger(GovernedConnection.class);

    /**
     * A prepared statement: its text as the client sent it (and that text's hash, which every execution's audit
     * records carry), and the decision made under the policy object of that moment.
     */
    private record Prepared(String sql, String sqlSha256, TenantPolicy policy, Decision decision) {
        StatementRun run() {
            return StatementRun.begin(sql, sqlSha256, decision);
        }
    }

    private final String id;
    private final ConnectionHandle handle;
    private final TenantRuntime tenant;
    private final Caller opener;
    private final StatementGate gate;
    private final Gateway gateway;
    private final Set<Integer> statements = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Prepared> prepared = new ConcurrentHashMap<>();
    private final Map<Integer, StatementRun> runs = new ConcurrentHashMap<>();
    private final ResultOrigins origins = new ResultOrigins();
    private volatile long lastUsedNanos = System.nanoTime();
    /** What the client set with setCatalog, setSchema and setReadOnly; null until it sets any. */
    private volatile Session session;

    /** A connection's own defaults, as the client named them. */
    private record Session(String catalog, String schema, boolean readOnly) {
    }
    /** A statement that may change the tenant's tables ran since the last transaction end. */
    private volatile boolean schemaTouched;
    /** Set by {@link #cancel}, so the failure of the cancelled statement is reported as a cancel. */
    private final AtomicBoolean cancelRequested = new AtomicBoolean();

    GovernedConnection(String id, TenantRuntime tenant, Caller opener, StatementGate gate, Gateway gateway) {
        this.id = id;
        this.handle = new ConnectionHandle(id);
        this.tenant = tenant;
        this.opener = opener;
        this.gate = gate;
        this.gateway = gateway;
    }

    public String id() {
        return id;
    }

    // ---------------------------------------------------------------- StatementGate.Context

    @Override
    public String tenantName() {
        return tenant.name();
    }

    /**
     * The policy this connection's statements are decided under: the tenant's, or as the client narrowed it with
     * {@link #sync} (another default catalog or schema, read-only), always under the tenant's current policy.
     */
    @Override
    public TenantPolicy policy() {
        Session s = session;
        return s == null ? tenant.config().policy() : tenant.policy(s.catalog(), s.schema(), s.readOnly());
    }

    @Override
    public TenantLimiter limiter() {
        return tenant.limiter();
    }

    @Override
    public Caller caller() {
        return opener;
    }

    @Override
    public String backendName() {
        return backend().backend().name();
    }

    /** Only Databricks backends have warehouses, and only there is it worth asking which one a connection uses. */
    @Override
    public String warehouse() {
        return backend().backend().warehouseId() == null ? null : backend().warehouseOf(id);
    }

    @Override
    public BackendErrors backendErrors() {
        return backend().backend().errors();
    }

    @Override
    public Duration queryTimeout() {
        return tenant.config().limits().queryTimeout();
    }

    @Override
    public boolean cancelRequested() {
        return cancelRequested.get();
    }

    @Override
    public void checkWriteQuota(List<StatementRun> runs) {
        // DuckDB measures rows held (duckdb_tables()), Databricks bytes held (DESCRIBE DETAIL), on the tenant's own
        // backend connection; a quota of rows written (WrittenRowsQuota) measures nothing
        tenant.writeQuota().check(tenantName(), tenant.config().policy(), runs, () -> backend().backendConnection(id));
    }

    @Override
    public void completed(StatementRun run, long rows) {
        tenant.writeQuota().written(run, policy(), rows);
    }

    private BackendMeta backend() {
        return tenant.meta;
    }

    TenantRuntime tenant() {
        return tenant;
    }

    boolean idleFor(long now, long nanos) {
        return now - lastUsedNanos > nanos;
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    /** Throws {@code 08003 UNKNOWN_HANDLE} unless {@code h} is an open statement of this connection. */
    public void checkStatement(StatementHandle h) {
        statement(h);
    }

    private StatementHandle statement(StatementHandle h) {
        if (!id.equals(h.connectionId) || !statements.contains(h.id)) {
            throw ProxyError.unknownHandle("statement");
        }
        return h;
    }

    // ---------------------------------------------------------------- connection

    /** Opens the backend connection; the client's properties never reach it (its connection is the proxy's). */
    void openBackend() {
        try {
            backend().openConnection(handle, Map.of(com.akkio.dbproxy.server.backend.QueryTimeouts.PROPERTY,
                    Long.toString(Math.max(1, queryTimeout().toSeconds()))));
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
    }

    /** Closes the connection: open results are recorded as closed, the backend connection is returned. */
    public void close() {
        try (LogContext log = LogContext.enter(tenantName(), null)) {
            for (StatementRun run : runs.values()) {
                gate.complete(this, run, AuditOutcome.ALLOW, AuditOutcome.CLOSED, run.rows);
            }
            runs.clear();
            try {
                backend().closeConnection(handle);
            } catch (RuntimeException e) {
                LOG.debug("closing backend connection of {} failed", tenantName(), e);
            } finally {
                gateway.forget(this);
            }
        }
    }

    /**
     * Applies the client's connection properties and answers with the connection's. The catalog, schema and read-only
     * flag are the proxy's, never the backend connection's: a catalog and schema the tenant's policy reaches become
     * this connection's defaults for unqualified names (setting the current ones, as IDEs do on connect, changes
     * nothing), and read-only leaves only queries and DESCRIBE; a catalog or schema the policy does not reach is
     * refused ({@code 3F000 SCHEMA_NOT_ALLOWED}) and changes nothing. Auto-commit and isolation go to the backend.
     */
    public Meta.ConnectionProperties sync(Meta.ConnectionProperties props) {
        TenantPolicy current = policy();
        Session s = session;
        String catalog = props.getCatalog() != null ? props.getCatalog()
                : s != null ? s.catalog() : current.logicalCatalog(current.defaultCatalog());
        String schema = props.getSchema() != null ? props.getSchema() : current.defaultSchema();
        boolean readOnly = props.isReadOnly() != null ? props.isReadOnly() : s != null && s.readOnly();
        TenantPolicy narrowed;
        try {
            narrowed = tenant.policy(catalog, schema, readOnly);
        } catch (IllegalArgumentException e) {
            throw ProxyError.of(ErrorCode.SCHEMA_NOT_ALLOWED, e.getMessage());
        }
        if (narrowed != tenant.config().policy() || s != null) {
            session = new Session(catalog, schema, readOnly);
        }
        Meta.ConnectionProperties backendProps;
        try {
            backendProps = backend().connectionSync(handle, new ConnectionPropertiesImpl(props.isAutoCommit(), null,
                    props.getTransactionIsolation(), null, null));
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
        return new ConnectionPropertiesImpl(backendProps.isAutoCommit(), readOnly,
                backendProps.getTransactionIsolation(), narrowed.logicalCatalog(narrowed.defaultCatalog()),
                narrowed.defaultSchema());
    }

    /**
     * The backend's database properties (functions, keywords, default isolation) with the product as the client
     * sees it: {@code akkio-dbproxy} and the proxy's version, the backend's product and version in parentheses
     * ({@code 0.1.0 (DuckDB v1.4.4)}). The backend driver's own name and version are not the client's business.
     */
    public Map<Meta.DatabaseProperty, Object> databaseProperties() {
        Map<Meta.DatabaseProperty, Object> backendProps;
        try {
            backendProps = backend().getDatabaseProperties(handle);
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
        Map<Meta.DatabaseProperty, Object> props = new java.util.EnumMap<>(Meta.DatabaseProperty.class);
        props.putAll(backendProps);
        props.keySet().removeAll(Set.of(Meta.DatabaseProperty.GET_DRIVER_NAME, Meta.DatabaseProperty.GET_DRIVER_VERSION,
                Meta.DatabaseProperty.GET_DRIVER_MAJOR_VERSION, Meta.DatabaseProperty.GET_DRIVER_MINOR_VERSION));
        Object product = backendProps.get(Meta.DatabaseProperty.GET_DATABASE_PRODUCT_NAME);
        Object version = backendProps.get(Meta.DatabaseProperty.GET_DATABASE_PRODUCT_VERSION);
        String backendProduct = ((product == null ? "" : product + " ") + (version == null ? "" : version)).strip();
        props.put(Meta.DatabaseProperty.GET_DATABASE_PRODUCT_NAME, "akkio-dbproxy");
        props.put(Meta.DatabaseProperty.GET_DATABASE_PRODUCT_VERSION, ProxyVersion.get()
                + (backendProduct.isEmpty() ? "" : " (" + backendProduct + ")"));
        props.put(Meta.DatabaseProperty.GET_DATABASE_MAJOR_VERSION, ProxyVersion.part(0));
        props.put(Meta.DatabaseProperty.GET_DATABASE_MINOR_VERSION, ProxyVersion.part(1));
        return props;
    }

    /**
     * Starts ({@code false}) or ends ({@code true}, committing what is pending) a transaction of the backend
     * connection: what a front end's transaction block maps to.
     */
    public void autoCommit(boolean on) {
        try {
            backend().connectionSync(handle, new ConnectionPropertiesImpl(on, null, null, null, null));
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
    }

    public void commit() {
        try {
            backend().commit(handle);
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        } finally {
            transactionEnded();
        }
    }

    public void rollback() {
        try {
            backend().rollback(handle);
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        } finally {
            transactionEnded();
        }
    }

    /**
     * Cancels whatever the connection's backend statements are running, at the request of the connection's tenant.
     * The statement that was running fails with {@code 57014 QUERY_CANCELLED}; a cancel arriving when nothing runs
     * has no effect.
     */
    public void cancel() {
        cancelRequested.set(true);
        try (LogContext log = LogContext.enter(tenantName(), null)) {
            backend().cancelRunning(id);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("cancelling a statement of tenant {} failed", tenantName(), e);
        }
    }

    // ---------------------------------------------------------------- statements

    public StatementHandle createStatement() {
        StatementHandle h;
        try {
            h = backend().createStatement(handle);
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
        statements.add(h.id);
        return h;
    }

    /** Closes a statement; a result still open is recorded as closed. */
    public void closeStatement(StatementHandle h) {
        statement(h);
        StatementRun run = runs.remove(h.id);
        if (run != null) {
            gate.complete(this, run, AuditOutcome.ALLOW, AuditOutcome.CLOSED, run.rows);
        }
        statements.remove(h.id);
        prepared.remove(h.id);
        backend().closeStatement(h);
    }

    /**
     * Records a statement the front end answered itself, without the backend, or refused with {@code refusal}: every
     * statement a client sends has its audit record.
     */
    public void answeredLocally(String sql, ProxyError refusal) {
        gate.answered(this, sql, refusal);
    }

    /** Decides {@code sql} and prepares its rewrite; the signature the client sees names its own text. */
    public StatementHandle prepare(String sql, long maxRowCount) {
        Decision d = gate.decide(this, sql);
        StatementHandle h;
        try {
            h = d.kind() == StatementKind.QUERY ? backend().prepareQuery(handle, d.rewrittenSql(), cap(maxRowCount))
                    : backend().prepare(handle, d.rewrittenSql(), cap(maxRowCount));
        } catch (RuntimeException e) {
            throw gate.backendFailure(this, e, sql, d);
        }
        statements.add(h.id);
        prepared.put(h.id, new Prepared(sql, Sha256.hex(sql), policy(), d));
        h.signature = withOrigins(Results.withSql(h.signature, sql), d);
        return h;
    }

    /**
     * Whether prepared statement {@code h} answers with rows (a query, DESCRIBE or EXPLAIN, as the policy classified
     * it) rather than a count: what Flight SQL clients must know before they execute it.
     */
    public boolean returnsRows(StatementHandle h) {
        statement(h);
        Prepared p = prepared.get(h.id);
        return p != null && (p.decision().kind() == StatementKind.QUERY
                || p.decision().kind() == StatementKind.DESCRIBE);
    }

    /** Avatica's service watches executions through a callback; other front ends have nothing to watch with. */
    private static final Meta.PrepareCallback NO_CALLBACK = new Meta.PrepareCallback() {
        @Override
        public Object getMonitor() {
            return GovernedConnection.class;
        }

        @Override
        public void clear() {
        }

        @Override
        public void assign(Meta.Signature signature, Frame firstFrame, long updateCount) {
        }

        @Override
        public void execute() {
        }
    };

    /** Decides and runs {@code sql} on statement {@code h}, with the first frame of its result. */
    public ExecuteResult execute(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame)
            throws NoSuchStatementException {
        return execute(h, sql, maxRowCount, maxRowsInFirstFrame, NO_CALLBACK);
    }

    /** The same, for Avatica's service, which follows the execution through {@code callback}. */
    public ExecuteResult execute(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame,
                                 Meta.PrepareCallback callback) throws NoSuchStatementException {
        statement(h);
        Decision d = gate.decide(this, sql);
        StatementRun run = StatementRun.begin(sql, d);
        return withOrigins(runOne(h, run, () -> d.kind() == StatementKind.QUERY
                ? backend().query(h, d.rewrittenSql(), cap(maxRowCount), maxRowsInFirstFrame)
                : backend().prepareAndExecute(h, d.rewrittenSql(), cap(maxRowCount), maxRowsInFirstFrame, callback)),
                d);
    }

    /** Runs prepared statement {@code h} with {@code parameterValues}. */
    public ExecuteResult executePrepared(StatementHandle h, List<TypedValue> parameterValues,
                                         int maxRowsInFirstFrame) throws NoSuchStatementException {
        statement(h);
        Prepared p = prepared(h);
        return withOrigins(runOne(h, p.run(), () -> backend().execute(h, parameterValues, maxRowsInFirstFrame)),
                p.decision());
    }

    /** Whether {@link #executePreparedArrow} is available: the backend exports its results as Arrow (DuckDB). */
    public boolean exportsArrow() {
        return backend().exportsArrow();
    }

    /**
     * Runs prepared query {@code h} as {@link #executePrepared} does (the same decision, admission through the
     * tenant's limits, query timeout and audit records), but hands its result over as the backend's own Arrow batches
     * rather than rows, for a front end that sends Arrow. The {@link ArrowResult} holds the statement's row cap and
     * completes its audit record with the rows sent; the caller closes it.
     */
    public ArrowResult executePreparedArrow(StatementHandle h, List<TypedValue> parameterValues,
                                            org.apache.arrow.memory.BufferAllocator allocator, int batchRows)
            throws NoSuchStatementException {
        statement(h);
        Prepared p = prepared(h);
        StatementRun run = p.run();
        cancelRequested.set(false);
        try (LogContext log = LogContext.enter(tenantName(), run.requestId);
             TenantLimiter.Permit permit = gate.admit(this, List.of(run))) {
            ArrowResult result = new ArrowResult(h, run, backend().executeArrow(h, parameterValues, allocator,
                    batchRows), cap(-1));
            ran(run.decision);
            runs.put(h.id, run);
            return result;
        } catch (NoSuchStatementException e) {
            gate.complete(this, run, AuditOutcome.ERROR, AuditOutcome.NO_SUCH_STATEMENT, -1);
            throw e;
        } catch (RuntimeException e) {
            throw gate.failed(this, List.of(run), e, cancelRequested.getAndSet(false));
        }
    }

    /**
     * A result leaving as Arrow batches ({@link #executePreparedArrow}): the backend's reader (null if the statement
     * answered with no result), the rows the tenant's row cap still lets through, and the statement's audit record,
     * completed by {@link #finish} or {@link #fail} (or, if neither comes, as closed with the connection).
     */
    public final class ArrowResult implements AutoCloseable {
        private final StatementHandle h;
        private final StatementRun run;
        private final org.apache.arrow.vector.ipc.ArrowReader reader;
        private long left;

        private ArrowResult(StatementHandle h, StatementRun run, org.apache.arrow.vector.ipc.ArrowReader reader,
                            long maxRows) {
            this.h = h;
            this.run = run;
            this.reader = reader;
            this.left = maxRows;
        }

        public org.apache.arrow.vector.ipc.ArrowReader reader() {
            return reader;
        }

        /**
         * Of the next {@code rows} rows the backend produced, how many may be sent (the row cap holds even if the
         * rewrite's LIMIT did not reach the backend); those are counted as sent.
         */
        public int admit(int rows) {
            int allowed = (int) Math.max(0, Math.min(rows, left));
            left -= allowed;
            run.rows += allowed;
            return allowed;
        }

        /** The row cap is reached: nothing more may be sent. */
        public boolean capped() {
            return left <= 0;
        }

        /** The result went out in full: its audit record gets the rows sent. */
        public void finish() {
            if (runs.remove(h.id, run)) {
                gate.complete(GovernedConnection.this, run, AuditOutcome.ALLOW, AuditOutcome.ALLOWED, run.rows);
            }
        }

        /** Reading or sending the result failed: recorded as the statement's outcome; the error for the client. */
        public ProxyError fail(RuntimeException e) {
            if (!runs.remove(h.id, run)) {
                return gate.backendFailure(GovernedConnection.this, e);
            }
            if (e instanceof ProxyError pe) {
                gate.complete(GovernedConnection.this, run, AuditOutcome.ERROR,
                        pe.code() != null ? pe.code().name() : pe.getSqlState(), run.rows);
                return pe;
            }
            return gate.failed(GovernedConnection.this, List.of(run), e, cancelRequested.getAndSet(false));
        }

        @Override
        public void close() {
            if (reader == null) {
                return;
            }
            try {
                reader.close();
            } catch (Exception e) {
                LOG.debug("closing a backend Arrow reader of {} failed", tenantName(), e);
            }
        }
    }

    /**
     * The result's columns with the table, schema, catalog and nullability they come from ({@link ResultOrigins}),
     * for a query; after anything else, the tables' nullability is read again when next needed.
     */
    private ExecuteResult withOrigins(ExecuteResult result, Decision d) {
        if (d.kind() != StatementKind.QUERY) {
            origins.forgetTables();
            return result;
        }
        if (!localMetadata()) {
            return result;
        }
        try {
            return origins.annotate(result, d.resultColumns(), policy(), backend().backendConnection(id));
        } catch (SQLException | RuntimeException e) {
            return result; // the origins are a courtesy: never a reason to fail a query that ran
        }
    }

    private Meta.Signature withOrigins(Meta.Signature signature, Decision d) {
        if (d.kind() != StatementKind.QUERY || !localMetadata()) {
            return signature;
        }
        try {
            return origins.annotate(signature, d.resultColumns(), policy(), backend().backendConnection(id));
        } catch (SQLException | RuntimeException e) {
            return signature;
        }
    }

    /**
     * Whether the backend answers metadata in process (the embedded DuckDB). A warehouse's metadata is a statement of
     * its own (Databricks runs {@code SHOW COLUMNS}), which a query must not wait for, pay for, or have a cancel hit
     * instead of it: there the result keeps what the driver reported.
     */
    private boolean localMetadata() {
        return policy().dialect() == com.akkio.dbproxy.policy.Dialect.DUCKDB;
    }

    /** A call into the backend that may find its statement gone. */
    private interface BackendCall<T> {
        T run() throws NoSuchStatementException;
    }

    /** Admits, audits and runs one execution; its first frames are counted, and it completes if nothing is left. */
    private ExecuteResult runOne(StatementHandle h, StatementRun run, BackendCall<ExecuteResult> call)
            throws NoSuchStatementException {
        cancelRequested.set(false);
        try (LogContext log = LogContext.enter(tenantName(), run.requestId);
             TenantLimiter.Permit permit = gate.admit(this, List.of(run))) {
            ExecuteResult result = Results.countless(call.run());
            ran(run.decision);
            finishFirstFrames(h, run, result);
            return result;
        } catch (NoSuchStatementException e) {
            gate.complete(this, run, AuditOutcome.ERROR, AuditOutcome.NO_SUCH_STATEMENT, -1);
            throw e;
        } catch (RuntimeException e) {
            throw gate.failed(this, List.of(run), e, cancelRequested.getAndSet(false));
        }
    }

    /** The next frame of the result open on {@code h}; its last frame completes the statement's audit record. */
    public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
            throws NoSuchStatementException, MissingResultsException {
        statement(h);
        Frame frame;
        try {
            frame = backend().fetch(h, offset, fetchMaxRowCount);
        } catch (RuntimeException e) {
            StatementRun run = runs.remove(h.id);
            if (run != null) {
                throw gate.failed(this, List.of(run), e, cancelRequested.getAndSet(false));
            }
            throw gate.backendFailure(this, e);
        }
        StatementRun run = runs.get(h.id);
        if (run != null) {
            // a write whose count is unknown (-1) stays unknown
            run.rows = run.rows < 0 ? -1 : run.rows + Results.count(frame);
            if (frame.done) {
                runs.remove(h.id);
                gate.complete(this, run, AuditOutcome.ALLOW, AuditOutcome.ALLOWED, run.rows);
            }
        }
        return frame;
    }

    /** Decides every text of the batch first: one denial refuses the whole batch. */
    public ExecuteBatchResult executeBatch(StatementHandle h, List<String> sqlCommands)
            throws NoSuchStatementException {
        statement(h);
        List<Decision> decisions = new ArrayList<>(sqlCommands.size());
        List<String> rewritten = new ArrayList<>(sqlCommands.size());
        for (String sql : sqlCommands) {
            Decision d = gate.decide(this, sql);
            decisions.add(d);
            rewritten.add(d.rewrittenSql());
        }
        List<StatementRun> batch = new ArrayList<>(sqlCommands.size());
        for (int i = 0; i < sqlCommands.size(); i++) {
            batch.add(StatementRun.begin(sqlCommands.get(i), decisions.get(i)));
        }
        return runBatch(batch, () -> backend().prepareAndExecuteBatch(h, rewritten));
    }

    public ExecuteBatchResult executePreparedBatch(StatementHandle h, List<List<TypedValue>> parameterValues)
            throws NoSuchStatementException {
        statement(h);
        return runBatch(batchRuns(prepared(h), parameterValues.size()),
                () -> backend().executeBatch(h, parameterValues));
    }

    /** The same, with parameters as Avatica's protobuf encoding carries them. */
    public ExecuteBatchResult executePreparedBatchProtobuf(StatementHandle h,
                                                           List<Requests.UpdateBatch> parameterValues)
            throws NoSuchStatementException {
        statement(h);
        return runBatch(batchRuns(prepared(h), parameterValues.size()),
                () -> backend().executeBatchProtobuf(h, parameterValues));
    }

    private ExecuteBatchResult runBatch(List<StatementRun> batch, BackendCall<ExecuteBatchResult> call) throws NoSuchStatementException {
        origins.forgetTables();
        try (LogContext log = LogContext.enter(tenantName(), batch.isEmpty() ? null : batch.get(0).requestId);
             TenantLimiter.Permit permit = gate.admit(this, batch)) {
            ExecuteBatchResult result = call.run();
            batch.forEach(r -> ran(r.decision));
            for (int i = 0; i < batch.size(); i++) {
                long rows = result.updateCounts != null && i < result.updateCounts.length
                        ? result.updateCounts[i] : -1;
                gate.complete(this, batch.get(i), AuditOutcome.ALLOW, AuditOutcome.ALLOWED, rows);
            }
            return result;
        } catch (RuntimeException e) {
            throw gate.failed(this, batch, e, false);
        }
    }

    /** Iterates a result on the server's side (Avatica's local service asks for it; no client text is run). */
    public Iterable<Object> createIterable(StatementHandle h, org.apache.calcite.avatica.QueryState state,
                                           Meta.Signature signature, List<TypedValue> parameters, Frame firstFrame) {
        return backend().createIterable(statement(h), state, signature, parameters, firstFrame);
    }

    // ---------------------------------------------------------------- metadata

    private interface MetadataQuery {
        TenantMetadata.Answer run(TenantMetadata metadata) throws SQLException;
    }

    private MetaResultSet metadata(MetadataQuery query) {
        TenantMetadata.Answer answer;
        try {
            answer = query.run(new TenantMetadata(policy(), backend(), backend().backendConnection(id)));
        } catch (SQLException | RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
        StatementHandle h = createStatement();
        return MetaResultSet.create(id, h.id, true, TenantMetadata.signature(answer),
                Frame.create(0, true, answer.rows()));
    }

    /** The tenant's catalogs, under their logical names. */
    public MetaResultSet catalogs() {
        return metadata(TenantMetadata::catalogs);
    }

    public MetaResultSet schemas(String catalog, String schemaPattern) {
        return metadata(m -> m.schemas(catalog, schemaPattern));
    }

    public MetaResultSet tables(String catalog, String schemaPattern, String tablePattern, List<String> types) {
        return metadata(m -> m.tables(catalog, schemaPattern, tablePattern,
                types == null ? null : types.toArray(new String[0])));
    }

    public MetaResultSet columns(String catalog, String schemaPattern, String tablePattern, String columnPattern) {
        return metadata(m -> m.columns(catalog, schemaPattern, tablePattern, columnPattern));
    }

    /**
     * The primary key columns of {@code table} as JDBC's getPrimaryKeys has them, under logical names; none for a
     * table the tenant may not read, as for one without a key. Avatica's protocol has no such request: the Avatica
     * front end answers it on its own endpoint, without a statement.
     */
    public List<Object> primaryKeys(String catalog, String schema, String table) {
        try {
            return new TenantMetadata(policy(), backend(), backend().backendConnection(id))
                    .primaryKeys(catalog, schema, table).rows();
        } catch (SQLException | RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
    }

    /** The standard table types (TABLE, VIEW), answered by the proxy like the rest of its metadata. */
    /** Foreign keys of or to a table both of whose ends the tenant may read ({@link TenantMetadata#foreignKeys}). */
    public MetaResultSet importedKeys(String catalog, String schema, String table) {
        return metadata(m -> m.foreignKeys(TenantMetadata.KeyDirection.IMPORTED, catalog, schema, table));
    }

    public MetaResultSet exportedKeys(String catalog, String schema, String table) {
        return metadata(m -> m.foreignKeys(TenantMetadata.KeyDirection.EXPORTED, catalog, schema, table));
    }

    public MetaResultSet crossReference(String pkCatalog, String pkSchema, String pkTable, String fkCatalog,
                                        String fkSchema, String fkTable) {
        return metadata(m -> m.crossReference(pkCatalog, pkSchema, pkTable, fkCatalog, fkSchema, fkTable));
    }

    public MetaResultSet tableTypes() {
        return metadata(m -> m.tableTypes());
    }

    /** The types the tenant's backend gives results (the backend's type mapping), not the driver's own list. */
    public MetaResultSet typeInfo() {
        return metadata(TenantMetadata::typeInfo);
    }

    // ---------------------------------------------------------------- the governed catalog, COPY

    /**
     * What this connection's policy lets it see of the backend's catalog, read from the backend's own metadata on
     * this connection's backend connection (so its own uncommitted tables are in it).
     */
    public CatalogSnapshot catalogSnapshot() {
        try {
            return new CatalogReader(policy(), backend().backend().types()).read(backend().backendConnection(id));
        } catch (SQLException | RuntimeException e) {
            throw gate.backendFailure(this, e);
        }
    }

    /**
     * A number that moves on whenever a statement through the proxy (either front end) may have changed which tables
     * the tenant has: a CREATE, DROP or ALTER, and the end of a transaction that ran one.
     */
    public long schemaVersion() {
        return tenant.schemaVersion();
    }

    /**
     * Answers {@code sql}, a catalog query, with {@code answer} (which returns how many rows it served) on the
     * proxy's side, and audits it with statement type {@code catalog} and its row count. Like the other statements
     * a front end answers itself it does not take from the tenant's rate: it never reaches the backend, and a
     * tenant's catalog queries run one at a time (psql's {@code \d+} alone sends eight).
     */
    public long answerCatalogQuery(String sql, java.util.function.LongSupplier answer) {
        long start = System.nanoTime();
        long rows;
        try {
            rows = answer.getAsLong();
        } catch (ProxyError e) {
            gate.catalogAnswered(this, sql, e, -1, System.nanoTime() - start);
            throw e;
        } catch (RuntimeException e) {
            ProxyError error = ProxyError.of(ErrorCode.INTERNAL_ERROR, "the governed catalog failed to answer");
            LOG.warn("the governed catalog of tenant {} failed", tenantName(), e);
            gate.catalogAnswered(this, sql, error, -1, System.nanoTime() - start);
            throw error;
        }
        gate.catalogAnswered(this, sql, null, rows, System.nanoTime() - start);
        return rows;
    }

    /**
     * Starts a {@code COPY … FROM STDIN}: {@code insertFor.apply(1)}, the one-row INSERT with one parameter per column
     * that the COPY amounts to, is decided (it must be allowed as an INSERT into a table the tenant may write); the
     * COPY is admitted once through the tenant's limits (one statement, however many rows) and audited once as
     * {@code copySql}, the text the client sent. Rows then go in as multi-row INSERTs ({@code insertFor.apply(n)}
     * for n rows), each text decided by the policy too and required to write exactly what the first does;
     * {@link CopyIn#finish} records the count.
     */
    public CopyIn copyIn(String copySql, java.util.function.IntFunction<String> insertFor) {
        Decision d = gate.decide(this, insertFor.apply(1));
        if (d.kind() != StatementKind.INSERT) {
            throw ProxyError.denied(com.akkio.dbproxy.policy.DenyCode.STATEMENT_KIND_DENIED,
                    "COPY FROM STDIN is an INSERT into one table");
        }
        StatementRun run = StatementRun.begin(copySql, d);
        TenantLimiter.Permit permit = gate.admit(this, List.of(run));
        return new CopyIn(run, permit, insertFor);
    }

    /** A COPY FROM STDIN under way: one permit, one audit record, its rows in multi-row INSERTs. */
    public final class CopyIn {
        private final StatementRun run;
        private final TenantLimiter.Permit permit;
        private final java.util.function.IntFunction<String> insertFor;
        /** The prepared multi-row INSERT for each number of rows used (a full batch, and the last one). */
        private final Map<Integer, StatementHandle> statements = new java.util.HashMap<>();
        private boolean ended;

        private CopyIn(StatementRun run, TenantLimiter.Permit permit, java.util.function.IntFunction<String> insertFor) {
            this.run = run;
            this.permit = permit;
            this.insertFor = insertFor;
        }

        /** Inserts rows (each a list of one value per column) as one statement. */
        public void add(List<List<TypedValue>> rows) {
            if (rows.isEmpty()) {
                return;
            }
            try (LogContext log = LogContext.enter(tenantName(), run.requestId)) {
                StatementHandle h = statement(rows.size());
                List<TypedValue> values = new ArrayList<>();
                rows.forEach(values::addAll);
                ExecuteResult result = backend().execute(h, values, -1);
                for (MetaResultSet rs : result.resultSets) {
                    run.rows += Math.max(0, rs.updateCount);
                }
            } catch (ProxyError e) {
                end();
                gate.complete(GovernedConnection.this, run, AuditOutcome.DENY, e.code() != null ? e.code().name()
                        : e.getSqlState(), run.rows);
                throw e;
            } catch (NoSuchStatementException | RuntimeException e) {
                RuntimeException failure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                end();
                throw gate.failed(GovernedConnection.this, List.of(run), failure, cancelRequested.getAndSet(false));
            }
        }

        /** The INSERT of {@code n} rows, decided and prepared once per COPY. */
        private StatementHandle statement(int n) {
            StatementHandle h = statements.get(n);
            if (h == null) {
                Decision d = gate.decide(GovernedConnection.this, insertFor.apply(n));
                if (d.kind() != StatementKind.INSERT || !d.writes().equals(run.decision.writes())) {
                    throw ProxyError.denied(com.akkio.dbproxy.policy.DenyCode.UNSUPPORTED_CONSTRUCT,
                            "a COPY's rows must go into the table the COPY names");
                }
                h = backend().prepare(handle, d.rewrittenSql(), -1);
                statements.put(n, h);
            }
            return h;
        }

        /** The rows inserted so far. */
        public long rows() {
            return run.rows;
        }

        /** All rows are in: the COPY's audit record gets its count. */
        public long finish() {
            end();
            gate.complete(GovernedConnection.this, run, AuditOutcome.ALLOW, AuditOutcome.ALLOWED, run.rows);
            return run.rows;
        }

        /** The client failed the COPY (CopyFail) or the front end could not read its data: recorded as an error. */
        public void abort(ProxyError reason) {
            if (!ended) {
                end();
                gate.complete(GovernedConnection.this, run, AuditOutcome.ERROR, reason.getSqlState(), run.rows);
            }
        }

        private void end() {
            if (ended) {
                return;
            }
            ended = true;
            permit.close();
            for (StatementHandle h : statements.values()) {
                try {
                    backend().closeStatement(h);
                } catch (RuntimeException e) {
                    LOG.debug("closing a COPY statement failed", e);
                }
            }
        }
    }

    /** Whether {@link #insertArrow} is available: the backend imports Arrow itself (DuckDB). */
    public boolean importsArrow() {
        return backend().importsArrow();
    }

    /** The end of a one-row INSERT's VALUES list of parameters, as the policy engine prints it. */
    private static final java.util.regex.Pattern PARAMETER_ROW =
            java.util.regex.Pattern.compile("\\s+VALUES\\s*\\(\\s*\\?(\\s*,\\s*\\?)*\\s*\\)\\s*$",
                    java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * Inserts {@code rows} through the backend's own Arrow import, governed as {@code insertValues} (a one-row
     * {@code INSERT INTO t (columns) VALUES (?, …)}) is: decided by the policy (it must be an INSERT the tenant may
     * write), admitted once through the tenant's limits and write quota, audited once with its row count. The INSERT
     * the backend runs is the one the policy rewrote (physical names), its parameter row replaced by a SELECT from
     * the registered stream; more than {@code max_write_rows} rows fail it (refused, nothing kept). Runs in the
     * connection's transaction.
     */
    public long insertArrow(String insertValues, org.apache.arrow.vector.ipc.ArrowReader rows,
                            org.apache.arrow.memory.BufferAllocator allocator) {
        Decision d = gate.decide(this, insertValues);
        java.util.regex.Matcher parameters = PARAMETER_ROW.matcher(d.rewrittenSql());
        if (d.kind() != StatementKind.INSERT || !parameters.find()) {
            throw ProxyError.denied(com.akkio.dbproxy.policy.DenyCode.STATEMENT_KIND_DENIED,
                    "a bulk ingest is an INSERT of rows into one table");
        }
        String insertPrefix = d.rewrittenSql().substring(0, parameters.start()) + " SELECT * FROM ";
        long max = policy().maxWriteRows();
        RowLimitedReader limited = new RowLimitedReader(rows, max, allocator, () -> ProxyError.denied(
                com.akkio.dbproxy.policy.DenyCode.WRITE_ROWS_EXCEEDED, "the ingest writes more than tenant '"
                        + tenantName() + "''s limit of " + max + " rows per statement (rule: max_write_rows)"));
        StatementRun run = StatementRun.begin(insertValues, d);
        cancelRequested.set(false);
        TenantLimiter.Permit permit = gate.admit(this, List.of(run));
        try (LogContext log = LogContext.enter(tenantName(), run.requestId)) {
            run.rows = backend().insertArrow(id, insertPrefix, limited, allocator);
        } catch (RuntimeException e) {
            ProxyError refusal = limited.refusal();
            if (refusal != null) {
                // as the core records a forwarded write that fails past max_write_rows in the backend (failed):
                // an error with its SQLState, nothing written; the row path's COPY records the same
                gate.complete(this, run, AuditOutcome.ERROR, refusal.getSqlState(), -1);
                throw refusal;
            }
            throw gate.failed(this, List.of(run), e, cancelRequested.getAndSet(false));
        } finally {
            permit.close();
        }
        gate.complete(this, run, AuditOutcome.ALLOW, AuditOutcome.ALLOWED, run.rows);
        return run.rows;
    }

    /** DDL ran: the tenant's catalog changes now, or, in a transaction, again when the transaction ends. */
    private void ran(Decision d) {
        if (d != null && d.kind() != null && switch (d.kind()) {
            case CREATE_TABLE, CREATE_VIEW, DROP, ALTER -> true;
            default -> false;
        }) {
            schemaTouched = true;
            tenant.schemaChanged();
        }
    }

    private void transactionEnded() {
        if (schemaTouched) {
            schemaTouched = false;
            tenant.schemaChanged();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A prepared statement, decided again if the tenant's policy was reloaded since it was last decided. */
    private Prepared prepared(StatementHandle h) {
        Prepared p = prepared.get(h.id);
        if (p == null) {
            throw ProxyError.unsupported("executing a statement that was not prepared through the proxy");
        }
        TenantPolicy policy = policy();
        if (p.policy() == policy) {
            return p;
        }
        Decision d = gate.decide(this, p.sql());
        if (!d.rewrittenSql().equals(p.decision().rewrittenSql())) {
            throw ProxyError.of(ErrorCode.PREPARE_AGAIN, "the tenant's policy changed how this statement is"
                    + " rewritten; prepare it again");
        }
        Prepared again = new Prepared(p.sql(), p.sqlSha256(), policy, d);
        prepared.replace(h.id, p, again);
        return again;
    }

    private long cap(long requested) {
        long max = policy().maxRows();
        return requested <= 0 ? max : Math.min(requested, max);
    }

    private void finishFirstFrames(StatementHandle h, StatementRun run, ExecuteResult result) {
        long rows = 0;
        boolean open = false;
        boolean write = WriteQuota.addsRows(run.decision.kind());
        for (MetaResultSet rs : result.resultSets) {
            if (rs.updateCount >= 0) {
                rows += rs.updateCount;
            } else if (write) {
                // a write answered with a result: the rows it reports in it, or unknown (-1) for the quota
                long affected = Results.affectedRows(rs);
                rows = affected < 0 || rows < 0 ? -1 : rows + affected;
                open |= rs.firstFrame != null && !rs.firstFrame.done;
            } else if (rs.firstFrame != null) {
                rows += Results.count(rs.firstFrame);
                open |= !rs.firstFrame.done;
            }
        }
        run.rows = rows;
        if (open) {
            runs.put(h.id, run);
        } else {
            gate.complete(this, run, AuditOutcome.ALLOW, AuditOutcome.ALLOWED, rows);
        }
    }

    private static List<StatementRun> batchRuns(Prepared p, int count) {
        List<StatementRun> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(p.run());
        }
        return batch;
    }
}

package com.akkio.dbproxy.server.backend;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Calendar;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.akkio.dbproxy.server.types.ValueType;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.calcite.avatica.AvaticaUtils;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.jdbc.StatementAccess;
import org.apache.calcite.avatica.jdbc.StatementInfo;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.avatica.util.Unsafe;

/**
 * Avatica's JDBC-backed {@code Meta} for one tenant on one backend, taking its connections from the tenant's pool
 * instead of {@code DriverManager}, and never passing client-supplied properties on: the backend connection is the
 * proxy's own. Results (signatures, first frames, fetches) are built by {@link ResultFrames} with the backend's
 * {@link TypeMapping} rather than by {@code JdbcMeta}'s per-JDBC-type getters, so every execution path here runs its
 * backend statement itself.
 */
public final class BackendMeta extends JdbcMeta {
    private final Backend backend;
    private final DataSource pool;
    /** Per Avatica connection id; only while {@link Backend#statementCacheSize()} is above 0. */
    private final ConcurrentHashMap<String, KeptPlans> prepared = new ConcurrentHashMap<>();
    private final KeptPlans.Counts plans = new KeptPlans.Counts();
    private final RowLimits rowLimits = new RowLimits();

    /** As {@link JdbcMeta}: parameters arrive as the client's wall clock, which the backend reads in this zone. */
    private static final Calendar PARAMETER_CALENDAR = Unsafe.localCalendar();

    public BackendMeta(Backend backend, DataSource pool, long idleSeconds) throws SQLException {
        super("jdbc:akkio-backend:" + backend.name(), cacheSettings(idleSeconds));
        this.backend = backend;
        this.pool = pool;
    }

    /**
     * The proxy expires idle connections itself ({@code Gateway.expireIdle}), closing them deterministically;
     * Avatica's own caches evict lazily and only back that up, so they wait longer.
     */
    private static Properties cacheSettings(long idleSeconds) {
        long backstop = idleSeconds * 2 + 60;
        Properties p = new Properties();
        p.setProperty("avatica.connectioncache.expiryduration", Long.toString(backstop));
        p.setProperty("avatica.connectioncache.expiryunit", TimeUnit.SECONDS.name());
        p.setProperty("avatica.statementcache.expiryduration", Long.toString(backstop));
        p.setProperty("avatica.statementcache.expiryunit", TimeUnit.SECONDS.name());
        return p;
    }

    public Backend backend() {
        return backend;
    }

    /** Queries of this tenant run on a plan their connection kept, and on one prepared for them. */
    public KeptPlans.Counts plans() {
        return plans;
    }

    @Override
    protected Connection createConnection(String url, Properties info) throws SQLException {
        Connection connection = backend.borrow(pool);
        String timeout = info.getProperty(QueryTimeouts.PROPERTY);
        return timeout == null ? connection : QueryTimeouts.apply(connection, Integer.parseInt(timeout));
    }

    /**
     * Runs a read-only query on the Avatica statement {@code h} as {@link #prepareAndExecute} would, on a prepared
     * statement its connection keeps for the text ({@link KeptPlans}) when the backend keeps any.
     */
    public ExecuteResult query(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame)
            throws NoSuchStatementException {
        if (backend.statementCacheSize() == 0 || holdsAsOwn(h)) {
            return prepareAndExecute(h, sql, maxRowCount, maxRowsInFirstFrame, null);
        }
        StatementInfo info = statementInfo(h);
        try {
            Connection connection = getConnection(h.connectionId);
            KeptPlans queries = queries(h.connectionId);
            endPrevious(info, queries, h.id);
            PreparedStatement statement = queries.lend(h.id, sql, connection);
            try {
                return execute(h, info, statement, maxRowCount, maxRowsInFirstFrame);
            } catch (SQLException | RuntimeException e) {
                queries.discard(h.id);
                throw e;
            }
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    private ExecuteResult execute(StatementHandle h, StatementInfo info, PreparedStatement statement,
                                  long maxRowCount, int maxRowsInFirstFrame) throws SQLException {
        limitRows(statement, maxRowCount);
        statement.execute();
        return result(h, info, statement, maxRowCount, maxRowsInFirstFrame);
    }

    /** The answer to an execution of {@code statement}: its update count, or its result's signature and first frame. */
    private ExecuteResult result(StatementHandle h, StatementInfo info, Statement statement, long maxRowCount,
                                 int maxRowsInFirstFrame) throws SQLException {
        ResultSet rs = statement.getResultSet();
        info.setResultSet(rs);
        rowLimits.executed(h, statement, maxRowCount);
        if (rs == null) {
            return new ExecuteResult(List.of(MetaResultSet.count(h.connectionId, h.id,
                    AvaticaUtils.getLargeUpdateCount(statement))));
        }
        Signature signature = ResultFrames.signature(describe(rs.getMetaData()), null, List.of(), null);
        return new ExecuteResult(List.of(sent(h, ResultFrames.create(h.connectionId, h.id, rs, maxRowsInFirstFrame,
                rowLimits.left(h), signature, backend.types()))));
    }

    /** As {@link JdbcMeta}: JDBC's 0 means no limit, Avatica's a negative count. */
    private static void limitRows(Statement statement, long maxRowCount) throws SQLException {
        if (maxRowCount > 0) {
            AvaticaUtils.setLargeMaxRows(statement, maxRowCount);
        } else if (maxRowCount < 0) {
            statement.setMaxRows(0);
        }
    }

    /**
     * Prepares a read-only query as {@link #prepare} would, on a prepared statement the connection keeps for the
     * text, which the returned Avatica statement holds until it closes.
     */
    public StatementHandle prepareQuery(ConnectionHandle ch, String sql, long maxRowCount) {
        if (backend.statementCacheSize() == 0) {
            return prepare(ch, sql, maxRowCount);
        }
        try {
            Connection connection = getConnection(ch.id);
            int id = getStatementIdGenerator().getAndIncrement();
            KeptPlans queries = queries(ch.id);
            PreparedStatement statement = queries.lendAsOwn(id, sql, connection);
            try {
                limitRows(statement, maxRowCount);
                Signature signature = ResultFrames.signature(describe(statement.getMetaData()), sql,
                        parameters(statement.getParameterMetaData()), null);
                getStatementCache().put(id, new StatementInfo(statement));
                return new StatementHandle(ch.id, id, signature);
            } catch (SQLException | RuntimeException e) {
                queries.discard(id);
                throw e;
            }
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    private boolean holdsAsOwn(StatementHandle h) {
        KeptPlans queries = prepared.get(h.connectionId);
        return queries != null && queries.holdsAsOwn(h.id);
    }

    /**
     * The connection's kept statements; created atomically with a check that the connection is still open, so that a
     * statement racing {@link #closeConnection} cannot leave an entry behind.
     */
    private KeptPlans queries(String connectionId) {
        KeptPlans queries = prepared.get(connectionId);
        if (queries == null) {
            queries = prepared.compute(connectionId, (id, existing) -> existing != null ? existing
                    : getConnectionCache().getIfPresent(id) == null ? null
                    : new KeptPlans(backend.statementCacheSize(), plans));
            if (queries == null) {
                throw new NoSuchConnectionException("connection " + connectionId + " is closed");
            }
        }
        return queries;
    }

    @Override
    public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
        StatementHandle h = super.prepare(ch, sql, maxRowCount);
        try {
            PreparedStatement statement = (PreparedStatement) StatementAccess.of(statementInfo(h));
            h.signature = ResultFrames.signature(describe(statement.getMetaData()), sql, h.signature.parameters,
                    h.signature.statementType);
            return h;
        } catch (SQLException | NoSuchStatementException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame,
                                           PrepareCallback callback) throws NoSuchStatementException {
        StatementInfo info = statementInfo(h);
        KeptPlans queries = prepared.get(h.connectionId);
        try {
            // a prepared statement's own statement stays with it; query() never lends to such a statement
            if (queries != null && !queries.holdsAsOwn(h.id)) {
                endPrevious(info, queries, h.id);
            }
            Statement statement = StatementAccess.of(info);
            limitRows(statement, maxRowCount);
            statement.execute(sql);
            return result(h, info, statement, maxRowCount, maxRowsInFirstFrame);
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    /** Runs a prepared statement with {@code parameterValues}, as {@link JdbcMeta#execute} does. */
    @Override
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, int maxRowsInFirstFrame)
            throws NoSuchStatementException {
        StatementInfo info = statementInfo(h);
        try {
            PreparedStatement statement = bound(info, parameterValues);
            if (!statement.execute()) {
                return new ExecuteResult(List.of(MetaResultSet.count(h.connectionId, h.id,
                        statement.getUpdateCount())));
            }
            ResultSet rs = statement.getResultSet();
            // the result's own columns: a prepared statement's description may not know them yet (DuckDB describes
            // "SELECT ? AS a, ? AS b" as one column of type UNKNOWN until its parameters are bound)
            h.signature = ResultFrames.signature(describe(rs == null ? statement.getMetaData() : rs.getMetaData()),
                    h.signature.sql, h.signature.parameters, StatementType.SELECT);
            info.setResultSet(rs);
            rowLimits.forget(h);
            return new ExecuteResult(List.of(rs == null
                    ? MetaResultSet.create(h.connectionId, h.id, true, h.signature, Frame.EMPTY)
                    : ResultFrames.create(h.connectionId, h.id, rs, maxRowsInFirstFrame, Long.MAX_VALUE, h.signature,
                    backend.types())));
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    /** The statement's prepared statement with {@code parameterValues} bound. */
    private static PreparedStatement bound(StatementInfo info, List<TypedValue> parameterValues) throws SQLException {
        if (parameterValues != null && MetaImpl.checkParameterValueHasNull(parameterValues)) {
            throw new SQLException("exception while executing query: unbound parameter");
        }
        PreparedStatement statement = (PreparedStatement) StatementAccess.of(info);
        if (parameterValues != null) {
            for (int i = 0; i < parameterValues.size(); i++) {
                statement.setObject(i + 1, parameterValues.get(i).toJdbc(PARAMETER_CALENDAR));
            }
        }
        return statement;
    }

    /** Whether {@link #executeArrow} is available: the backend exports its results as Arrow itself (DuckDB). */
    public boolean exportsArrow() {
        return backend.dialect() == com.akkio.dbproxy.policy.Dialect.DUCKDB;
    }

    /**
     * Runs a prepared statement with {@code parameterValues} as {@link #execute} does, and hands its result over
     * unread, as the backend's own Arrow batches of up to {@code batchRows} rows in {@code allocator}; null when it
     * answered with a count. The reader owns the result: the caller closes it.
     */
    public ArrowReader executeArrow(StatementHandle h, List<TypedValue> parameterValues, BufferAllocator allocator,
                                    int batchRows) throws NoSuchStatementException {
        if (!exportsArrow()) {
            throw new IllegalStateException("backend " + backend.name() + " does not export Arrow");
        }
        StatementInfo info = statementInfo(h);
        try {
            PreparedStatement statement = bound(info, parameterValues);
            if (!statement.execute()) {
                return null;
            }
            ResultSet rs = statement.getResultSet();
            info.setResultSet(rs);
            rowLimits.forget(h);
            return rs == null ? null : DuckDbArrow.export(rs, allocator, batchRows);
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    /** Whether {@link #insertArrow} is available: the backend imports Arrow itself (DuckDB). */
    public boolean importsArrow() {
        return exportsArrow();
    }

    /**
     * Inserts {@code rows} on the backend connection of {@code connectionId} through the backend's own Arrow import:
     * {@code insertPrefix}, an {@code INSERT INTO t (columns) SELECT columns FROM }, followed by the name the rows
     * are registered under; the rows inserted. The stream's C data structures come from {@code allocator}.
     */
    public long insertArrow(String connectionId, String insertPrefix, ArrowReader rows, BufferAllocator allocator) {
        if (!importsArrow()) {
            throw new IllegalStateException("backend " + backend.name() + " does not import Arrow");
        }
        try {
            return DuckDbArrow.insert(getConnection(connectionId), insertPrefix, rows, allocator);
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, long maxRowCount)
            throws NoSuchStatementException {
        return execute(h, parameterValues, AvaticaUtils.toSaturatedInt(maxRowCount));
    }

    @Override
    public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
            throws NoSuchStatementException, MissingResultsException {
        StatementInfo info = statementInfo(h);
        if (!info.isResultSetInitialized()) {
            throw new MissingResultsException(h);
        }
        if (info.getResultSet() == null) {
            return Frame.EMPTY;
        }
        try {
            Frame frame = ResultFrames.frame(info, info.getResultSet(), offset, fetchMaxRowCount, rowLimits.left(h),
                    backend.types());
            rowLimits.sent(h, frame.rows instanceof List<?> rows ? rows.size() : 0);
            return frame;
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    /** Counts the rows of a first frame against the statement's row limit. */
    private MetaResultSet sent(StatementHandle h, MetaResultSet result) {
        if (result.firstFrame != null && result.firstFrame.rows instanceof List<?> rows) {
            rowLimits.sent(h, rows.size());
        }
        return result;
    }

    private StatementInfo statementInfo(StatementHandle h) throws NoSuchStatementException {
        StatementInfo info = getStatementCache().getIfPresent(h.id);
        if (info == null) {
            throw new NoSuchStatementException(h);
        }
        return info;
    }

    /**
     * An execution closes its statement's previous result (JDBC), which a statement lent for one execution may have
     * produced rather than its own; that one then goes back. Not for a prepared statement holding its own.
     */
    private static void endPrevious(StatementInfo info, KeptPlans queries, int statementId)
            throws SQLException {
        if (info.isResultSetInitialized() && info.getResultSet() != null) {
            info.getResultSet().close();
        }
        queries.giveBack(statementId);
    }

    @Override
    public void closeStatement(StatementHandle h) {
        try {
            super.closeStatement(h);
        } finally {
            rowLimits.forget(h);
            KeptPlans queries = prepared.get(h.connectionId);
            if (queries != null) {
                queries.giveBack(h.id);
            }
        }
    }

    @Override
    public void closeConnection(ConnectionHandle ch) {
        try {
            super.closeConnection(ch);
        } finally {
            rowLimits.forgetConnection(ch.id);
            prepared.compute(ch.id, (id, queries) -> {
                if (queries != null) {
                    queries.close();
                }
                return null;
            });
        }
    }

    /** Avatica's description of a backend result's columns, typed by the backend's mapping. */
    public List<ColumnMetaData> describe(ResultSetMetaData md) throws SQLException {
        return ResultFrames.columns(md, backend.types());
    }

    /** A value of a backend result (of metadata, say) as the backend's mapping reads it. */
    public Object read(ResultSet rs, int column, ValueType type) throws SQLException {
        return backend.types().read(rs, column, type);
    }

    /** The warehouse the backend connection of an Avatica connection uses (Databricks failover), or the backend's. */
    public String warehouseOf(String connectionId) {
        try {
            return backend.warehouseOf(getConnection(connectionId));
        } catch (SQLException | RuntimeException e) {
            return backend.warehouseId();
        }
    }

    /** Cancels the statements of an Avatica connection's backend connection (see {@link QueryTimeouts}). */
    public void cancelRunning(String connectionId) throws SQLException {
        if (getConnection(connectionId) instanceof QueryTimeouts.Cancellable c) {
            c.cancelStatements();
        }
    }

    /** The backend connection behind an Avatica connection id, for metadata the proxy filters itself. */
    public Connection backendConnection(String connectionId) throws SQLException {
        return getConnection(connectionId);
    }
}

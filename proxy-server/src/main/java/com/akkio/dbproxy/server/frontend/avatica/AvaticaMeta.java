package com.akkio.dbproxy.server.frontend.avatica;

import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.Gateway;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.proto.Requests;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * The Avatica front end's one hook into the governed core: each call Avatica's service makes is answered by the
 * caller's {@link GovernedConnection}, found through the {@link Gateway} with the identity {@link TenantAuthenticator}
 * established for the request. Only the calls overridden here are served; {@link RefusingMeta} refuses the rest.
 * Every frame leaves through {@link AvaticaValues}, which puts the core's values in the form Avatica carries.
 */
public final class AvaticaMeta extends RefusingMeta {
    private final Gateway gateway;

    public AvaticaMeta(Gateway gateway) {
        this.gateway = gateway;
    }

    private GovernedConnection connection(String connectionId) {
        return gateway.connection(connectionId, CurrentCaller.get());
    }

    private GovernedConnection connection(ConnectionHandle ch) {
        return connection(ch.id);
    }

    @Override
    protected void checkConnection(ConnectionHandle ch) {
        connection(ch);
    }

    @Override
    protected void checkStatement(StatementHandle h) {
        connection(h.connectionId).checkStatement(h);
    }

    // ---------------------------------------------------------------- connections

    @Override
    public void openConnection(ConnectionHandle ch, Map<String, String> info) {
        Caller caller = CurrentCaller.get();
        gateway.open(ch.id, caller);
    }

    @Override
    public void closeConnection(ConnectionHandle ch) {
        connection(ch).close();
    }

    @Override
    public ConnectionProperties connectionSync(ConnectionHandle ch, ConnectionProperties props) {
        return connection(ch).sync(props);
    }

    @Override
    public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
        return connection(ch).databaseProperties();
    }

    @Override
    public void commit(ConnectionHandle ch) {
        connection(ch).commit();
    }

    @Override
    public void rollback(ConnectionHandle ch) {
        connection(ch).rollback();
    }

    // ---------------------------------------------------------------- statements

    @Override
    public StatementHandle createStatement(ConnectionHandle ch) {
        return connection(ch).createStatement();
    }

    @Override
    public void closeStatement(StatementHandle h) {
        connection(h.connectionId).closeStatement(h);
    }

    @Override
    public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
        return AvaticaValues.encode(connection(ch).prepare(sql, maxRowCount));
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
        return AvaticaValues.encode(connection(h.connectionId).execute(h, sql, maxRowCount, maxRowsInFirstFrame,
                callback));
    }

    @Override
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, int maxRowsInFirstFrame)
            throws NoSuchStatementException {
        return AvaticaValues.encode(connection(h.connectionId).executePrepared(h, parameterValues,
                maxRowsInFirstFrame));
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
        return AvaticaValues.encode(connection(h.connectionId).fetch(h, offset, fetchMaxRowCount));
    }

    @Override
    public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
            throws NoSuchStatementException {
        return connection(h.connectionId).executeBatch(h, sqlCommands);
    }

    @Override
    public ExecuteBatchResult executeBatch(StatementHandle h, List<List<TypedValue>> parameterValues)
            throws NoSuchStatementException {
        return connection(h.connectionId).executePreparedBatch(h, parameterValues);
    }

    @Override
    public ExecuteBatchResult executeBatchProtobuf(StatementHandle h, List<Requests.UpdateBatch> parameterValues)
            throws NoSuchStatementException {
        return connection(h.connectionId).executePreparedBatchProtobuf(h, parameterValues);
    }

    @Override
    public Iterable<Object> createIterable(StatementHandle h, QueryState state, Signature signature,
                                           List<TypedValue> parameters, Frame firstFrame) {
        return connection(h.connectionId).createIterable(h, state, signature, parameters, firstFrame);
    }

    // ---------------------------------------------------------------- metadata

    @Override
    public MetaResultSet getCatalogs(ConnectionHandle ch) {
        return AvaticaValues.encode(connection(ch).catalogs());
    }

    @Override
    public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
        return AvaticaValues.encode(connection(ch).schemas(catalog, schemaPattern.s));
    }

    @Override
    public MetaResultSet getTables(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
                                   List<String> typeList) {
        return AvaticaValues.encode(connection(ch).tables(catalog, schemaPattern.s, tableNamePattern.s, typeList));
    }

    @Override
    public MetaResultSet getColumns(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
                                    Pat columnNamePattern) {
        return AvaticaValues.encode(connection(ch).columns(catalog, schemaPattern.s, tableNamePattern.s,
                columnNamePattern.s));
    }

    @Override
    public MetaResultSet getTableTypes(ConnectionHandle ch) {
        return AvaticaValues.encode(connection(ch).tableTypes());
    }

    @Override
    public MetaResultSet getTypeInfo(ConnectionHandle ch) {
        return AvaticaValues.encode(connection(ch).typeInfo());
    }
}

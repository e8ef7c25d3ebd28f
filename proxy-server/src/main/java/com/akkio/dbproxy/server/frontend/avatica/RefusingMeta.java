package com.akkio.dbproxy.server.frontend.avatica;

import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.proto.Requests;
import org.apache.calcite.avatica.remote.ProtobufMeta;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * An Avatica {@code Meta} that refuses every call ({@code 0A000 NOT_SUPPORTED}), after checking that the handle it
 * names is the caller's (else {@code 08003 UNKNOWN_HANDLE}, as for a handle that does not exist). Refusing is the
 * default, as in Trino's {@code SystemAccessControl}: {@link AvaticaMeta} overrides exactly the calls the proxy
 * governs, and a call a later Avatica adds, or one nobody thought of, is refused rather than passed through.
 */
abstract class RefusingMeta implements ProtobufMeta {

    /** Throws unless {@code ch} is an open connection of the caller's tenant. */
    protected abstract void checkConnection(ConnectionHandle ch);

    /** Throws unless {@code h} is an open statement of one of the caller's connections. */
    protected abstract void checkStatement(StatementHandle h);

    private <T> T refuse(ConnectionHandle ch, String what) {
        checkConnection(ch);
        throw ProxyError.unsupported(what);
    }

    private <T> T refuse(StatementHandle h, String what) {
        checkStatement(h);
        throw ProxyError.unsupported(what);
    }

    @Override
    public void openConnection(ConnectionHandle ch, Map<String, String> info) {
        throw ProxyError.unsupported("openConnection");
    }

    @Override
    public void closeConnection(ConnectionHandle ch) {
        refuse(ch, "closeConnection");
    }

    @Override
    public ConnectionProperties connectionSync(ConnectionHandle ch, ConnectionProperties props) {
        return refuse(ch, "connectionSync");
    }

    @Override
    public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
        return refuse(ch, "getDatabaseProperties");
    }

    @Override
    public void commit(ConnectionHandle ch) {
        refuse(ch, "commit");
    }

    @Override
    public void rollback(ConnectionHandle ch) {
        refuse(ch, "rollback");
    }

    @Override
    public StatementHandle createStatement(ConnectionHandle ch) {
        return refuse(ch, "createStatement");
    }

    @Override
    public void closeStatement(StatementHandle h) {
        refuse(h, "closeStatement");
    }

    @Override
    public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
        return refuse(ch, "prepare");
    }

    @Override
    @SuppressWarnings("deprecation")
    public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount, PrepareCallback callback)
            throws NoSuchStatementException {
        return refuse(h, "prepareAndExecute");
    }

    @Override
    public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame,
                                           PrepareCallback callback) throws NoSuchStatementException {
        return refuse(h, "prepareAndExecute");
    }

    @Override
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, int maxRowsInFirstFrame)
            throws NoSuchStatementException {
        return refuse(h, "execute");
    }

    @Override
    @SuppressWarnings("deprecation")
    public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, long maxRowCount)
            throws NoSuchStatementException {
        return refuse(h, "execute");
    }

    @Override
    public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
            throws NoSuchStatementException, MissingResultsException {
        return refuse(h, "fetch");
    }

    @Override
    public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
            throws NoSuchStatementException {
        return refuse(h, "prepareAndExecuteBatch");
    }

    @Override
    public ExecuteBatchResult executeBatch(StatementHandle h, List<List<TypedValue>> parameterValues)
            throws NoSuchStatementException {
        return refuse(h, "executeBatch");
    }

    @Override
    public ExecuteBatchResult executeBatchProtobuf(StatementHandle h, List<Requests.UpdateBatch> parameterValues)
            throws NoSuchStatementException {
        return refuse(h, "executeBatch");
    }

    /** Re-running a statement from client-held state would bypass the decision. */
    @Override
    public boolean syncResults(StatementHandle h, QueryState state, long offset) {
        return refuse(h, "re-synchronising results (syncResults)");
    }

    @Override
    public Iterable<Object> createIterable(StatementHandle h, QueryState state, Signature signature,
                                           List<TypedValue> parameters, Frame firstFrame) {
        return refuse(h, "createIterable");
    }

    // metadata: Avatica's remote protocol never asks the server for most of these; refused rather than passed on

    @Override
    public MetaResultSet getCatalogs(ConnectionHandle ch) {
        return refuse(ch, "getCatalogs");
    }

    @Override
    public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
        return refuse(ch, "getSchemas");
    }

    @Override
    public MetaResultSet getTables(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
                                   List<String> typeList) {
        return refuse(ch, "getTables");
    }

    @Override
    public MetaResultSet getColumns(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
                                    Pat columnNamePattern) {
        return refuse(ch, "getColumns");
    }

    @Override
    public MetaResultSet getTableTypes(ConnectionHandle ch) {
        return refuse(ch, "getTableTypes");
    }

    @Override
    public MetaResultSet getTypeInfo(ConnectionHandle ch) {
        return refuse(ch, "getTypeInfo");
    }

    @Override
    public MetaResultSet getProcedures(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                       Pat procedureNamePattern) {
        return refuse(ch, "getProcedures");
    }

    @Override
    public MetaResultSet getProcedureColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                             Pat procedureNamePattern, Pat columnNamePattern) {
        return refuse(ch, "getProcedureColumns");
    }

    @Override
    public MetaResultSet getColumnPrivileges(ConnectionHandle ch, String catalog, String schema, String table,
                                             Pat columnNamePattern) {
        return refuse(ch, "getColumnPrivileges");
    }

    @Override
    public MetaResultSet getTablePrivileges(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                            Pat tableNamePattern) {
        return refuse(ch, "getTablePrivileges");
    }

    @Override
    public MetaResultSet getBestRowIdentifier(ConnectionHandle ch, String catalog, String schema, String table,
                                              int scope, boolean nullable) {
        return refuse(ch, "getBestRowIdentifier");
    }

    @Override
    public MetaResultSet getVersionColumns(ConnectionHandle ch, String catalog, String schema, String table) {
        return refuse(ch, "getVersionColumns");
    }

    @Override
    public MetaResultSet getPrimaryKeys(ConnectionHandle ch, String catalog, String schema, String table) {
        return refuse(ch, "getPrimaryKeys");
    }

    @Override
    public MetaResultSet getImportedKeys(ConnectionHandle ch, String catalog, String schema, String table) {
        return refuse(ch, "getImportedKeys");
    }

    @Override
    public MetaResultSet getExportedKeys(ConnectionHandle ch, String catalog, String schema, String table) {
        return refuse(ch, "getExportedKeys");
    }

    @Override
    public MetaResultSet getCrossReference(ConnectionHandle ch, String parentCatalog, String parentSchema,
                                           String parentTable, String foreignCatalog, String foreignSchema,
                                           String foreignTable) {
        return refuse(ch, "getCrossReference");
    }

    @Override
    public MetaResultSet getIndexInfo(ConnectionHandle ch, String catalog, String schema, String table,
                                      boolean unique, boolean approximate) {
        return refuse(ch, "getIndexInfo");
    }

    @Override
    public MetaResultSet getUDTs(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat typeNamePattern,
                                 int[] types) {
        return refuse(ch, "getUDTs");
    }

    @Override
    public MetaResultSet getSuperTypes(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat typeNamePattern) {
        return refuse(ch, "getSuperTypes");
    }

    @Override
    public MetaResultSet getSuperTables(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                        Pat tableNamePattern) {
        return refuse(ch, "getSuperTables");
    }

    @Override
    public MetaResultSet getAttributes(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat typeNamePattern,
                                       Pat attributeNamePattern) {
        return refuse(ch, "getAttributes");
    }

    @Override
    public MetaResultSet getClientInfoProperties(ConnectionHandle ch) {
        return refuse(ch, "getClientInfoProperties");
    }

    @Override
    public MetaResultSet getFunctions(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                      Pat functionNamePattern) {
        return refuse(ch, "getFunctions");
    }

    @Override
    public MetaResultSet getFunctionColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                            Pat functionNamePattern, Pat columnNamePattern) {
        return refuse(ch, "getFunctionColumns");
    }

    @Override
    public MetaResultSet getPseudoColumns(ConnectionHandle ch, String catalog, Pat schemaPattern,
                                          Pat tableNamePattern, Pat columnNamePattern) {
        return refuse(ch, "getPseudoColumns");
    }
}

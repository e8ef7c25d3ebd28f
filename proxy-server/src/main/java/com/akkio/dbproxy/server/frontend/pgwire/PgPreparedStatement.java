package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.List;

import org.apache.calcite.avatica.AvaticaParameter;
import org.apache.calcite.avatica.Meta;

/**
 * A statement the client prepared (Parse): answered locally, or a governed prepared statement. Its backend statement
 * may be closed under it (a cancel, a portal closed mid-result) and is then prepared again when next needed.
 */
final class PgPreparedStatement {
    final String sql;
    /** Non-null when the front end answers the statement itself. */
    final LocalStatement local;
    /** Non-null for a catalog query: its rewrite for the tenant's governed catalog. */
    String catalog;
    /** A catalog query's columns, as described when it was parsed. */
    List<org.apache.calcite.avatica.ColumnMetaData> catalogColumns;
    private int[] parameterOids;
    /** The backend statement, while one is open. */
    Meta.StatementHandle handle;
    /** The portal whose result is open on {@link #handle}: one per backend statement. */
    PgPortal active;

    PgPreparedStatement(String sql, LocalStatement local, int[] parameterOids) {
        this.sql = sql;
        this.local = local;
        this.parameterOids = parameterOids;
    }

    /** The parameter types Describe reports and Bind must supply values for (a local statement takes none). */
    int[] parameterOids() {
        return local != null ? new int[0] : parameterOids;
    }

    /**
     * Recognises a catalog query: it is then answered from the tenant's governed catalog, its parameters (types
     * the client left open are text) and columns as that catalog describes them. False: it takes the governed path.
     */
    boolean prepareCatalog(GovernedCalls calls) {
        String rewritten = calls.catalogRewrite(sql);
        if (rewritten == null) {
            return false;
        }
        TenantCatalogs.Answer described = calls.describeCatalogQuery(sql, rewritten);
        int[] oids = new int[Math.max(described.parameters(), parameterOids.length)];
        for (int i = 0; i < oids.length; i++) {
            int given = i < parameterOids.length ? parameterOids[i] : 0;
            oids[i] = given != 0 ? given : PgType.TEXT.oid;
        }
        parameterOids = oids;
        catalog = rewritten;
        catalogColumns = described.columns();
        return true;
    }

    /** Prepares through the governed path; parameter types the client left open are taken from the backend's. */
    void prepare(GovernedCalls calls) {
        Meta.StatementHandle h = calls.prepare(sql);
        handle = h;
        List<AvaticaParameter> params = h.signature == null ? List.of() : h.signature.parameters;
        int[] oids = new int[Math.max(params.size(), parameterOids.length)];
        for (int i = 0; i < oids.length; i++) {
            int given = i < parameterOids.length ? parameterOids[i] : 0;
            oids[i] = given != 0 || i >= params.size() ? given : PgType.ofJdbc(params.get(i).parameterType).oid;
        }
        parameterOids = oids;
    }

    /** Prepares again if the backend statement was closed, keeping the parameter types already told to the client. */
    void ensurePrepared(GovernedCalls calls) {
        if (handle == null) {
            int[] declared = parameterOids;
            prepare(calls);
            parameterOids = declared.length == parameterOids.length ? declared : parameterOids;
        }
    }

    /** Whether the prepared statement answers with rows (a query), by its backend signature. */
    boolean returnsRows() {
        Meta.Signature signature = handle.signature;
        return signature != null && !signature.columns.isEmpty() && (signature.statementType == null
                || signature.statementType == Meta.StatementType.SELECT);
    }
}

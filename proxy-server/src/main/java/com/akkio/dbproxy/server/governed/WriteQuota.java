package com.akkio.dbproxy.server.governed;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * One tenant's {@code write_quota}: how many rows its write-back tables (those its {@code write} patterns match) hold
 * together, measured on the backend before a write that can add rows and refused with {@code WRITE_QUOTA_EXCEEDED}
 * once they hold the quota. The measurement is remembered for {@code cache_seconds} and kept up to date in between
 * from the rows each INSERT reports; a statement whose effect on the count is unknown (CREATE TABLE … AS, a replace,
 * MERGE, DROP) makes the next write measure again. A write is checked before it runs, so one statement can end over
 * the quota by at most its {@code max_write_rows}; the next write is then refused.
 *
 * <p>DuckDB's {@code duckdb_tables()} gives each table's row count ({@code estimated_size}, exact for the tables of
 * a DuckDB database that deletes have not thinned) without reading the tables; it does not give bytes per table, so
 * the quota counts rows.
 */
final class WriteQuota implements WriteBackQuota {
    /** No quota: nothing is measured, nothing refused. */
    static final WriteQuota NONE = new WriteQuota(null);
    private static final Set<StatementKind> ADDS_ROWS = Set.of(StatementKind.INSERT, StatementKind.INSERT_OR_REPLACE,
            StatementKind.CREATE_TABLE, StatementKind.CREATE_OR_REPLACE, StatementKind.MERGE);
    private static final String MEASURE = "SELECT database_name, schema_name, table_name, estimated_size"
            + " FROM duckdb_tables()";

    /** Null for {@link #NONE}. */
    private final HeldQuota quota;

    WriteQuota(ProxyConfig.WriteQuota limit) {
        this.quota = limit == null ? null : new HeldQuota(limit.maxRows(), "rows", "write_quota.max_rows",
                limit.cacheFor(), WriteQuota::measure, e -> e.getMessage().lines().findFirst().orElse(""));
    }

    /**
     * Refuses the statements with {@code WRITE_QUOTA_EXCEEDED} if one of them can add rows and the tenant's write-back
     * tables hold their quota already.
     */
    @Override
    public void check(String tenant, TenantPolicy policy, List<StatementRun> runs, Backend backend) {
        if (quota != null) {
            quota.check(tenant, policy, runs, backend);
        }
    }

    /** A statement finished: counts the rows an INSERT added, or has the next write measure again. */
    @Override
    public void written(StatementRun run, TenantPolicy policy, long rows) {
        StatementKind kind = run.decision.kind();
        if (quota == null || kind == StatementKind.QUERY || kind == StatementKind.DESCRIBE) {
            return;
        }
        if (kind == StatementKind.INSERT && rows >= 0) {
            quota.add(rows);
        } else {
            quota.measureAgain();
        }
    }

    static boolean addsRows(StatementKind kind) {
        return ADDS_ROWS.contains(kind);
    }

    private static long measure(TenantPolicy policy, Backend backend) throws SQLException {
        long total = 0;
        try (Statement st = backend.connection().createStatement(); ResultSet rs = st.executeQuery(MEASURE)) {
            while (rs.next()) {
                if (policy.canWrite(new QualifiedName(rs.getString(1), rs.getString(2), rs.getString(3)))) {
                    total += rs.getLong(4);
                }
            }
        }
        return total;
    }
}

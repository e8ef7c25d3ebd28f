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
import com.akkio.dbproxy.server.errors.ErrorCode;

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

    private final ProxyConfig.WriteQuota limit;
    private long rows;
    /** When {@link #rows} was measured; 0 when it is to be measured again. */
    private long measuredAtNanos;

    WriteQuota(ProxyConfig.WriteQuota limit) {
        this.limit = limit;
    }

    /**
     * Refuses the statements with {@code WRITE_QUOTA_EXCEEDED} if one of them can add rows and the tenant's write-back
     * tables hold their quota already.
     */
    @Override
    public void check(String tenant, TenantPolicy policy, List<StatementRun> runs, Backend backend) {
        if (limit == null || runs.stream().noneMatch(r -> addsRows(r.decision.kind()))) {
            return;
        }
        long held;
        try {
            held = held(policy, backend);
        } catch (SQLException e) {
            // fail closed: a write whose quota cannot be checked is not run
            throw ProxyError.of(ErrorCode.WRITE_QUOTA_EXCEEDED, "the rows tenant '" + tenant + "''s write-back"
                    + " tables hold could not be measured (" + e.getMessage().lines().findFirst().orElse("")
                    + "), so the write was not run (rule: write_quota.max_rows)");
        }
        if (held >= limit.maxRows()) {
            throw ProxyError.of(ErrorCode.WRITE_QUOTA_EXCEEDED, "tenant '" + tenant + "''s write-back tables hold "
                    + held + " rows, its quota is " + limit.maxRows() + " (rule: write_quota.max_rows); drop or empty"
                    + " some of them to write again");
        }
    }

    /** A statement finished: counts the rows an INSERT added, or has the next write measure again. */
    @Override
    public void written(StatementRun run, TenantPolicy policy, long rows) {
        written(run.decision.kind(), rows);
    }

    private synchronized void written(StatementKind kind, long rowsReported) {
        if (limit == null || kind == StatementKind.QUERY || kind == StatementKind.DESCRIBE) {
            return;
        }
        if (kind == StatementKind.INSERT && rowsReported >= 0 && measuredAtNanos != 0) {
            rows += rowsReported;
        } else {
            measuredAtNanos = 0;
        }
    }

    static boolean addsRows(StatementKind kind) {
        return ADDS_ROWS.contains(kind);
    }

    private synchronized long held(TenantPolicy policy, Backend backend) throws SQLException {
        long now = System.nanoTime();
        if (measuredAtNanos != 0 && now - measuredAtNanos < limit.cacheFor().toNanos()) {
            return rows;
        }
        long total = 0;
        try (Statement st = backend.connection().createStatement(); ResultSet rs = st.executeQuery(MEASURE)) {
            while (rs.next()) {
                if (policy.canWrite(new QualifiedName(rs.getString(1), rs.getString(2), rs.getString(3)))) {
                    total += rs.getLong(4);
                }
            }
        }
        rows = total;
        measuredAtNanos = now == 0 ? 1 : now;
        return total;
    }
}

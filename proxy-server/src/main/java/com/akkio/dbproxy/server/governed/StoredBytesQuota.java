package com.akkio.dbproxy.server.governed;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * One tenant's {@code write_quota.max_bytes} on a Databricks backend: how many bytes its write-back tables (the tables
 * its {@code write} patterns match) hold together, measured on the warehouse before a write that can add rows, from
 * Delta's own metadata: the tables are listed from {@code system.information_schema.tables} and each one's
 * {@code DESCRIBE DETAIL} gives {@code sizeInBytes}, the size of its latest snapshot, without reading its data.
 *
 * <p>The measurement is remembered for {@code cache_seconds}, but every write that completes (whatever it reports)
 * has the next check measure again: a cached figure is only reused while no write has ended since it was taken, so no
 * write passes on a figure older than the last write. A write is checked before it runs, so one statement can end
 * over the quota by at most what its {@code max_write_rows} rows take; the next write is then refused. A table that
 * cannot be described (a view, a non-Delta table, a failure) makes the quota unmeasurable: the write is refused.
 */
final class StoredBytesQuota implements WriteBackQuota {
    /** Every table the principal sees; views (which hold no data and which DESCRIBE DETAIL refuses) left out. */
    static final String LIST = "SELECT table_catalog, table_schema, table_name FROM system.information_schema.tables"
            + " WHERE table_type NOT LIKE '%VIEW%'";

    private final HeldQuota quota;

    StoredBytesQuota(ProxyConfig.WriteQuota limit) {
        // the warehouse's message may name physical tables, so the tenant gets its SQLSTATE only
        this.quota = new HeldQuota(limit.maxBytes(), "bytes", "write_quota.max_bytes", limit.cacheFor(),
                StoredBytesQuota::measure, e -> "SQLSTATE " + e.getSQLState());
    }

    @Override
    public void check(String tenant, TenantPolicy policy, List<StatementRun> runs, Backend backend) {
        quota.check(tenant, policy, runs, backend);
    }

    /** Any statement but a query or a DESCRIBE may have changed what the tables hold: measure again. */
    @Override
    public void written(StatementRun run, TenantPolicy policy, long rows) {
        StatementKind kind = run.decision.kind();
        if (kind != StatementKind.QUERY && kind != StatementKind.DESCRIBE) {
            quota.measureAgain();
        }
    }

    private static long measure(TenantPolicy policy, Backend backend) throws SQLException {
        long total = 0;
        Connection c = backend.connection();
        for (QualifiedName table : writeBackTables(c, policy)) {
            total = saturatedAdd(total, sizeInBytes(c, table));
        }
        return total;
    }

    private static List<QualifiedName> writeBackTables(Connection c, TenantPolicy policy) throws SQLException {
        List<QualifiedName> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(LIST)) {
            while (rs.next()) {
                QualifiedName name = new QualifiedName(rs.getString(1), rs.getString(2), rs.getString(3));
                if (policy.canWrite(name)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** The table's {@code sizeInBytes} from DESCRIBE DETAIL (one row). */
    private static long sizeInBytes(Connection c, QualifiedName table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("DESCRIBE DETAIL " + quoted(table))) {
            if (!rs.next()) {
                throw new SQLException("DESCRIBE DETAIL gave no row for a write-back table");
            }
            long size = rs.getLong("sizeInBytes");
            if (rs.wasNull() || size < 0) {
                throw new SQLException("DESCRIBE DETAIL gave no sizeInBytes for a write-back table");
            }
            return size;
        }
    }

    /** Spark SQL's quoting: backticks, a backtick inside doubled. */
    static String quoted(QualifiedName name) {
        return tick(name.catalog()) + "." + tick(name.schema()) + "." + tick(name.table());
    }

    private static String tick(String part) {
        return "`" + part.replace("`", "``") + "`";
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}

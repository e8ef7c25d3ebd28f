package com.akkio.dbproxy.server.governed;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.TableColumns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The columns of a tenant's filtered and masked tables, read from its backend's JDBC metadata (as the governed
 * catalog reads them, {@link CatalogReader#columnNames}) on the tenant's own pool, and kept for
 * {@link #MAX_AGE_SECONDS}. The version moves on when a list read again differs from the kept one, or when a
 * statement of the tenant may have changed its tables ({@link #invalidate}): the policy's decision memo then forgets
 * every decision made with the old lists. A list that cannot be read is not kept; the statement is denied.
 */
public final class BackendColumns implements TableColumns {
    private static final Logger LOG = LoggerFactory.getLogger(BackendColumns.class);
    /** How long a list is trusted without asking the backend again: a change made outside the proxy shows then. */
    static final long MAX_AGE_SECONDS = 60;

    private record Entry(List<String> columns, long readAt) {
    }

    private final DataSource pool;
    private final Map<QualifiedName, Entry> kept = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();

    public BackendColumns(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public List<String> columns(QualifiedName table) {
        Entry e = kept.get(table);
        long now = System.nanoTime();
        if (e != null && now - e.readAt() < TimeUnit.SECONDS.toNanos(MAX_AGE_SECONDS)) {
            return e.columns();
        }
        List<String> read;
        try (Connection c = pool.getConnection()) {
            read = List.copyOf(CatalogReader.columnNames(c.getMetaData(), table.catalog(), table.schema(),
                    table.table()));
        } catch (SQLException | RuntimeException ex) {
            LOG.warn("cannot read the columns of {} for its row filter or masks: {}", table,
                    ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage().lines().findFirst()
                            .orElse(""));
            return null;
        }
        if (read.isEmpty()) {
            return null;
        }
        Entry old = kept.put(table, new Entry(read, now));
        if (old != null && !old.columns().equals(read)) {
            version.incrementAndGet();
        }
        return read;
    }

    @Override
    public long version() {
        return version.get();
    }

    /**
     * Checks, where the backend answers, that every column a policy's row filters and masks name exists; a table whose
     * columns cannot be read now is left to the statements (denied until they can be).
     *
     * @throws com.akkio.dbproxy.server.config.ConfigException naming the policy file, the table and the column
     */
    public void check(com.akkio.dbproxy.policy.TenantPolicy policy, java.nio.file.Path file)
            throws com.akkio.dbproxy.server.config.ConfigException {
        for (Map.Entry<QualifiedName, java.util.Set<String>> e
                : policy.rowPolicies().namedColumns(policy.dialect()).entrySet()) {
            List<String> columns = columns(e.getKey());
            if (columns == null) {
                LOG.warn("{}: the columns of {} cannot be read now; statements reading it are denied until they can",
                        file, e.getKey());
                continue;
            }
            java.util.Set<String> have = new java.util.HashSet<>();
            columns.forEach(c -> have.add(c.toLowerCase(java.util.Locale.ROOT)));
            for (String named : e.getValue()) {
                if (!have.contains(named)) {
                    throw new com.akkio.dbproxy.server.config.ConfigException(file + ": row_filters/masks: table "
                            + e.getKey() + " has no column " + named + " (it has " + columns + ")");
                }
            }
        }
    }

    /** The tenant's tables may have changed: every list is read again, and decisions made with them are forgotten. */
    public void invalidate() {
        kept.clear();
        version.incrementAndGet();
    }
}

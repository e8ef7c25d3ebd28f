package com.akkio.dbproxy.server.governed;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.policy.ResultColumns;
import com.akkio.dbproxy.policy.TenantPolicy;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;

/**
 * ResultSetMetaData's catalog, schema, table and nullability for a query's columns, which DuckDB's driver does not
 * report for a result (JDBC tools showed no table and "nullable" for a primary key): for a plain one-table query
 * ({@link ResultColumns}, as the policy's decision tells them from the tree it checked, without parsing the text
 * again), a result column that is a table column gets that table's logical names and the column's nullability from
 * the backend's metadata; anything else keeps what the backend said. One per client connection, holding the
 * nullability of the tables its queries read, which it forgets when the connection runs anything but a query (DDL
 * may change it).
 */
final class ResultOrigins {
    private final Map<QualifiedName, Map<String, Integer>> nullability = new ConcurrentHashMap<>();

    /** After a statement that may change tables: their nullability is read again when next needed. */
    void forgetTables() {
        nullability.clear();
    }

    /** {@code result} with the origins of its columns, as far as {@code plain} (the decision's) tells them. */
    Meta.ExecuteResult annotate(Meta.ExecuteResult result, Optional<ResultColumns> plain, TenantPolicy policy,
                                Connection backend) {
        List<Meta.MetaResultSet> sets = new ArrayList<>(result.resultSets.size());
        boolean changed = false;
        for (Meta.MetaResultSet rs : result.resultSets) {
            Meta.Signature annotated = annotate(rs.signature, plain, policy, backend);
            changed |= annotated != rs.signature;
            sets.add(annotated == rs.signature ? rs : Meta.MetaResultSet.create(rs.connectionId, rs.statementId,
                    rs.ownStatement, annotated, rs.firstFrame));
        }
        return changed ? new Meta.ExecuteResult(sets) : result;
    }

    /** {@code signature} with the origins of its columns; itself when there is nothing to add. */
    Meta.Signature annotate(Meta.Signature signature, Optional<ResultColumns> plain, TenantPolicy policy,
                            Connection backend) {
        if (signature == null || signature.columns == null || signature.columns.isEmpty()) {
            return signature;
        }
        if (plain.isEmpty() || !policy.canRead(plain.get().table())) {
            return signature;
        }
        QualifiedName table = plain.get().table();
        Map<String, Integer> nullable = nullability(table, backend);
        if (nullable == null) {
            return signature;
        }
        List<ColumnMetaData> columns = new ArrayList<>(signature.columns.size());
        int n = signature.columns.size();
        for (int i = 0; i < n; i++) {
            ColumnMetaData c = signature.columns.get(i);
            String label = c.label == null ? null : c.label.toLowerCase(Locale.ROOT);
            String source = plain.get().columnOf(i, n, label);
            Integer sourceNullable = source == null ? null : nullable.get(source);
            columns.add(sourceNullable == null ? c : new ColumnMetaData(c.ordinal, c.autoIncrement, c.caseSensitive,
                    c.searchable, c.currency, sourceNullable, c.signed, c.displaySize, c.label, source,
                    table.schema(), c.precision, c.scale, table.table(), policy.logicalCatalog(table.catalog()),
                    c.type, c.readOnly, c.writable, c.definitelyWritable, c.columnClassName));
        }
        return new Meta.Signature(columns, signature.sql, signature.parameters, signature.internalParameters,
                signature.cursorFactory, signature.statementType);
    }

    /** The table's columns and their JDBC nullability, as the backend's metadata gives them; null if it cannot. */
    private Map<String, Integer> nullability(QualifiedName table, Connection backend) {
        return nullability.computeIfAbsent(table, t -> {
            Map<String, Integer> columns = new HashMap<>();
            try (ResultSet rs = backend.getMetaData().getColumns(t.catalog(), t.schema(), t.table(), null)) {
                while (rs.next()) {
                    columns.put(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getInt("NULLABLE"));
                }
            } catch (SQLException | RuntimeException e) {
                return null; // no origins rather than a failed query; not kept, so asked again next time
            }
            return columns.isEmpty() ? null : columns;
        });
    }
}

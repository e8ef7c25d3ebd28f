package com.akkio.dbproxy.server.backend;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.types.ValueType;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.jdbc.StatementInfo;

/**
 * A backend result as the core hands it to front ends: Avatica's signature and frames, as {@code JdbcMeta} builds
 * them, but with each column's type and values from the backend's {@link TypeMapping} instead of Avatica's
 * per-JDBC-type getters (which turned a DuckDB HUGEINT into a {@code BigInteger} no front end could send, cut
 * timestamps to milliseconds, and failed on structs).
 * Public for the value-conversion benchmark (bench/ {@code ValueConversionBenchmark}), which times it against
 * {@code JdbcMeta}'s.
 */
public final class ResultFrames {
    private ResultFrames() {
    }

    /** The columns of a result or prepared statement, with their types in the proxy's vocabulary. */
    public static List<ColumnMetaData> columns(ResultSetMetaData md, TypeMapping types) throws SQLException {
        if (md == null) {
            return List.of();
        }
        List<ColumnMetaData> columns = new ArrayList<>(md.getColumnCount());
        for (int i = 1; i <= md.getColumnCount(); i++) {
            ValueType type = types.typeOf(md, i);
            // no catalog name: it would be the physical one, which a tenant never sees
            columns.add(new ColumnMetaData(i - 1, md.isAutoIncrement(i), md.isCaseSensitive(i), md.isSearchable(i),
                    md.isCurrency(i), md.isNullable(i), type.signed(), md.getColumnDisplaySize(i),
                    md.getColumnLabel(i), md.getColumnName(i), md.getSchemaName(i), type.precision(), type.scale(),
                    md.getTableName(i), null, type.avaticaType(), md.isReadOnly(i), md.isWritable(i),
                    md.isDefinitelyWritable(i), type.javaClassName()));
        }
        return columns;
    }

    static Meta.Signature signature(List<ColumnMetaData> columns, String sql,
                                    List<org.apache.calcite.avatica.AvaticaParameter> parameters,
                                    Meta.StatementType statementType) {
        // LIST: rows are Object[] (Avatica's ARRAY style would need a row class)
        return new Meta.Signature(columns, sql, parameters, null, Meta.CursorFactory.LIST, statementType);
    }

    /**
     * The result of an execution, as {@code JdbcMeta} reports it: its signature and first frame (at most
     * {@code maxRowsInFirstFrame} rows, Avatica's default frame size when negative, all when
     * {@link JdbcMeta#UNLIMITED_COUNT}), and of at most {@code left} rows in all; the backend result is closed once
     * read to its end.
     */
    static Meta.MetaResultSet create(String connectionId, int statementId, ResultSet rs, int maxRowsInFirstFrame,
                                     long left, Meta.Signature signature, TypeMapping types) throws SQLException {
        int rows = maxRowsInFirstFrame == JdbcMeta.UNLIMITED_COUNT ? -1
                : maxRowsInFirstFrame < 0 || maxRowsInFirstFrame > AvaticaStatement.DEFAULT_FETCH_SIZE
                ? AvaticaStatement.DEFAULT_FETCH_SIZE : maxRowsInFirstFrame;
        Meta.Frame first = frame(null, rs, 0, rows, left, types);
        return Meta.MetaResultSet.create(connectionId, statementId, true, signature, first);
    }

    /**
     * Up to {@code fetchMaxRowCount} rows (all when negative) from {@code offset}, and no more than {@code left} (the
     * rows a row limit still allows); done closes the result.
     */
    public static Meta.Frame frame(StatementInfo info, ResultSet rs, long offset, int fetchMaxRowCount, long left,
                            TypeMapping types) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        ValueType[] columnTypes = new ValueType[n];
        for (int i = 0; i < n; i++) {
            columnTypes[i] = types.typeOf(md, i + 1);
        }
        List<Object> rows = new ArrayList<>();
        boolean done = fetchMaxRowCount == 0;
        for (int r = 0; fetchMaxRowCount < 0 || r < fetchMaxRowCount; r++) {
            if (r >= left || !(info != null ? info.next() : rs.next())) {
                done = true;
                rs.close();
                break;
            }
            Object[] row = new Object[n];
            for (int i = 0; i < n; i++) {
                row[i] = types.read(rs, i + 1, columnTypes[i]);
            }
            rows.add(row);
        }
        if (!done && rows.size() >= left) {
            done = true;
            rs.close();
        }
        return new Meta.Frame(offset, done, rows);
    }
}

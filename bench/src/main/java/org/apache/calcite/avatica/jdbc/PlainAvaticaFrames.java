package org.apache.calcite.avatica.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;

import com.google.common.base.Optional;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.util.DateTimeUtils;

/**
 * The baseline of {@code ValueConversionBenchmark}: a frame of a JDBC result exactly as a plain Avatica server builds
 * it for a fetch ({@code JdbcMeta.fetch} calls {@code JdbcResultSet.frame}, which Avatica keeps to its package, hence
 * this class's).
 */
public final class PlainAvaticaFrames {
    private PlainAvaticaFrames() {
    }

    /** The next {@code rows} rows of {@code rs} (fewer at its end, which closes it), from {@code offset}. */
    public static Meta.Frame frame(ResultSet rs, long offset, int rows) throws SQLException {
        return JdbcResultSet.frame(null, rs, offset, rows, DateTimeUtils.calendar(), Optional.absent());
    }
}

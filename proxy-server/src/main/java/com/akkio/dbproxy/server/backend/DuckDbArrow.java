package com.akkio.dbproxy.server.backend;

import java.sql.ResultSet;
import java.sql.SQLException;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;

/**
 * DuckDB's own Arrow export of a result ({@code DuckDBResultSet.arrowExportStream}: its vectors handed over through
 * Arrow's C data interface, no value read one by one by the driver). The buffers are imported into the allocator
 * given, so its limit bounds them; the reader owns the result from then on and must be closed.
 */
final class DuckDbArrow {
    private DuckDbArrow() {
    }

    /** The unread result {@code rs} as Arrow batches of up to {@code batchRows} rows. */
    static ArrowReader export(ResultSet rs, BufferAllocator allocator, int batchRows) throws SQLException {
        return (ArrowReader) rs.unwrap(DuckDBResultSet.class).arrowExportStream(allocator, batchRows);
    }
}

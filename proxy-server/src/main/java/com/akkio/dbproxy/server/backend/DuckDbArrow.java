package com.akkio.dbproxy.server.backend;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

/**
 * DuckDB's own Arrow export of a result ({@code DuckDBResultSet.arrowExportStream}: its vectors handed over through
 * Arrow's C data interface, no value read one by one by the driver). The buffers are imported into the allocator
 * given, so its limit bounds them; the reader owns the result from then on and must be closed. And its Arrow import
 * ({@link #insert}): batches handed to DuckDB through the same interface and read by its {@code arrow_scan}.
 */
final class DuckDbArrow {
    private DuckDbArrow() {
    }

    /** The unread result {@code rs} as Arrow batches of up to {@code batchRows} rows. */
    static ArrowReader export(ResultSet rs, BufferAllocator allocator, int batchRows) throws SQLException {
        return (ArrowReader) rs.unwrap(DuckDBResultSet.class).arrowExportStream(allocator, batchRows);
    }

    /**
     * Runs {@code insertPrefix} (an {@code INSERT INTO t (columns) SELECT columns FROM }) with the name under which
     * {@code rows} is registered appended, on {@code connection} (in its transaction); the rows inserted. DuckDB
     * registers the stream as a temporary view, which only this connection sees; its name is random (not for the
     * tenant to guess) and the view is dropped before the transaction ends; when the INSERT fails, after the rollback
     * this ends the transaction with (a registered stream is not part of the transaction).
     */
    static long insert(Connection connection, String insertPrefix, ArrowReader rows, BufferAllocator allocator)
            throws SQLException {
        String name = "akkio_ingest_" + UUID.randomUUID().toString().replace("-", "");
        DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
        try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            Data.exportArrayStream(allocator, rows, stream);
            duck.registerArrowStream(name, stream);
            try (Statement s = connection.createStatement()) {
                long rowsInserted = s.executeLargeUpdate(insertPrefix + "\"" + name + "\"");
                drop(connection, name);
                return rowsInserted;
            } catch (SQLException e) {
                // the failed INSERT aborted the transaction, and the view outlives its rollback: end it here and drop
                // the view outside any transaction (the caller's own rollback then finds nothing to undo)
                if (connection.getAutoCommit()) {
                    drop(connection, name);
                } else {
                    connection.rollback();
                    connection.setAutoCommit(true);
                    try {
                        drop(connection, name);
                    } finally {
                        connection.setAutoCommit(false);
                    }
                }
                throw e;
            }
        }
    }

    private static void drop(Connection connection, String view) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP VIEW IF EXISTS \"" + view + "\"");
        }
    }
}

package com.akkio.dbproxy.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * DuckDB's Arrow import as the bulk ingest uses it: the rows go in inside the connection's transaction, and the
 * stream's registered name is gone afterwards (also when the stream fails), never seen by another connection.
 */
class DuckDbArrowTest {
    private static final Schema SCHEMA = new Schema(List.of(Field.nullable("n", new ArrowType.Int(64, true))));

    /** {@code batches} batches of 1000 rows; fails instead of reading batch {@code failAt} (0: never). */
    private static final class Batches extends ArrowReader {
        private final int batches;
        private final int failAt;
        private int read;

        Batches(BufferAllocator allocator, int batches, int failAt) {
            super(allocator);
            this.batches = batches;
            this.failAt = failAt;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (++read == failAt) {
                throw new IOException("the client went away");
            }
            if (read > batches) {
                return false;
            }
            VectorSchemaRoot root = getVectorSchemaRoot();
            BigIntVector n = (BigIntVector) root.getVector("n");
            n.allocateNew(1000);
            for (int i = 0; i < 1000; i++) {
                n.set(i, (read - 1) * 1000L + i);
            }
            root.setRowCount(1000);
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return SCHEMA;
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static final String INGEST_VIEWS =
            "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'akkio_ingest_%'";

    @Test
    void theRowsGoInInTheTransactionAndTheRegisteredNameIsGoneAfterwards() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
             Connection c = DriverManager.getConnection("jdbc:duckdb:");
             Connection other = ((org.duckdb.DuckDBConnection) c).duplicate()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (n BIGINT)");
            }
            c.setAutoCommit(false);
            assertThat(DuckDbArrow.insert(c, "INSERT INTO t (n) SELECT * FROM ", new Batches(allocator, 5, 0),
                    allocator)).isEqualTo(5000);
            assertThat(count(c, INGEST_VIEWS)).isZero();
            assertThat(count(other, "SELECT count(*) FROM t")).isZero();
            c.commit();
            assertThat(count(other, "SELECT count(*) FROM t")).isEqualTo(5000);
            assertThat(count(c, "SELECT sum(n) FROM t")).isEqualTo(4999L * 5000 / 2);
            assertThat(count(c, INGEST_VIEWS)).isZero();
            assertThat(count(other, INGEST_VIEWS)).isZero();
        }
    }

    @Test
    void aStreamFailingMidwayFailsTheInsertAndTheRollbackKeepsNothing() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
             Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (n BIGINT)");
            }
            c.setAutoCommit(false);
            assertThatThrownBy(() -> DuckDbArrow.insert(c, "INSERT INTO t (n) SELECT * FROM ",
                    new Batches(allocator, 5, 3), allocator)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("the client went away");
            c.rollback();
            c.setAutoCommit(true);
            assertThat(count(c, "SELECT count(*) FROM t")).isZero();
            assertThat(count(c, INGEST_VIEWS)).isZero();
        }
    }
}

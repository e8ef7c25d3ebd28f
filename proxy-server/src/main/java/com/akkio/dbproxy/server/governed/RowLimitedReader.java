package com.akkio.dbproxy.server.governed;

import java.io.IOException;
import java.util.function.Supplier;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow stream that stops with a refusal once more than {@code max} rows have come through it (the tenant's
 * {@code max_write_rows} over a whole ingest). The backend reads it inside the INSERT, so the refusal fails the INSERT
 * and nothing is kept: the rows are never truncated. The refusal (or one the source threw) is kept to be told apart
 * from the backend's error that carries it.
 */
final class RowLimitedReader extends ArrowReader {
    private final ArrowReader source;
    private final long max;
    private final Supplier<ProxyError> over;
    private long rows;
    private ProxyError refusal;

    RowLimitedReader(ArrowReader source, long max, BufferAllocator allocator, Supplier<ProxyError> over) {
        super(allocator);
        this.source = source;
        this.max = max;
        this.over = over;
    }

    /** The source's own batch, not a copy: the backend imports its buffers as they are. */
    @Override
    public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
        return source.getVectorSchemaRoot();
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        if (refusal != null) {
            throw refusal;
        }
        boolean more;
        try {
            more = source.loadNextBatch();
        } catch (ProxyError e) {
            // the source's own refusal (a Flight ingest's batch over its memory limit), told apart the same way
            refusal = e;
            throw e;
        }
        if (!more) {
            return false;
        }
        rows += source.getVectorSchemaRoot().getRowCount();
        if (rows > max) {
            refusal = over.get();
            throw refusal;
        }
        return true;
    }

    /** The refusal the stream ended with, or null. */
    ProxyError refusal() {
        return refusal;
    }

    /** The rows read so far. */
    long rows() {
        return rows;
    }

    @Override
    public long bytesRead() {
        return source.bytesRead();
    }

    @Override
    protected void closeReadSource() throws IOException {
        source.close();
    }

    @Override
    protected Schema readSchema() throws IOException {
        return source.getVectorSchemaRoot().getSchema();
    }
}

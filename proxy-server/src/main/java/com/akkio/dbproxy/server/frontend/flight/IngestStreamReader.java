package com.akkio.dbproxy.server.frontend.flight;

import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A client's DoPut stream as an {@link ArrowReader}, for the backend's Arrow import and for the row path alike: its
 * batches as they arrive, one at a time in the stream's own root (no copy). The Flight call owns the stream, so
 * closing the reader leaves it open.
 *
 * <p>Arrow Java's Flight server reads a DoPut's messages into its own allocator (the server's, before any producer
 * code knows the caller: {@code ArrowMessage}'s gRPC marshaller copies each message body into a buffer of it, and the
 * {@code FlightStream} loads its root from those), asking for one message at a time and queueing at most a few.
 * So each batch, as the ingest takes it, is held in the ingest's allocator ({@link TenantMemory.Held}) under the
 * stream's and the tenant's limits until the next one: one that does not fit fails the ingest (nothing written).
 */
final class IngestStreamReader extends ArrowReader {
    private final FlightStream stream;
    private final BufferAllocator ingest;
    private final TenantMemory memory;
    private final TenantMemory.Held held;
    private volatile ProxyError failure;

    IngestStreamReader(FlightStream stream, BufferAllocator ingest, TenantMemory memory) {
        super(ingest);
        this.stream = stream;
        this.ingest = ingest;
        this.memory = memory;
        this.held = new TenantMemory.Held(ingest);
    }

    @Override
    public VectorSchemaRoot getVectorSchemaRoot() {
        return stream.getRoot();
    }

    @Override
    public boolean loadNextBatch() {
        try {
            held.close();
            if (!stream.next()) {
                return false;
            }
            long bytes = 0;
            for (FieldVector v : stream.getRoot().getFieldVectors()) {
                bytes += v.getBufferSize();
            }
            if (!held.hold(bytes)) {
                throw memory.exceeded(ingest, "a batch of the ingest (" + stream.getRoot().getRowCount() + " rows, "
                        + bytes + " bytes)");
            }
            return true;
        } catch (ProxyError e) {
            failure = e;
            throw e;
        }
    }

    /** Why a batch of the client's could not be read (a corrupt compressed buffer, the memory limits), or null. */
    ProxyError failure() {
        return failure;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    /** The ingest is over: the batch the stream still holds is no longer counted as the ingest's. */
    void release() {
        held.close();
    }

    @Override
    protected void closeReadSource() {
        // the Flight call closes its stream
        release();
    }

    @Override
    protected Schema readSchema() {
        return stream.getSchema();
    }
}

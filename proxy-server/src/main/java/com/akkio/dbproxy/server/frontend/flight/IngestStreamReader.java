package com.akkio.dbproxy.server.frontend.flight;

import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A client's DoPut stream as an {@link ArrowReader}, for the backend's Arrow import: its batches as they arrive, one
 * at a time in the stream's own root (no copy). The Flight call owns the stream, so closing the reader leaves it open.
 */
final class IngestStreamReader extends ArrowReader {
    private final FlightStream stream;

    IngestStreamReader(FlightStream stream, BufferAllocator allocator) {
        super(allocator);
        this.stream = stream;
    }

    @Override
    public VectorSchemaRoot getVectorSchemaRoot() {
        return stream.getRoot();
    }

    @Override
    public boolean loadNextBatch() {
        return stream.next();
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    protected void closeReadSource() {
        // the Flight call closes its stream
    }

    @Override
    protected Schema readSchema() {
        return stream.getSchema();
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.google.protobuf.Any;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client's batches compressed with LZ4_FRAME or ZSTD (here by Arrow Java's own codecs, as an Arrow Java client
 * sends them) are read by bulk ingest whatever the call's compression header says, the rows landing as sent; a
 * batch whose compressed buffer claims more than LZ4 can reach is refused as {@code INVALID_ARROW_BODY} before the
 * memory is taken. pyarrow's LZ4 ingest (linked blocks): {@code flight_client_check.py}.
 */
@LiveServerTest
class FlightCompressedIngestTest {
    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    /** Streams limited to 16 MB each. */
    private static final long SMALL = 16L << 20;
    @RegisterExtension
    static final DemoProxyExtension SMALL_STREAMS = DemoProxyExtension.of(DemoProxy.builder().unthrottled()
            .server(s -> s.withFlight(new ProxyConfig.Flight(true, 0, s.flight().tokenTtl(), SMALL, SMALL))));

    /**
     * {@code CommandStatementIngest} of {@code root} into a new akkio_out table, its batch compressed by {@code codec}:
     * Arrow Java's client has no compression option, so its put stream's unloader is swapped for one with the codec
     * (what the server does for results, {@link IpcCompression}). Rows: {@link FlightFixture#rows}.
     */
    private static long ingest(FlightClient client, CallOption login, VectorSchemaRoot root, String table,
                               CompressionCodec codec) throws Exception {
        FlightSql.CommandStatementIngest command = FlightSql.CommandStatementIngest.newBuilder()
                .setTable(table).setCatalog("main").setSchema("akkio_out")
                .setTableDefinitionOptions(FlightFixture.CREATE).build();
        SyncPutListener results = new SyncPutListener();
        FlightClient.ClientStreamListener put = client.startPut(
                FlightDescriptor.command(Any.pack(command).toByteArray()), root, results, login);
        Field unloader = Class.forName("org.apache.arrow.flight.OutboundStreamListenerImpl")
                .getDeclaredField("unloader");
        unloader.setAccessible(true);
        unloader.set(put, new VectorUnloader(root, true, codec, true));
        put.putNext();
        put.completed();
        try (PutResult result = results.read()) {
            put.getResult();
            return FlightSql.DoPutUpdateResult.parseFrom(result.getApplicationMetadata().nioBuffer())
                    .getRecordCount();
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void batchesTheClientCompressedWithLz4OrZstdAreIngestedAsSent() throws Exception {
        try (FlightFixture flight = FlightFixture.connect(PROXY.get());
             VectorSchemaRoot root = FlightFixture.rows(flight.allocator, 20_000);
             Connection acme = PROXY.get().acme()) {
            CallOption login = flight.login("acme");
            for (CompressionUtil.CodecType type : new CompressionUtil.CodecType[] {
                    CompressionUtil.CodecType.LZ4_FRAME, CompressionUtil.CodecType.ZSTD}) {
                String table = "packed_" + type.name().toLowerCase();
                assertThat(ingest(flight.client, login, root, table, CommonsCompressionFactory.INSTANCE
                        .createCodec(type))).as(type.name()).isEqualTo(20_000);
                assertThat(scalar(acme, "SELECT count(*) FROM main.akkio_out." + table
                        + " WHERE label = 'row ' || id AND amount * 100 = id")).as(type.name()).isEqualTo(20_000);
            }
        }
    }

    /** LZ4_FRAME buffers whose length prefix claims 2 GB: no frame of these few bytes can hold that. */
    private static final class InflatedLz4 implements CompressionCodec {
        @Override
        public ArrowBuf compress(BufferAllocator allocator, ArrowBuf uncompressed) {
            ArrowBuf packed = Lz4FrameCodec.INSTANCE.compress(allocator, uncompressed);
            packed.setLong(0, Integer.MAX_VALUE);
            return packed;
        }

        @Override
        public ArrowBuf decompress(BufferAllocator allocator, ArrowBuf compressed) {
            throw new UnsupportedOperationException("writes only");
        }

        @Override
        public CompressionUtil.CodecType getCodecType() {
            return CompressionUtil.CodecType.LZ4_FRAME;
        }
    }

    @Test
    void aCompressedBatchClaimingMoreThanItsBytesCanHoldIsRefusedByName() throws Exception {
        try (FlightFixture flight = FlightFixture.connect(PROXY.get());
             VectorSchemaRoot root = FlightFixture.rows(flight.allocator, 1000);
             Connection acme = PROXY.get().acme()) {
            CallOption login = flight.login("acme");
            assertThatThrownBy(() -> ingest(flight.client, login, root, "inflated", new InflatedLz4()))
                    .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code())
                            .isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
                    .hasMessageStartingWith("INVALID_ARROW_BODY: an LZ4_FRAME-compressed Arrow buffer cannot be read")
                    .hasMessageContaining("declares 2147483647 bytes");
            try (ResultSet tables = acme.getMetaData().getTables("main", "akkio_out", "inflated", null)) {
                assertThat(tables.next()).as("nothing of the refused ingest is left").isFalse();
            }
        }
    }

    /**
     * ZSTD may expand far more than LZ4's 255:1, legitimately: 4M zero BIGINTs (32 MB) pack into a few kilobytes. The
     * lengths a batch declares are held to the stream's memory before anything is inflated, since Arrow's Flight
     * server inflates a client's batches before any tenant limit applies.
     */
    @Test
    void aZstdBatchThatWouldInflatePastTheStreamsMemoryIsRefusedBeforeItIsInflated() throws Exception {
        int rows = 4 << 20;
        try (FlightFixture flight = FlightFixture.connect(SMALL_STREAMS.get());
             VectorSchemaRoot root = VectorSchemaRoot.of(new BigIntVector("id", flight.allocator));
             Connection acme = SMALL_STREAMS.get().acme()) {
            BigIntVector id = (BigIntVector) root.getVector(0);
            id.allocateNew(rows);
            for (int i = 0; i < rows; i++) {
                id.set(i, 0);
            }
            root.setRowCount(rows);
            CallOption login = flight.login("acme");
            assertThatThrownBy(() -> ingest(flight.client, login, root, "zeros", CommonsCompressionFactory.INSTANCE
                    .createCodec(CompressionUtil.CodecType.ZSTD)))
                    .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code())
                            .isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED))
                    .hasMessageStartingWith("STREAM_MEMORY_EXCEEDED: a compressed batch the client sent declares more"
                            + " than " + SMALL + " bytes once inflated");
            try (ResultSet tables = acme.getMetaData().getTables("main", "akkio_out", "zeros", null)) {
                assertThat(tables.next()).as("nothing of the refused ingest is left").isFalse();
            }
            root.setRowCount(1000);
            assertThat(ingest(flight.client, login, root, "zeros", CommonsCompressionFactory.INSTANCE
                    .createCodec(CompressionUtil.CodecType.ZSTD))).as("a batch within the limit, same connection")
                    .isEqualTo(1000);
        }
        // the refused batch's validity buffer (512 KiB) was inflated before its values were refused: given back too.
        // The server releases a finished call's buffers just after answering it: wait for that, fail if they stay
        ArrowMemory server = SMALL_STREAMS.get().server.flightMemory();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.allocatedBytes() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.allocatedBytes()).as("Arrow memory the server still holds").isZero();
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-batch budget a client's compressed buffers are held to before they are inflated: the declared lengths of
 * one batch's buffers add up, a new batch (a new codec from the factory, as {@code VectorLoader} asks once per batch)
 * starts afresh, a buffer sent uncompressed costs nothing, and an LZ4 claim no frame can reach stays the client's
 * corrupt buffer. End to end: {@link FlightCompressedIngestTest}.
 */
class BoundedInflationTest {
    private static final long BUDGET = 1 << 20;
    private final BufferAllocator allocator = new RootAllocator(64L << 20);
    private final BoundedInflation factory = new BoundedInflation(BUDGET);

    @AfterEach
    void everyBufferIsReleased() {
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    /** {@code bytes} zero bytes compressed with {@code type} (they compress to almost nothing). */
    private ArrowBuf packed(CompressionUtil.CodecType type, int bytes) {
        ArrowBuf plain = allocator.buffer(bytes);
        plain.setZero(0, bytes);
        plain.writerIndex(bytes);
        return IpcCodecs.INSTANCE.createCodec(type).compress(allocator, plain); // takes plain
    }

    private static void inflate(CompressionCodec codec, BufferAllocator allocator, ArrowBuf packed) {
        codec.decompress(allocator, packed).close(); // takes packed
    }

    @Test
    void theLengthsOneBatchDeclaresAddUpToTheBudgetAndANewBatchStartsAfresh() {
        for (CompressionUtil.CodecType type : new CompressionUtil.CodecType[] {
                CompressionUtil.CodecType.ZSTD, CompressionUtil.CodecType.LZ4_FRAME}) {
            CompressionCodec batch = factory.createCodec(type);
            inflate(batch, allocator, packed(type, (int) BUDGET / 2));
            inflate(batch, allocator, packed(type, (int) BUDGET / 2));
            ArrowBuf over = packed(type, 1024);
            assertThatThrownBy(() -> batch.decompress(allocator, over)).as(type.name())
                    .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.STREAM_MEMORY_EXCEEDED))
                    .hasMessageContaining("declares more than " + BUDGET + " bytes once inflated");
            over.close();
            inflate(factory.createCodec(type), allocator, packed(type, (int) BUDGET)); // the next batch
        }
    }

    @Test
    void aBufferSentUncompressedCostsNothingOfTheBudget() {
        CompressionCodec batch = factory.createCodec(CompressionUtil.CodecType.ZSTD);
        java.util.SplittableRandom random = new java.util.SplittableRandom(25);
        for (int i = 0; i < 4; i++) {
            // random bytes do not shrink: sent as they are, behind the length -1
            ArrowBuf plain = allocator.buffer(BUDGET / 2);
            for (long at = 0; at < BUDGET / 2; at += 8) {
                plain.setLong(at, random.nextLong());
            }
            plain.writerIndex(BUDGET / 2);
            ArrowBuf packed = IpcCodecs.INSTANCE.createCodec(CompressionUtil.CodecType.ZSTD).compress(allocator,
                    plain);
            assertThat(packed.getLong(0)).isEqualTo(CompressionUtil.NO_COMPRESSION_LENGTH);
            inflate(batch, allocator, packed);
        }
        inflate(batch, allocator, packed(CompressionUtil.CodecType.ZSTD, (int) BUDGET));
    }

    /** Every type a client may compress with, today's and any Arrow adds, is counted inside its codec. */
    @Test
    void everyCompressedTypesCodecRefusesAClaimOverTheBudgetBeforeItTakesAnyMemory() {
        for (CompressionUtil.CodecType type : CompressionUtil.CodecType.values()) {
            if (type == CompressionUtil.CodecType.NO_COMPRESSION) {
                continue;
            }
            ArrowBuf over = packed(type, (int) BUDGET + 1);
            long before = allocator.getAllocatedMemory();
            assertThatThrownBy(() -> factory.createCodec(type).decompress(allocator, over)).as(type.name())
                    .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.STREAM_MEMORY_EXCEEDED));
            assertThat(allocator.getAllocatedMemory()).as(type.name() + ": nothing allocated").isEqualTo(before);
            over.close();
        }
    }

    /** {@code batch} (closed) as a reader gets it off the wire: its buffers slices of one message body. */
    private ArrowRecordBatch wire(ArrowRecordBatch batch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (batch) {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), batch);
        }
        return MessageSerializer.deserializeRecordBatch(new ReadChannel(Channels.newChannel(
                new ByteArrayInputStream(out.toByteArray()))), allocator);
    }

    /**
     * Arrow's loader inflates a column's buffers one by one and drops those it inflated when a later one is refused;
     * the stream's loader gives them back (else each refused batch leaked up to the budget into the server's memory).
     */
    @Test
    void aBatchRefusedMidwayLeavesNothingItInflatedBehind() throws IOException {
        int rows = 200_000; // validity 25,000 bytes (fits the budget), then 1.6 MB of values (does not)
        for (CompressionUtil.CodecType type : new CompressionUtil.CodecType[] {
                CompressionUtil.CodecType.ZSTD, CompressionUtil.CodecType.LZ4_FRAME}) {
            try (VectorSchemaRoot sent = VectorSchemaRoot.of(new BigIntVector("id", allocator));
                 VectorSchemaRoot received = VectorSchemaRoot.create(sent.getSchema(), allocator)) {
                BigIntVector id = (BigIntVector) sent.getVector(0);
                id.allocateNew(rows);
                for (int i = 0; i < rows; i++) {
                    if (i % 7 != 0) {
                        id.set(i, i);
                    }
                }
                sent.setRowCount(rows);
                try (ArrowRecordBatch batch = wire(new VectorUnloader(sent, true, IpcCodecs.INSTANCE.createCodec(type),
                        true).getRecordBatch())) {
                    long before = allocator.getAllocatedMemory();
                    assertThatThrownBy(() -> factory.loader(received).load(batch)).as(type.name())
                            .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.code())
                                    .isEqualTo(ErrorCode.STREAM_MEMORY_EXCEEDED));
                    assertThat(allocator.getAllocatedMemory()).as(type.name() + ": nothing left inflated")
                            .isLessThanOrEqualTo(before);
                }
            }
        }
    }

    @Test
    void anLz4ClaimNoFrameCanReachIsTheClientsCorruptBufferWhateverTheBudget() {
        ArrowBuf packed = packed(CompressionUtil.CodecType.LZ4_FRAME, 4096);
        packed.setLong(0, Integer.MAX_VALUE);
        assertThatThrownBy(() -> factory.createCodec(CompressionUtil.CodecType.LZ4_FRAME).decompress(allocator,
                packed)).isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.INVALID_ARROW_BODY));
        packed.close();
    }
}

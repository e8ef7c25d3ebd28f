package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import com.akkio.dbproxy.server.governed.ProxyError;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LZ4_FRAME codec against two other implementations of lz4's frame format (commons-compress, which Arrow Java's
 * own codec uses, and lz4-java's frame streams): what it writes they read, what they write it reads, linked blocks
 * (pyarrow's) included; and a client's corrupt or inflated buffer is refused by name, within the allocator's limit.
 * pyarrow reading its frames and writing ones it reads: {@link PyarrowFlightClientTest}.
 */
class Lz4FrameCodecTest {
    private final BufferAllocator allocator = new RootAllocator(256L << 20);
    private final CompressionCodec codec = IpcCodecs.INSTANCE.createCodec(CompressionUtil.CodecType.LZ4_FRAME);

    @AfterEach
    void everyBufferIsReleased() {
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    /** Column-like data: small integers and repeated strings, which LZ4 shrinks. */
    private static byte[] compressible(int size) {
        byte[] bytes = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % 64 < 48 ? 'a' + (i / 64) % 7 : random.nextInt(4));
        }
        return bytes;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private ArrowBuf buffer(byte[] bytes) {
        ArrowBuf buf = allocator.buffer(Math.max(1, bytes.length));
        buf.setBytes(0, bytes);
        buf.writerIndex(bytes.length);
        return buf;
    }

    private static byte[] bytes(ArrowBuf buf, long from) {
        byte[] out = new byte[(int) (buf.writerIndex() - from)];
        buf.getBytes(from, out);
        return out;
    }

    /** Compressed by the codec: the 8-byte length prefix and the body. */
    private byte[] compress(byte[] data) {
        try (ArrowBuf packed = codec.compress(allocator, buffer(data))) {
            return bytes(packed, 0);
        }
    }

    private byte[] decompress(byte[] packed) {
        try (ArrowBuf plain = codec.decompress(allocator, buffer(packed))) {
            return bytes(plain, 0);
        }
    }

    private static long prefix(byte[] packed) {
        return ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] body(byte[] packed) {
        return Arrays.copyOfRange(packed, 8, packed.length);
    }

    /** A frame behind Arrow's length prefix. */
    private static byte[] withPrefix(long length, byte[] frame) {
        return ByteBuffer.allocate(8 + frame.length).order(ByteOrder.LITTLE_ENDIAN).putLong(length).put(frame).array();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void aBufferRoundTripsAndItsFrameIsReadByCommonsCompressAndLz4JavasFrameReader() throws IOException {
        for (int size : new int[] {1, 100, 65_536, 1_000_000, Lz4FrameCodec.MAX_BLOCK, 9_500_000}) {
            byte[] data = compressible(size);
            byte[] packed = compress(data);
            if (size >= 100) {
                assertThat(prefix(packed)).as("size %d", size).isEqualTo(size);
                assertThat(packed.length).as("size %d", size).isLessThan(size < 65_536 ? size : size / 2);
                assertThat(readAll(new FramedLZ4CompressorInputStream(new ByteArrayInputStream(body(packed)))))
                        .as("commons-compress, size %d", size).isEqualTo(data);
                assertThat(readAll(new LZ4FrameInputStream(new ByteArrayInputStream(body(packed)))))
                        .as("lz4-java, size %d", size).isEqualTo(data);
            }
            assertThat(decompress(packed)).as("size %d", size).isEqualTo(data);
        }
    }

    @Test
    void anEmptyBufferIsALengthOfZeroAndReadsBackEmpty() {
        byte[] packed = compress(new byte[0]);
        assertThat(packed).hasSize(8);
        assertThat(prefix(packed)).isZero();
        assertThat(decompress(packed)).isEmpty();
    }

    @Test
    void aBufferThatDoesNotShrinkIsSentAsItIsBehindLengthMinusOne() {
        byte[] data = random(300_000);
        byte[] packed = compress(data);
        assertThat(prefix(packed)).isEqualTo(CompressionUtil.NO_COMPRESSION_LENGTH);
        assertThat(body(packed)).isEqualTo(data);
        assertThat(decompress(packed)).isEqualTo(data);
    }

    @Test
    void anIncompressibleBlockIsStoredRawInsideAFrameThatShrinksAsAWhole() throws IOException {
        byte[] data = new byte[2 * Lz4FrameCodec.MAX_BLOCK];
        System.arraycopy(random(Lz4FrameCodec.MAX_BLOCK), 0, data, 0, Lz4FrameCodec.MAX_BLOCK);
        byte[] packed = compress(data);
        assertThat(prefix(packed)).isEqualTo(data.length);
        int firstBlock = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).getInt(8 + 15);
        assertThat(firstBlock).as("the raw flag and the block's own length").isEqualTo(0x80000000
                | Lz4FrameCodec.MAX_BLOCK);
        assertThat(readAll(new FramedLZ4CompressorInputStream(new ByteArrayInputStream(body(packed)))))
                .isEqualTo(data);
        assertThat(decompress(packed)).isEqualTo(data);
    }

    @Test
    void framesOtherWritersMakeAreRead() throws IOException {
        byte[] data = compressible(700_000);
        // linked 64 KiB blocks with a content checksum: how Arrow C++ (pyarrow) and lz4's defaults write
        ByteArrayOutputStream linked = new ByteArrayOutputStream();
        try (OutputStream out = new FramedLZ4CompressorOutputStream(linked, new FramedLZ4CompressorOutputStream
                .Parameters(FramedLZ4CompressorOutputStream.BlockSize.K64, true, false, true))) {
            out.write(data);
        }
        assertThat(decompress(withPrefix(data.length, linked.toByteArray()))).isEqualTo(data);
        // independent blocks, block and content checksums, content size
        ByteArrayOutputStream independent = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(independent, LZ4FrameOutputStream.BLOCKSIZE.SIZE_256KB,
                data.length, LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE)) {
            out.write(data);
        }
        assertThat(decompress(withPrefix(data.length, independent.toByteArray()))).isEqualTo(data);
    }

    /** Refused, leaving the client's buffer to its owner (the record batch), as Arrow's codecs do on failure. */
    private void refused(byte[] packed, String why) {
        try (ArrowBuf sent = buffer(packed)) {
            refused(sent, why);
        }
    }

    private void refused(ArrowBuf sent, String why) {
        refused(codec, sent, why);
    }

    private void refused(CompressionCodec by, ArrowBuf sent, String why) {
        assertThatThrownBy(() -> by.decompress(allocator, sent).close())
                .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.getSqlState()).isEqualTo("22P03"))
                .hasMessageStartingWith("INVALID_ARROW_BODY: an " + by.getCodecType()
                        + "-compressed Arrow buffer cannot be read")
                .hasMessageContaining(why);
    }

    @Test
    void aZstdBufferThatDoesNotInflateToItsLengthIsRefusedByNameToo() {
        CompressionCodec zstd = IpcCodecs.INSTANCE.createCodec(CompressionUtil.CodecType.ZSTD);
        byte[] data = compressible(200_000);
        byte[] packed;
        try (ArrowBuf buf = zstd.compress(allocator, buffer(data))) {
            packed = bytes(buf, 0);
        }
        try (ArrowBuf plain = zstd.decompress(allocator, buffer(packed))) {
            assertThat(bytes(plain, 0)).isEqualTo(data);
        }
        try (ArrowBuf sent = buffer(withPrefix(data.length + 1, body(packed)))) {
            refused(zstd, sent, "Expected != actual decompressed length");
        }
        try (ArrowBuf sent = buffer(Arrays.copyOf(packed, packed.length - 5))) {
            refused(zstd, sent, "Error decompressing");
        }
    }

    @Test
    void aClientsCorruptOrInflatedBufferIsRefusedByNameWithoutTakingTheMemoryItClaims() throws IOException {
        byte[] data = compressible(200_000);
        byte[] packed = compress(data);
        // a length LZ4 cannot reach from the bytes sent: refused before 2 GB are asked of the allocator (256 MB)
        refused(withPrefix(Integer.MAX_VALUE, body(packed)), "declares 2147483647 bytes");
        refused(withPrefix(-7, body(packed)), "declares -7 bytes");
        // a frame holding less or more than the length it comes with
        refused(withPrefix(data.length + 1, body(packed)), "content size");
        byte[] truncated = Arrays.copyOf(packed, packed.length - 10);
        refused(truncated, "longer than the frame allows");
        refused(Arrays.copyOf(packed, packed.length - 2), "malformed");
        byte[] header = packed.clone();
        header[8 + 5] ^= 0x10;
        refused(header, "descriptor");
        // a linked frame (commons-compress reads those) that holds more than its length
        ByteArrayOutputStream linked = new ByteArrayOutputStream();
        try (OutputStream out = new FramedLZ4CompressorOutputStream(linked, new FramedLZ4CompressorOutputStream
                .Parameters(FramedLZ4CompressorOutputStream.BlockSize.K64, false, false, true))) {
            out.write(data);
        }
        refused(withPrefix(data.length - 1000, linked.toByteArray()), "more than the declared length");
        refused(withPrefix(data.length + 1000, linked.toByteArray()), "it declares " + (data.length + 1000));
        refused(withPrefix(1000, "not a frame at all".getBytes()), "not an LZ4 frame");
    }
}

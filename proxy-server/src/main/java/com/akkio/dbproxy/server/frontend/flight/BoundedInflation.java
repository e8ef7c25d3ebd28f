package com.akkio.dbproxy.server.frontend.flight;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * The codecs of one client stream, with a budget per batch: the lengths a batch's compressed buffers declare must sum
 * to at most the stream's memory, checked before each buffer is inflated. Arrow's Flight server inflates a client's
 * batches in its own allocator, before any tenant limit applies, and ZSTD can legitimately expand far more than
 * LZ4's 255:1, so without this a few kilobytes could claim gigabytes. {@code VectorLoader} asks the factory for a
 * codec once per batch, which is what resets the budget.
 */
final class BoundedInflation implements CompressionCodec.Factory {
    private final long batchBytes;

    BoundedInflation(long batchBytes) {
        this.batchBytes = batchBytes;
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type) {
        return new Budgeted(IpcCodecs.INSTANCE.createCodec(type), batchBytes);
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        return new Budgeted(IpcCodecs.INSTANCE.createCodec(type, level), batchBytes);
    }

    /** One batch's codec: {@code left} bytes may still be inflated. */
    private static final class Budgeted implements CompressionCodec {
        private final CompressionCodec codec;
        private final long limit;
        private long left;

        Budgeted(CompressionCodec codec, long limit) {
            this.codec = codec;
            this.limit = limit;
            this.left = limit;
        }

        @Override
        public ArrowBuf compress(BufferAllocator allocator, ArrowBuf uncompressed) {
            return codec.compress(allocator, uncompressed);
        }

        @Override
        public ArrowBuf decompress(BufferAllocator allocator, ArrowBuf compressed) {
            if (compressed.writerIndex() >= CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
                long declared = MemoryUtil.LITTLE_ENDIAN ? compressed.getLong(0)
                        : Long.reverseBytes(compressed.getLong(0));
                // -1: sent uncompressed, sliced rather than copied; any other negative is the codec's to refuse
                if (declared > 0) {
                    if (codec.getCodecType() == CompressionUtil.CodecType.LZ4_FRAME) {
                        // an impossible claim is the client's corrupt buffer, whatever the budget
                        Lz4FrameCodec.checkReachable(declared, compressed.writerIndex()
                                - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH);
                    }
                    if (declared > left) {
                        throw ProxyError.of(ErrorCode.STREAM_MEMORY_EXCEEDED, "a compressed batch the client sent"
                                + " declares more than " + limit + " bytes once inflated");
                    }
                    left -= declared;
                }
            }
            return codec.decompress(allocator, compressed);
        }

        @Override
        public CompressionUtil.CodecType getCodecType() {
            return codec.getCodecType();
        }
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.compression.ZstdCompressionCodec;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;

/**
 * The Flight SQL front end's Arrow IPC codecs, both ways: LZ4_FRAME ours ({@link Lz4FrameCodec}), ZSTD Arrow's
 * (zstd-jni). Named explicitly rather than found through {@link CompressionCodec.Factory#INSTANCE}, whose service
 * lookup would pick Arrow's commons-compress LZ4 codec or ours by class path order. Public for the bench harness
 * ({@code IpcCodecHarness}).
 */
public final class IpcCodecs implements CompressionCodec.Factory {
    public static final IpcCodecs INSTANCE = new IpcCodecs();
    /** zstd's default, as Arrow's codec has it. */
    private static final int ZSTD_LEVEL = 3;

    private IpcCodecs() {
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type) {
        return createCodec(type, ZSTD_LEVEL, BoundedInflation.Budget.NONE);
    }

    /** LZ4 has no level here (the frame is written at lz4's default, its fastest); ZSTD takes one. */
    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        return createCodec(type, level, BoundedInflation.Budget.NONE);
    }

    /** A codec that counts what it inflates against {@code budget} ({@link BoundedInflation}). */
    CompressionCodec createCodec(CompressionUtil.CodecType type, BoundedInflation.Budget budget) {
        return createCodec(type, ZSTD_LEVEL, budget);
    }

    /**
     * Every codec that inflates takes its budget before it allocates: a new type here is a compile error until it
     * says how ({@code BoundedInflationTest} holds every compressed type to the budget).
     */
    CompressionCodec createCodec(CompressionUtil.CodecType type, int level, BoundedInflation.Budget budget) {
        return switch (type) {
            case LZ4_FRAME -> budget == BoundedInflation.Budget.NONE ? Lz4FrameCodec.INSTANCE
                    : new Lz4FrameCodec(budget);
            case ZSTD -> new Zstd(level, budget);
            case NO_COMPRESSION -> NoCompressionCodec.INSTANCE;
        };
    }

    /** A client's buffer that does not inflate as it claims, as the client's error. */
    static ProxyError corrupt(CompressionUtil.CodecType type, String why) {
        return ProxyError.of(ErrorCode.INVALID_ARROW_BODY, "an " + type + "-compressed Arrow buffer cannot be read: "
                + why);
    }

    /**
     * Arrow's ZSTD codec (it inflates into the allocator, exactly the declared length, and checks it), the declared
     * length counted against the budget first, its failures on a client's buffer named {@code INVALID_ARROW_BODY}
     * rather than left as Arrow's internal errors.
     */
    private static final class Zstd extends ZstdCompressionCodec {
        private final BoundedInflation.Budget budget;

        Zstd(int level, BoundedInflation.Budget budget) {
            super(level);
            this.budget = budget;
        }

        @Override
        protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
            // the length Arrow's codec reads next and allocates
            budget.take(readUncompressedLength(compressed));
            try {
                ArrowBuf out = super.doDecompress(allocator, compressed);
                budget.inflated(out);
                return out;
            } catch (RuntimeException e) {
                throw corrupt(CompressionUtil.CodecType.ZSTD, String.valueOf(e.getMessage()));
            }
        }
    }
}

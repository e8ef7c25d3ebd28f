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
        return switch (type) {
            case LZ4_FRAME -> Lz4FrameCodec.INSTANCE;
            case ZSTD -> new Zstd(ZSTD_LEVEL);
            case NO_COMPRESSION -> NoCompressionCodec.INSTANCE;
        };
    }

    /** LZ4 has no level here (the frame is written at lz4's default, its fastest); ZSTD takes one. */
    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        return type == CompressionUtil.CodecType.ZSTD ? new Zstd(level) : createCodec(type);
    }

    /** A client's buffer that does not inflate as it claims, as the client's error. */
    static ProxyError corrupt(CompressionUtil.CodecType type, String why) {
        return ProxyError.of(ErrorCode.INVALID_ARROW_BODY, "an " + type + "-compressed Arrow buffer cannot be read: "
                + why);
    }

    /**
     * Arrow's ZSTD codec (it inflates into the allocator, exactly the declared length, and checks it), its failures
     * on a client's buffer named {@code INVALID_ARROW_BODY} rather than left as Arrow's internal errors.
     */
    private static final class Zstd extends ZstdCompressionCodec {
        Zstd(int level) {
            super(level);
        }

        @Override
        protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
            try {
                return super.doDecompress(allocator, compressed);
            } catch (RuntimeException e) {
                throw corrupt(CompressionUtil.CodecType.ZSTD, String.valueOf(e.getMessage()));
            }
        }
    }
}

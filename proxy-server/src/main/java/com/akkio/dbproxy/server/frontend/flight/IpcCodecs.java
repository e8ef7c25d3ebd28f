package com.akkio.dbproxy.server.frontend.flight;

import org.apache.arrow.compression.ZstdCompressionCodec;
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

    private IpcCodecs() {
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type) {
        return switch (type) {
            case LZ4_FRAME -> Lz4FrameCodec.INSTANCE;
            case ZSTD -> new ZstdCompressionCodec();
            case NO_COMPRESSION -> NoCompressionCodec.INSTANCE;
        };
    }

    /** LZ4 has no level here (the frame is written at lz4's default, its fastest); ZSTD takes one. */
    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        return type == CompressionUtil.CodecType.ZSTD ? new ZstdCompressionCodec(level) : createCodec(type);
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * The codecs of one client stream, each batch's with a budget: the lengths a batch's compressed buffers declare must
 * sum to at most the stream's memory. Arrow's Flight server inflates a client's batches in its own allocator, before
 * any tenant limit applies, and ZSTD can legitimately expand far more than LZ4's 255:1, so without this a few
 * kilobytes could claim gigabytes. The codecs ({@link IpcCodecs}) count each buffer's declared length against their
 * {@link Budget} themselves, from the very length they then allocate, before allocating it. {@code VectorLoader} asks
 * this factory for a codec once per batch, which is what starts each batch afresh.
 */
final class BoundedInflation implements CompressionCodec.Factory {
    private final long batchBytes;

    BoundedInflation(long batchBytes) {
        this.batchBytes = batchBytes;
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type) {
        return IpcCodecs.INSTANCE.createCodec(type, new Budget(batchBytes));
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        return IpcCodecs.INSTANCE.createCodec(type, level, new Budget(batchBytes));
    }

    /**
     * The bytes one codec instance may still inflate, over all the buffers it is given: one batch's. Not shared
     * between threads (a batch is loaded by one).
     */
    static final class Budget {
        /** For buffers the server compressed itself: nothing to count. */
        static final Budget NONE = new Budget(-1);
        private final long limit;
        private long left;

        Budget(long limit) {
            this.limit = limit;
            this.left = limit;
        }

        /**
         * Counts a buffer's declared length before it is inflated: past the budget, refused with
         * {@code STREAM_MEMORY_EXCEEDED}. A negative length is not counted: the codec refuses it as corrupt.
         */
        void take(long declared) {
            if (limit < 0 || declared <= 0) {
                return;
            }
            if (declared > left) {
                throw ProxyError.of(ErrorCode.STREAM_MEMORY_EXCEEDED, "a compressed batch the client sent declares"
                        + " more than " + limit + " bytes once inflated");
            }
            left -= declared;
        }
    }
}

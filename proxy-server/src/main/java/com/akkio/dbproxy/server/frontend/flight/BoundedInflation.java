package com.akkio.dbproxy.server.frontend.flight;

import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The codecs of one client stream, each batch's with a budget: the lengths a batch's compressed buffers declare must
 * sum to at most the stream's memory. Arrow's Flight server inflates a client's batches in its own allocator, before
 * any tenant limit applies, and ZSTD can legitimately expand far more than LZ4's 255:1, so without this a few
 * kilobytes could claim gigabytes. The codecs ({@link IpcCodecs}) count each buffer's declared length against their
 * {@link Budget} themselves, from the very length they then allocate, before allocating it. {@code VectorLoader} asks
 * this factory for a codec once per batch, which is what starts each batch afresh.
 *
 * <p>A batch refused midway must not leave what was inflated before: Arrow's {@code VectorLoader} inflates a column's
 * buffers one by one and, when one fails, drops those already inflated without releasing them, so each refused
 * batch would leak up to the budget into the server's allocator. {@link #loader} releases them.
 */
final class BoundedInflation implements CompressionCodec.Factory {
    private final long batchBytes;
    /** The budget of the batch being loaded, with the buffers its codec inflated. */
    private Budget current = Budget.NONE;

    BoundedInflation(long batchBytes) {
        this.batchBytes = batchBytes;
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type) {
        current = new Budget(batchBytes);
        return IpcCodecs.INSTANCE.createCodec(type, current);
    }

    @Override
    public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
        current = new Budget(batchBytes);
        return IpcCodecs.INSTANCE.createCodec(type, level, current);
    }

    /** A loader of a client's batches into {@code root} with these codecs, releasing a refused batch's buffers. */
    VectorLoader loader(VectorSchemaRoot root) {
        return new VectorLoader(root, this) {
            @Override
            public void load(ArrowRecordBatch batch) {
                current = Budget.NONE;
                try {
                    super.load(batch);
                } catch (RuntimeException e) {
                    // the columns give back what they took; what the codec inflated and no column took is the rest
                    root.clear();
                    current.releaseOrphans();
                    throw e;
                } finally {
                    current = Budget.NONE;
                }
            }
        };
    }

    /**
     * The bytes one codec instance may still inflate, over all the buffers it is given: one batch's; and the buffers
     * it inflated. Not shared between threads (a batch is loaded by one).
     */
    static final class Budget {
        /** For buffers the server compressed itself: nothing to count. */
        static final Budget NONE = new Budget(-1);
        private final long limit;
        private long left;
        private final List<ArrowBuf> inflated = new ArrayList<>();

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

        /** Records a buffer the codec inflated for this batch. */
        void inflated(ArrowBuf buffer) {
            if (limit >= 0) {
                inflated.add(buffer);
            }
        }

        /** Releases the inflated buffers no one holds but the loader that dropped them (after the columns let go). */
        private void releaseOrphans() {
            if (limit < 0) {
                return;
            }
            for (ArrowBuf b : inflated) {
                if (b.getReferenceManager().getRefCount() > 0) {
                    b.close();
                }
            }
            inflated.clear();
        }
    }
}

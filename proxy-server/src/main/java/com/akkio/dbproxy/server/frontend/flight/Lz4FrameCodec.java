package com.akkio.dbproxy.server.frontend.flight;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.akkio.dbproxy.server.governed.ProxyError;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.AbstractCompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * Arrow IPC's LZ4_FRAME buffer codec on lz4-java's native (JNI) block compressor, without copying through the heap:
 * Arrow Java's own codec streams every buffer through commons-compress's pure-Java LZ4, which held a server core for
 * over 40 s on one 1M-row result.
 *
 * <p>Layout (Arrow's, kept by {@link AbstractCompressionCodec}): an 8-byte little-endian uncompressed length, -1 for
 * a buffer sent as is because it did not shrink, then one LZ4 frame (lz4's frame format, what Arrow C++ and pyarrow
 * read and write): magic, descriptor with the content size, independent blocks of at most 4 MiB (a block that does not
 * shrink is stored raw, as the format allows), end mark, no checksums (the transport has its own).
 *
 * <p>Reading a client's buffers is fail-closed: the declared length must be one LZ4 could reach from the bytes sent
 * (at most 255:1) and fit what is left of the batch's budget ({@link BoundedInflation}) before any memory is taken,
 * is taken from the stream's allocator (its limit holds), and the frame must fill it exactly. Frames with linked
 * blocks (Arrow C++'s default, so pyarrow's) need the previous block as a dictionary, which lz4-java does not offer:
 * those are read by commons-compress, still into the same bounded buffer.
 */
final class Lz4FrameCodec extends AbstractCompressionCodec {
    /** For buffers the server compresses (and tests read back): nothing to count. */
    static final Lz4FrameCodec INSTANCE = new Lz4FrameCodec(BoundedInflation.Budget.NONE);

    private static final int MAGIC = 0x184D2204;
    private static final int VERSION_01 = 0x40;
    private static final int FLAG_INDEPENDENT = 0x20;
    private static final int FLAG_BLOCK_CHECKSUM = 0x10;
    private static final int FLAG_CONTENT_SIZE = 0x08;
    private static final int FLAG_CONTENT_CHECKSUM = 0x04;
    private static final int FLAG_DICTIONARY = 0x01;
    private static final int BLOCK_4MB = 7;
    static final int MAX_BLOCK = 4 << 20;
    private static final int RAW_BLOCK = 0x80000000;
    /** LZ4's best case: a match length grows by 255 per byte sent. */
    private static final long MAX_RATIO = 255;

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 XXH32 = XXHashFactory.fastestInstance().hash32();

    private final BoundedInflation.Budget budget;

    /** A codec whose inflated buffers are counted against {@code budget} ({@link BoundedInflation}). */
    Lz4FrameCodec(BoundedInflation.Budget budget) {
        this.budget = budget;
    }

    @Override
    public CompressionUtil.CodecType getCodecType() {
        return CompressionUtil.CodecType.LZ4_FRAME;
    }

    /** The frame after the 8 bytes the base class fills in; never more than the bound allocated up front. */
    @Override
    protected ArrowBuf doCompress(BufferAllocator allocator, ArrowBuf uncompressed) {
        long length = uncompressed.writerIndex();
        if (length > Integer.MAX_VALUE - 64L * 1024 * 1024) {
            throw new IllegalArgumentException("an Arrow buffer of " + length + " bytes is too large for LZ4");
        }
        int size = (int) length;
        long bound = CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + 15 + 4;
        for (int off = 0; off < size; off += MAX_BLOCK) {
            bound += 4 + COMPRESSOR.maxCompressedLength(Math.min(MAX_BLOCK, size - off));
        }
        ArrowBuf out = allocator.buffer(bound);
        try {
            ByteBuffer src = uncompressed.nioBuffer(0, size);
            ByteBuffer dst = out.nioBuffer(0, (int) bound).order(ByteOrder.LITTLE_ENDIAN);
            int pos = (int) CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH;
            dst.putInt(pos, MAGIC);
            dst.put(pos + 4, (byte) (VERSION_01 | FLAG_INDEPENDENT | FLAG_CONTENT_SIZE));
            dst.put(pos + 5, (byte) (BLOCK_4MB << 4));
            dst.putLong(pos + 6, length);
            dst.put(pos + 14, headerChecksum(dst, pos + 4, 10));
            pos += 15;
            for (int off = 0; off < size; off += MAX_BLOCK) {
                int n = Math.min(MAX_BLOCK, size - off);
                int packed = COMPRESSOR.compress(src, off, n, dst, pos + 4, COMPRESSOR.maxCompressedLength(n));
                if (packed < n) {
                    dst.putInt(pos, packed);
                    pos += 4 + packed;
                } else {
                    dst.putInt(pos, RAW_BLOCK | n);
                    out.setBytes(pos + 4, uncompressed, off, n);
                    pos += 4 + n;
                }
            }
            dst.putInt(pos, 0);
            out.writerIndex(pos + 4);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    @Override
    protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
        long declared = readUncompressedLength(compressed);
        long sent = compressed.writerIndex() - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH;
        checkReachable(declared, sent); // an impossible claim is the client's corrupt buffer, whatever the budget
        budget.take(declared);
        ByteBuffer src = compressed.nioBuffer(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, (int) sent)
                .order(ByteOrder.LITTLE_ENDIAN);
        ArrowBuf out = allocator.buffer(declared);
        try {
            ByteBuffer dst = out.nioBuffer(0, (int) declared);
            int filled = sent > 4 && (src.get(4) & FLAG_INDEPENDENT) != 0 ? readIndependent(src, dst)
                    : readLinked(src, out, (int) declared);
            if (filled != declared) {
                throw corrupt("its frame holds " + filled + " bytes, it declares " + declared);
            }
            out.writerIndex(declared);
            budget.inflated(out);
            return out;
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            out.close();
            throw corrupt("its frame is malformed");
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** A frame of independent blocks, each decompressed by lz4-java straight into its place; the bytes written. */
    private static int readIndependent(ByteBuffer src, ByteBuffer dst) {
        if (src.getInt(0) != MAGIC) {
            throw corrupt("it is not an LZ4 frame");
        }
        int flags = src.get(4) & 0xFF;
        int blockSize = 1 << (8 + 2 * ((src.get(5) >> 4) & 0x7));
        if ((flags & 0xC0) != VERSION_01 || (flags & (FLAG_DICTIONARY | 0x02)) != 0 || (src.get(5) & 0x8F) != 0
                || blockSize < 64 * 1024) {
            throw corrupt("its frame descriptor is unsupported (version, dictionary or block size)");
        }
        int descriptor = 2 + ((flags & FLAG_CONTENT_SIZE) != 0 ? 8 : 0);
        if (src.get(4 + descriptor) != headerChecksum(src, 4, descriptor)) {
            throw corrupt("its frame descriptor checksum is wrong");
        }
        if ((flags & FLAG_CONTENT_SIZE) != 0 && src.getLong(6) != dst.capacity()) {
            throw corrupt("its frame's content size is not the declared length");
        }
        int pos = 4 + descriptor + 1;
        int written = 0;
        boolean blockChecksums = (flags & FLAG_BLOCK_CHECKSUM) != 0;
        while (true) {
            int header = src.getInt(pos);
            pos += 4;
            if (header == 0) {
                break;
            }
            int n = header & ~RAW_BLOCK;
            if (n > blockSize || n > src.capacity() - pos) {
                throw corrupt("a block is longer than the frame allows");
            }
            if (blockChecksums && XXH32.hash(src, pos, n, 0) != src.getInt(pos + n)) {
                throw corrupt("a block checksum is wrong");
            }
            if ((header & RAW_BLOCK) != 0) {
                if (n > dst.capacity() - written) {
                    throw corrupt("its blocks hold more than the declared length");
                }
                dst.put(written, src, pos, n);
                written += n;
            } else {
                written += DECOMPRESSOR.decompress(src, pos, n, dst, written,
                        Math.min(blockSize, dst.capacity() - written));
            }
            pos += n + (blockChecksums ? 4 : 0);
        }
        if ((flags & FLAG_CONTENT_CHECKSUM) != 0) {
            if (XXH32.hash(dst, 0, written, 0) != src.getInt(pos)) {
                throw corrupt("its content checksum is wrong");
            }
            pos += 4;
        }
        if (pos != src.capacity()) {
            throw corrupt("bytes follow its frame");
        }
        return written;
    }

    /** A frame of linked blocks, by commons-compress, into {@code out} and never past {@code declared} bytes. */
    private static int readLinked(ByteBuffer src, ArrowBuf out, int declared) {
        byte[] frame = new byte[src.capacity()];
        src.get(0, frame);
        byte[] chunk = new byte[64 * 1024];
        int written = 0;
        try (InputStream in = new FramedLZ4CompressorInputStream(new ByteArrayInputStream(frame))) {
            for (int n; (n = in.read(chunk)) > 0; written += n) {
                if (n > declared - written) {
                    throw corrupt("its blocks hold more than the declared length");
                }
                out.setBytes(written, chunk, 0, n);
            }
        } catch (IOException e) {
            throw corrupt("its frame is malformed (" + e.getMessage() + ")");
        }
        return written;
    }

    /** The frame descriptor's checksum: the second byte of its xxHash32. */
    private static byte headerChecksum(ByteBuffer frame, int offset, int length) {
        return (byte) (XXH32.hash(frame, offset, length, 0) >> 8);
    }

    /** Refuses a declared length no LZ4 frame of {@code sent} bytes can inflate to, before any memory is taken. */
    static void checkReachable(long declared, long sent) {
        if (declared < 0 || declared > Integer.MAX_VALUE || declared > sent * MAX_RATIO) {
            throw corrupt("it declares " + declared + " bytes from " + sent + " sent");
        }
    }

    private static ProxyError corrupt(String why) {
        return IpcCodecs.corrupt(CompressionUtil.CodecType.LZ4_FRAME, why);
    }
}

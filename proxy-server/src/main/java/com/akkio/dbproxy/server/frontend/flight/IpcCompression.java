package com.akkio.dbproxy.server.frontend.flight;

import java.lang.reflect.Field;
import java.util.Locale;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.grpc.Context;
import io.grpc.Metadata;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * Arrow IPC body compression of a result's batches, when the client asks for it with the call header
 * {@code x-akkio-arrow-compression: zstd}: pyarrow decompresses it by itself, Arrow Java with {@code arrow-compression}
 * on its class path too. Not by default: the Flight SQL JDBC driver reads no compressed batch. Only ZSTD (zstd-jni,
 * native): Arrow Java's LZ4_FRAME codec compresses in pure Java (commons-compress), at a fraction of the network's
 * speed: one 1M-row stream used over 40 s of a server core (bench/README.md).
 *
 * <p>Arrow Java's Flight server has no setting for it: the stream's unloader, which Flight creates uncompressed in
 * {@code start}, is replaced by one with the codec. A Flight version without that field fails the call (tested),
 * never sends uncompressed batches claiming otherwise.
 */
final class IpcCompression {
    static final Metadata.Key<String> HEADER = Metadata.Key.of("x-akkio-arrow-compression",
            Metadata.ASCII_STRING_MARSHALLER);
    /** The codec the current call asked for; null for none. */
    static final Context.Key<CompressionUtil.CodecType> REQUESTED = Context.key("akkio-arrow-compression");

    private IpcCompression() {
    }

    /** The codec a header value names; refused ({@code 22023 INVALID_COMPRESSION}) when it names none Arrow has. */
    static CompressionUtil.CodecType parse(String header) {
        if (header == null || header.isBlank() || header.equalsIgnoreCase("none")) {
            return null;
        }
        return switch (header.strip().toLowerCase(Locale.ROOT)) {
            case "zstd" -> CompressionUtil.CodecType.ZSTD;
            default -> throw ProxyError.of(ErrorCode.INVALID_COMPRESSION, "'" + header + "' is neither zstd nor"
                    + " none (lz4_frame is not offered: Arrow Java compresses it too slowly)");
        };
    }

    /** After {@code listener.start(root)}: its batches compressed as the call asked, if it did. */
    static void apply(ServerStreamListener listener, VectorSchemaRoot root) {
        CompressionUtil.CodecType type = REQUESTED.get();
        if (type == null) {
            return;
        }
        CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(type);
        try {
            Field unloader = field(listener.getClass(), "unloader");
            unloader.setAccessible(true);
            unloader.set(listener, new VectorUnloader(root, true, codec, true));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw ProxyError.unsupported("compressed Arrow batches with this Arrow Flight version");
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}

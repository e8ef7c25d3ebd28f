package com.akkio.dbproxy.server.frontend.flight;

import java.lang.reflect.Field;
import java.util.Locale;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.grpc.Context;
import io.grpc.Metadata;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * Arrow IPC body compression of a result's batches, when the client asks for it with the call header
 * {@code x-akkio-arrow-compression: lz4} (LZ4_FRAME, {@link Lz4FrameCodec}: lz4-java's native LZ4; Arrow Java's own
 * codec compresses in pure Java and held a core for over 40 s on one 1M-row stream) or {@code zstd} (zstd-jni):
 * pyarrow decompresses either by itself, Arrow Java with {@code arrow-compression} on its class path too. Not by
 * default: the Flight SQL JDBC driver reads no compressed batch. A client's own compressed batches (DoPut: ingest,
 * parameters) are read with the same codecs whatever the header says ({@link #readWithOurCodecs}).
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
            case "lz4", "lz4_frame" -> CompressionUtil.CodecType.LZ4_FRAME;
            default -> throw ProxyError.of(ErrorCode.INVALID_COMPRESSION, "'" + header + "' is neither lz4, zstd nor"
                    + " none");
        };
    }

    /** After {@code listener.start(root)}: its batches compressed as the call asked, if it did. */
    static void apply(ServerStreamListener listener, VectorSchemaRoot root) {
        CompressionUtil.CodecType type = REQUESTED.get();
        if (type == null) {
            return;
        }
        CompressionCodec codec = IpcCodecs.INSTANCE.createCodec(type);
        try {
            Field unloader = field(listener.getClass(), "unloader");
            unloader.setAccessible(true);
            unloader.set(listener, new VectorUnloader(root, true, codec, true));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw ProxyError.unsupported("compressed Arrow batches with this Arrow Flight version");
        }
    }

    /**
     * Before reading a client's batches: they are decompressed by {@link IpcCodecs} (each batch's declared lengths
     * bounded by {@code batchBytes}, {@link BoundedInflation}; corrupt input refused as {@code INVALID_ARROW_BODY})
     * instead of Arrow's service-loaded codecs, whose LZ4 one inflates into heap arrays of whatever length the client
     * declares. Flight builds the stream's loader
     * when the schema arrives, so this waits for it (as reading the first batch would); a Flight version without
     * that field fails the call rather than read with the other codecs.
     */
    static FlightStream readWithOurCodecs(FlightStream stream, long batchBytes) {
        VectorSchemaRoot root = stream.getRoot();
        try {
            Field loader = field(stream.getClass(), "loader");
            loader.setAccessible(true);
            loader.set(stream, new BoundedInflation(batchBytes).loader(root));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw ProxyError.unsupported("reading Arrow batches with this Arrow Flight version");
        }
        return stream;
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

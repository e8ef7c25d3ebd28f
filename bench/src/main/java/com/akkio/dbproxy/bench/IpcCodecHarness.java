package com.akkio.dbproxy.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.frontend.flight.IpcCodecs;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil.CodecType;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What each Arrow IPC codec costs the Flight SQL front end: the five-column result of {@code python_dataframe.py}
 * (BIGINT, DOUBLE, DECIMAL(18,2), VARCHAR, TIMESTAMP) in batches of 4,096 rows as the front end sends them, each
 * batch compressed (as a result is) and decompressed again (as an ingest is), in one run. CPU time of this thread,
 * not wall time, so that other work on a shared machine does not count. Arrow Java's own LZ4 codec (commons-compress)
 * gets only the first batches: it is too slow for all of them; its figures are per MB like the others'.
 *
 * <p>usage: {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/akkio-bench.jar
 * com.akkio.dbproxy.bench.IpcCodecHarness [rows, default 1000000]}
 */
public final class IpcCodecHarness {
    private static final int BATCH = 4096;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private IpcCodecHarness() {
    }

    private record Result(String name, long plainBytes, long packedBytes, long compressNanos, long decompressNanos) {
        double mb() {
            return plainBytes / 1e6;
        }
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Schema schema = new Schema(List.of(Field.nullable("i", new ArrowType.Int(64, true)),
                Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("amount", new ArrowType.Decimal(18, 2, 128)),
                Field.nullable("label", ArrowType.Utf8.INSTANCE),
                Field.nullable("at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
        try (BufferAllocator allocator = new RootAllocator()) {
            List<VectorSchemaRoot> batches = new ArrayList<>();
            for (int from = 0; from < rows; from += BATCH) {
                batches.add(batch(schema, allocator, from, Math.min(BATCH, rows - from)));
            }
            List<Result> results = new ArrayList<>();
            for (int round = 0; round < 2; round++) { // the first round warms the JIT up; the second counts
                results.clear();
                results.add(run("none", NoCompressionCodec.INSTANCE, IpcCodecs.INSTANCE, batches, allocator));
                results.add(run("lz4 (Lz4FrameCodec, lz4-java JNI)", IpcCodecs.INSTANCE.createCodec(CodecType
                        .LZ4_FRAME), IpcCodecs.INSTANCE, batches, allocator));
                results.add(run("zstd (Arrow's, zstd-jni, level 3)", IpcCodecs.INSTANCE.createCodec(CodecType.ZSTD),
                        IpcCodecs.INSTANCE, batches, allocator));
                results.add(run("lz4 (Arrow's, commons-compress)", CommonsCompressionFactory.INSTANCE.createCodec(
                        CodecType.LZ4_FRAME), CommonsCompressionFactory.INSTANCE, batches.subList(0, Math.min(8, batches.size())),
                        allocator));
            }
            batches.forEach(VectorSchemaRoot::close);
            Result ours = results.get(1);
            System.out.printf("%n| %,d rows, 5 columns, %,d-row batches | plain / packed bytes | compress CPU ms/MB"
                    + " | decompress CPU ms/MB | compress CPU, Arrow's lz4 / this |%n", rows, BATCH);
            System.out.println("|---|---:|---:|---:|---:|");
            Result arrows = results.get(3);
            for (Result r : results) {
                double c = r.compressNanos / 1e6 / r.mb();
                double d = r.decompressNanos / 1e6 / r.mb();
                System.out.printf("| %s | %.2f | %.2f | %.2f | %s |%n", r.name, (double) r.plainBytes / r.packedBytes,
                        c, d, r == results.get(0) ? "" : String.format("%.0f", arrows.compressNanos / arrows.mb()
                                / (r.compressNanos / r.mb())));
            }
            System.out.printf("%nlz4 (ours) compresses %.1f MB/s and decompresses %.1f MB/s of CPU time;"
                    + " zstd %.1f and %.1f%n", ours.mb() / (ours.compressNanos / 1e9),
                    ours.mb() / (ours.decompressNanos / 1e9), results.get(2).mb() / (results.get(2).compressNanos
                            / 1e9), results.get(2).mb() / (results.get(2).decompressNanos / 1e9));
        }
    }

    private static VectorSchemaRoot batch(Schema schema, BufferAllocator allocator, int from, int n) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        root.allocateNew();
        for (int r = 0; r < n; r++) {
            long i = from + r;
            ((BigIntVector) root.getVector("i")).setSafe(r, i);
            ((Float8Vector) root.getVector("x")).setSafe(r, i * 0.25);
            ((DecimalVector) root.getVector("amount")).setSafe(r, BigDecimal.valueOf(i * 100, 2));
            ((VarCharVector) root.getVector("label")).setSafe(r, ("row " + i).getBytes(StandardCharsets.UTF_8));
            ((TimeStampMicroVector) root.getVector("at")).setSafe(r, 1_735_689_600_000_000L + i * 1_000_000L);
        }
        root.setRowCount(n);
        return root;
    }

    /** Every batch unloaded through {@code codec} and loaded back by {@code decoders}' codec (values checked). */
    private static Result run(String name, CompressionCodec codec, CompressionCodec.Factory decoders,
                              List<VectorSchemaRoot> batches, BufferAllocator allocator) {
        long plain = 0;
        long packed = 0;
        long compress = 0;
        long decompress = 0;
        try (VectorSchemaRoot back = VectorSchemaRoot.create(batches.get(0).getSchema(), allocator)) {
            VectorLoader loader = new VectorLoader(back, decoders);
            for (VectorSchemaRoot batch : batches) {
                try (ArrowRecordBatch raw = new VectorUnloader(batch).getRecordBatch()) {
                    plain += raw.computeBodyLength();
                }
                long start = CPU.getCurrentThreadCpuTime();
                ArrowRecordBatch compressed = new VectorUnloader(batch, true, codec, true).getRecordBatch();
                compress += CPU.getCurrentThreadCpuTime() - start;
                // through IPC bytes, as a client's batch arrives: its buffers slices of one message body
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                try (compressed) {
                    packed += compressed.computeBodyLength();
                    MessageSerializer.serialize(new WriteChannel(Channels.newChannel(wire)), compressed);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                try (ArrowRecordBatch received = (ArrowRecordBatch) MessageSerializer.deserializeMessageBatch(
                        new ReadChannel(Channels.newChannel(new ByteArrayInputStream(wire.toByteArray()))),
                        allocator)) {
                    start = CPU.getCurrentThreadCpuTime();
                    loader.load(received);
                    decompress += CPU.getCurrentThreadCpuTime() - start;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (!back.getVector("label").getObject(back.getRowCount() - 1).equals(batch.getVector("label")
                        .getObject(batch.getRowCount() - 1))) {
                    throw new IllegalStateException(name + " did not round-trip");
                }
            }
        }
        return new Result(name, plain, packed, compress, decompress);
    }
}

package com.akkio.dbproxy.server.audit;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The audit log: JSON lines appended to a file, rotated by size.
 *
 * <p>Each record is handed to the kernel with one {@code write} before {@link #write} returns, so a record written
 * before a statement is forwarded survives a {@code kill -9} of the proxy (the page cache outlives the process).
 * That costs one system call per record under a short lock and no {@code fsync}: surviving a power loss of the host
 * is the job of the file system's commit interval, and the trade-off is stated in the README. A write that fails is
 * reported to the caller, who must not forward the statement.
 */
public final class AuditLog implements Closeable {
    /** Records follow each other with no separator: each encoder adds its newline itself. */
    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .rootValueSeparator((String) null).build();
    private static final ThreadLocal<Encoder> ENCODERS = ThreadLocal.withInitial(Encoder::new);

    private final Path path;
    private final long maxBytes;
    private final int keepFiles;
    /** The replica that writes this log (in a cluster: {@code cluster.replica_id}), null on a single node. */
    private final String replica;
    private final ReentrantLock lock = new ReentrantLock();
    private FileChannel channel;
    private long size;

    /**
     * @param maxBytes  rotate when the current file would grow past this size
     * @param keepFiles how many rotated files ({@code audit.jsonl.1} … {@code .N}) to keep
     */
    public AuditLog(Path path, long maxBytes, int keepFiles) throws IOException {
        this(path, maxBytes, keepFiles, null);
    }

    /** @param replica written into every record as {@code replica} when not null, so a cluster's logs can be merged */
    public AuditLog(Path path, long maxBytes, int keepFiles, String replica) throws IOException {
        this.replica = replica;
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("audit max_bytes must be at least 1024");
        }
        if (keepFiles < 1) {
            throw new IllegalArgumentException("audit keep_files must be at least 1");
        }
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.keepFiles = keepFiles;
        Files.createDirectories(this.path.getParent());
        open();
    }

    private void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = channel.size();
    }

    public Path path() {
        return path;
    }

    /** Appends one record; returns once the kernel has it. */
    public void write(AuditEvent event) {
        ByteBuffer line = ByteBuffer.wrap(serialise(event, replica));
        lock.lock();
        try {
            if (size > 0 && size + line.remaining() > maxBytes) {
                rotate();
            }
            while (line.hasRemaining()) {
                size += channel.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write audit log " + path, e);
        } finally {
            lock.unlock();
        }
    }

    private void rotate() throws IOException {
        channel.close();
        for (int i = keepFiles - 1; i >= 1; i--) {
            Path from = rotated(i);
            if (Files.exists(from)) {
                Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    Path rotated(int index) {
        return path.resolveSibling(path.getFileName() + "." + index);
    }

    static byte[] serialise(AuditEvent e) {
        return serialise(e, null);
    }

    static byte[] serialise(AuditEvent e, String replica) {
        return ENCODERS.get().encode(e, replica);
    }

    /**
     * A request thread's own generator and buffer, reused for every record it writes: creating a generator per record
     * and formatting each timestamp from scratch were most of what auditing cost a statement (profiled).
     */
    private static final class Encoder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        private final JsonGenerator g;
        private long second = Long.MIN_VALUE;
        private String secondPrefix;

        Encoder() {
            try {
                g = JSON.createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] encode(AuditEvent e, String replica) {
            out.reset();
            try {
                write(e, replica);
                g.flush();
            } catch (IOException | RuntimeException ex) {
                ENCODERS.remove(); // the generator may be left inside an object; the next record gets a new one
                throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) ex;
            }
            out.write('\n');
            return out.toByteArray();
        }

        /** ISO-8601 in UTC with microseconds, e.g. {@code 2026-11-24T13:33:41.755123Z}. */
        private String timestamp(Instant ts) {
            if (ts.getEpochSecond() != second) {
                second = ts.getEpochSecond();
                secondPrefix = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                        LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC)).substring(0, 19);
            }
            int micros = ts.getNano() / 1000;
            char[] fraction = {'.', '0', '0', '0', '0', '0', '0', 'Z'};
            for (int i = 6; i >= 1; i--, micros /= 10) {
                fraction[i] = (char) ('0' + micros % 10);
            }
            return secondPrefix.concat(new String(fraction));
        }

        private void write(AuditEvent e, String replica) throws IOException {
            g.writeStartObject();
            g.writeStringField("event", e.event());
            g.writeStringField("ts", timestamp(e.ts()));
            if (replica != null) {
                g.writeStringField("replica", replica);
            }
            g.writeStringField("request_id", e.requestId());
            g.writeStringField("tenant", e.tenant());
            g.writeStringField("client_address", e.clientAddress());
            g.writeStringField("backend", e.backend());
            g.writeStringField("warehouse_id", e.warehouseId());
            g.writeStringField("statement_type", e.statementType());
            g.writeStringField("sql_sha256", e.sqlSha256());
            g.writeStringField("decision", e.decision());
            g.writeStringField("code", e.code());
            if (e.rows() >= 0) {
                g.writeNumberField("rows", e.rows());
            } else {
                g.writeNullField("rows");
            }
            if (e.durationMs() >= 0) {
                g.writeNumberField("duration_ms", e.durationMs());
            } else {
                g.writeNullField("duration_ms");
            }
            g.writeStringField("user_agent", e.userAgent());
            if (e.sql() != null) {
                g.writeStringField("sql", e.sql());
            }
            if (!e.filtersAndMasks().isEmpty()) {
                g.writeArrayFieldStart("filters_and_masks");
                for (String applied : e.filtersAndMasks()) {
                    g.writeString(applied);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            channel.close();
        } finally {
            lock.unlock();
        }
    }
}

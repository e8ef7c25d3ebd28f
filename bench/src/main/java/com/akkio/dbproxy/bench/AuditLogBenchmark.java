package com.akkio.dbproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.audit.AuditEvent;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.audit.Sha256;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What auditing costs a request thread: one record handed to the kernel under the log's lock, by one thread and by
 * four at once (contention), with rotation at 64 MiB as configured by default.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class AuditLogBenchmark {
    private Path dir;
    private AuditLog log;
    private AuditEvent event;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("akkio-audit-bench");
        log = new AuditLog(dir.resolve("audit.jsonl"), 64L << 20, 2);
        String sql = "SELECT c.country_code, count(*) FROM orders o JOIN customers c USING (customer_id) GROUP BY 1";
        event = new AuditEvent(AuditEvent.FORWARD, Instant.now(), "5f0c8d1e-1b7a-4c55-9d2e-0a1b2c3d4e5f", "acme",
                "127.0.0.1", "demo", null, "query", Sha256.hex(sql), "allow", "ALLOWED", -1, -1,
                "Apache-HttpClient/5.5 (Java/17)", null);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public void writeOneThread() {
        log.write(event);
    }

    @Benchmark
    @Threads(4)
    public void writeFourThreads() {
        log.write(event);
    }
}

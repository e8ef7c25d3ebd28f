package com.akkio.dbproxy.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static AuditEvent event(String requestId, String sql) {
        return new AuditEvent(AuditEvent.COMPLETE, Instant.parse("2026-01-02T03:04:05Z"), requestId, "acme",
                "127.0.0.1", "demo", null, "query", Sha256.hex(sql), "allow", "ALLOWED", 10, 3, "akkio-jdbc", null);
    }

    @Test
    void writesOneJsonLinePerEventWithTheDesignFields() throws Exception {
        Path file = dir.resolve("logs/audit.jsonl");
        try (AuditLog log = new AuditLog(file, 1 << 20, 3)) {
            log.write(event("r1", "SELECT 1"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        JsonNode n = JSON.readTree(lines.get(0));
        assertThat(n.fieldNames()).toIterable().contains("ts", "tenant", "backend", "warehouse_id", "statement_type",
                "sql_sha256", "decision", "code", "rows", "duration_ms", "user_agent", "client_address", "request_id");
        assertThat(n.get("sql_sha256").asText())
                .isEqualTo("e004ebd5b5532a4b85984a62f8ad48a81aa3460c1ca07701f386135d72cdecf5");
        assertThat(n.has("sql")).isFalse();
        assertThat(n.get("rows").asLong()).isEqualTo(10);
        assertThat(n.get("warehouse_id").isNull()).isTrue();
    }

    @Test
    void consecutiveRecordsOfOneThreadAreWholeLinesWithTheirOwnTimestamps() throws Exception {
        Path file = dir.resolve("seq.jsonl");
        Instant first = Instant.parse("2026-11-24T13:33:41.000755Z");
        List<Instant> times = List.of(first, first.plusNanos(999_000), first.plusSeconds(1), first.plusSeconds(86_400));
        try (AuditLog log = new AuditLog(file, 1 << 20, 1)) {
            for (int i = 0; i < times.size(); i++) {
                AuditEvent e = event("r" + i, "SELECT \"quoted\"\n" + i);
                log.write(new AuditEvent(e.event(), times.get(i), e.requestId(), e.tenant(), e.clientAddress(),
                        e.backend(), e.warehouseId(), e.statementType(), e.sqlSha256(), e.decision(), e.code(),
                        e.rows(), e.durationMs(), e.userAgent(), "SELECT \"quoted\"\n" + i));
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(times.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = JSON.readTree(lines.get(i));
            assertThat(n.get("request_id").asText()).isEqualTo("r" + i);
            assertThat(Instant.parse(n.get("ts").asText())).isEqualTo(times.get(i));
            assertThat(n.get("sql").asText()).isEqualTo("SELECT \"quoted\"\n" + i);
        }
        assertThat(lines.get(0)).contains("\"ts\":\"2026-11-24T13:33:41.000755Z\"");
    }

    @Test
    void requestIdsAreVersion4UuidsThatDoNotRepeat() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            java.util.UUID id = java.util.UUID.fromString(AuditEvent.newRequestId());
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(seen.add(id.toString())).isTrue();
        }
    }

    @Test
    void hashIsOfTheUtf8TextAsReceived() {
        assertThat(Sha256.hex("SELECT 'é'")).isEqualTo(Sha256.hex("SELECT 'é'"))
                .isNotEqualTo(Sha256.hex("SELECT 'e'")).hasSize(64);
    }

    @Test
    void rawSqlOnlyWhenGiven() throws Exception {
        Path file = dir.resolve("a.jsonl");
        try (AuditLog log = new AuditLog(file, 1 << 20, 1)) {
            AuditEvent e = event("r", "SELECT 2");
            log.write(new AuditEvent(e.event(), e.ts(), e.requestId(), e.tenant(), e.clientAddress(), e.backend(),
                    e.warehouseId(), e.statementType(), e.sqlSha256(), e.decision(), e.code(), e.rows(),
                    e.durationMs(), e.userAgent(), "SELECT 2"));
        }
        assertThat(JSON.readTree(Files.readString(file)).get("sql").asText()).isEqualTo("SELECT 2");
    }

    @Test
    void rotatesBySizeAndKeepsTheConfiguredNumberOfFiles() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        int lineLength = AuditLog.serialise(event("r0000", "x")).length;
        try (AuditLog log = new AuditLog(file, lineLength * 10L, 2)) {
            for (int i = 0; i < 45; i++) {
                log.write(event("r%04d".formatted(i), "x"));
            }
        }
        assertThat(Files.readAllLines(file)).hasSize(5);
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl.1"))).hasSize(10);
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl.2"))).hasSize(10);
        assertThat(dir.resolve("audit.jsonl.3")).doesNotExist();
        assertThat(Files.readAllLines(file).get(4)).contains("r0044");
    }

    @Test
    void appendsAcrossRestartsAndConcurrentWritersNeverInterleave() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = new AuditLog(file, 1 << 24, 1)) {
            log.write(event("first", "x"));
        }
        try (AuditLog log = new AuditLog(file, 1 << 24, 1)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        log.write(event("t" + thread + "-" + i, "SELECT " + i));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4001);
        for (String line : lines) {
            assertThat(JSON.readTree(line).get("tenant").asText()).isEqualTo("acme");
        }
    }
}

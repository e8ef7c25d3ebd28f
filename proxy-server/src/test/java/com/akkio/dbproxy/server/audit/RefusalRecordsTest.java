package com.akkio.dbproxy.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refused logins: the first of each address and claimed tenant at once, the rest as one counted record. */
class RefusalRecordsTest {

    private static long rows(List<String> records) {
        return records.stream().mapToLong(r -> Long.parseLong(r.replaceAll(".*\"rows\":(\\d+).*", "$1"))).sum();
    }

    @Test
    void aFloodFromOneAddressBecomesTwoRecordsThatCountEveryRefusal(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("refused.jsonl");
        try (RefusalRecords records = new RefusalRecords(new AuditLog(log, 1 << 20, 2))) {
            for (int i = 0; i < 5_000; i++) {
                records.refused("mallory", "10.0.0.9", "curl", "AUTHENTICATION_FAILED");
            }
            assertThat(Files.readAllLines(log)).as("the first at once").singleElement()
                    .satisfies(r -> assertThat(r).contains("\"tenant\":\"mallory\"", "\"rows\":1",
                            "\"decision\":\"unauthenticated\""));
            records.flush();
            records.refused("mallory", "10.0.0.9", "curl", "AUTHENTICATION_FAILED");
        }
        List<String> all = Files.readAllLines(log);
        assertThat(all).hasSize(3);
        assertThat(all.get(1)).contains("\"rows\":4999");
        assertThat(rows(all)).isEqualTo(5_001);
    }

    @Test
    void everyAddressAndTenantGetsItsFirstRecordAtOnceUpToTheBound(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("refused.jsonl");
        int keys = RefusalRecords.MAX_KEYS + 500;
        try (RefusalRecords records = new RefusalRecords(new AuditLog(log, 64 << 20, 2))) {
            for (int i = 0; i < keys; i++) {
                records.refused("t" + i, "10.0." + (i / 250) + "." + (i % 250), null, "AUTHENTICATION_FAILED");
            }
            assertThat(Files.readAllLines(log)).hasSize(RefusalRecords.MAX_KEYS);
        }
        List<String> all = Files.readAllLines(log);
        assertThat(all).hasSize(RefusalRecords.MAX_KEYS + 1);
        assertThat(all.get(all.size() - 1)).contains("\"rows\":500").contains("\"tenant\":null");
        assertThat(rows(all)).isEqualTo(keys);
    }
}

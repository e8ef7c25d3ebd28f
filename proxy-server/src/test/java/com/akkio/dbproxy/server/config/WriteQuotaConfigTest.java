package com.akkio.dbproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.akkio.dbproxy.policy.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code write_quota} as each backend keeps it: rows held, measured on DuckDB ({@code cache_seconds}); rows written per
 * window on Databricks ({@code window_seconds}, a day by default). The other backend's key is refused, naming it.
 */
class WriteQuotaConfigTest {
    private static final String BASE = "catalog: c\ndefault_schema: s\nwrite: [c.out.*]\nstatements: [query, insert]\n";
    @TempDir
    Path dir;

    private ProxyConfig.WriteQuota quota(String line, Dialect dialect) throws Exception {
        Path file = Files.writeString(dir.resolve("p.yaml"), BASE + line + "\n");
        return new ConfigLoader(Map.of()).readPolicy("t", file, dialect).limits().writeQuota();
    }

    @Test
    void databricksCountsRowsWrittenPerWindowAndDuckDbMeasuresRowsHeld() throws Exception {
        assertThat(quota("write_quota: { max_rows: 500, window_seconds: 3600 }", Dialect.DATABRICKS))
                .isEqualTo(new ProxyConfig.WriteQuota(500, Duration.ZERO, Duration.ofHours(1)));
        assertThat(quota("write_quota: { max_rows: 500 }", Dialect.DATABRICKS).window()).isEqualTo(Duration.ofDays(1));
        assertThat(quota("write_quota: { max_rows: 500 }", Dialect.DUCKDB))
                .isEqualTo(new ProxyConfig.WriteQuota(500, Duration.ofSeconds(5)));
    }

    @Test
    void theOtherBackendsKeyIsRefusedNamingFileKeyAndWhy() {
        assertThatThrownBy(() -> quota("write_quota: { max_rows: 5, cache_seconds: 2 }", Dialect.DATABRICKS))
                .hasMessageContaining("p.yaml").hasMessageContaining("write_quota.cache_seconds")
                .hasMessageContaining("window_seconds");
        assertThatThrownBy(() -> quota("write_quota: { max_rows: 5, window_seconds: 60 }", Dialect.DUCKDB))
                .hasMessageContaining("p.yaml").hasMessageContaining("write_quota.window_seconds");
        assertThatThrownBy(() -> quota("write_quota: { max_rows: 5, window_seconds: 0 }", Dialect.DATABRICKS))
                .hasMessageContaining("write_quota.window_seconds");
    }

    @Test
    void databricksMeasuresBytesHeldAloneOrWithTheWindowsRowsAndCachesTheMeasurementForCacheSeconds() throws Exception {
        assertThat(quota("write_quota: { max_bytes: 1000000 }", Dialect.DATABRICKS))
                .isEqualTo(new ProxyConfig.WriteQuota(0, Duration.ofSeconds(5), null, 1_000_000));
        assertThat(quota("write_quota: { max_bytes: 1000, cache_seconds: 0, max_rows: 50, window_seconds: 60 }",
                Dialect.DATABRICKS)).isEqualTo(new ProxyConfig.WriteQuota(50, Duration.ZERO, Duration.ofMinutes(1),
                1000));
    }

    @Test
    void maxBytesWhereItCannotBeMeasuredAndWindowSecondsWithoutMaxRowsAreRefusedNamingFileAndKey() {
        assertThatThrownBy(() -> quota("write_quota: { max_bytes: 1000 }", Dialect.DUCKDB))
                .hasMessageContaining("p.yaml").hasMessageContaining("write_quota.max_bytes")
                .hasMessageContaining("DuckDB");
        assertThatThrownBy(() -> quota("write_quota: { max_bytes: 1000, window_seconds: 60 }", Dialect.DATABRICKS))
                .hasMessageContaining("p.yaml").hasMessageContaining("write_quota.window_seconds")
                .hasMessageContaining("max_rows");
        assertThatThrownBy(() -> quota("write_quota: { max_bytes: 0 }", Dialect.DATABRICKS))
                .hasMessageContaining("p.yaml").hasMessageContaining("write_quota.max_bytes");
        assertThatThrownBy(() -> quota("write_quota: { cache_seconds: 2 }", Dialect.DATABRICKS))
                .hasMessageContaining("p.yaml").hasMessageContaining("write_quota.cache_seconds");
    }
}

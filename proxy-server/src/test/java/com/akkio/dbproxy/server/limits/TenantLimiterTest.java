package com.akkio.dbproxy.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;

import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;

class TenantLimiterTest {
    @Test
    void burstThenThrottleWithRetryHint() throws Exception {
        TenantLimiter limiter = new TenantLimiter("globex", new ProxyConfig.Limits(5, 10, 100, Duration.ofSeconds(1)));
        for (int i = 0; i < 10; i++) {
            limiter.admit().close();
        }
        assertThatThrownBy(limiter::admit).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("53400");
            assertThat(e.getErrorCode()).isEqualTo(TenantLimiter.VENDOR_RATE);
            assertThat(e.getMessage()).contains("globex").contains("5 queries/s").contains("burst 10")
                    .containsPattern("retry after \\d+ ms");
        });
    }

    @Test
    void aStatementBeyondMaxRunningWaitsForTheTenantsOwnToEndAndIsRefusedWhenNoneDoes() throws Exception {
        TenantLimiter limiter = new TenantLimiter("acme", new ProxyConfig.Limits(1000, 1000, 4, Duration.ofSeconds(1),
                1, null));
        TenantLimiter.Permit running = limiter.run(Duration.ofSeconds(5), () -> false);
        assertThat(limiter.running()).isEqualTo(1);
        assertThatThrownBy(() -> limiter.run(Duration.ofMillis(50), () -> false)).isInstanceOfSatisfying(
                TenantLimiter.Refused.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("53400");
                    assertThat(e.code()).isEqualTo(com.akkio.dbproxy.server.errors.ErrorCode.TOO_MANY_RUNNING);
                    assertThat(e.getMessage()).startsWith("TOO_MANY_RUNNING:").contains("rate.max_running");
                });
        java.util.concurrent.CompletableFuture<TenantLimiter.Permit> waiting =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return limiter.run(Duration.ofSeconds(30), () -> false);
                    } catch (TenantLimiter.Refused e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThatThrownBy(() -> limiter.run(Duration.ofSeconds(30), () -> true)).isInstanceOfSatisfying(
                TenantLimiter.Refused.class, e -> assertThat(e.code())
                        .isEqualTo(com.akkio.dbproxy.server.errors.ErrorCode.QUERY_CANCELLED));
        running.close();
        waiting.get(30, java.util.concurrent.TimeUnit.SECONDS).close();
        assertThat(limiter.running()).isZero();
    }

    @Test
    void concurrencyCapIsReleasedOnClose() throws Exception {
        TenantLimiter limiter = new TenantLimiter("t", new ProxyConfig.Limits(1000, 1000, 2, Duration.ofSeconds(1)));
        TenantLimiter.Permit a = limiter.admit();
        TenantLimiter.Permit b = limiter.admit();
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThatThrownBy(limiter::admit).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("53400");
            assertThat(e.getErrorCode()).isEqualTo(TenantLimiter.VENDOR_CONCURRENCY);
            assertThat(e.getMessage()).contains("max_concurrent");
        });
        a.close();
        limiter.admit().close();
        b.close();
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void fractionalRatesRefill() throws Exception {
        TenantLimiter limiter = new TenantLimiter("t", new ProxyConfig.Limits(0.5, 1, 1, Duration.ofSeconds(1)));
        limiter.admit().close();
        assertThatThrownBy(limiter::admit).hasMessageContaining("0.5 queries/s")
                .hasMessageContaining("retry after");
    }
}

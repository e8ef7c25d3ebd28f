package com.akkio.dbproxy.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.Backends;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/**
 * A borrower's wait for a pooled connection: the configured {@code connection_timeout_ms} in turns, each asking the
 * pool again, so that a connection the pool's adder missed is opened on the next turn.
 */
class BackendBorrowTest {
    private static Backend demo(long maxSize, Duration wait) throws Exception {
        ProxyConfig.Backend cfg = ConfigLoader.load(Path.of("../conf/proxy.yaml")).backends().get("demo");
        ProxyConfig.Pool p = cfg.pool();
        return Backends.open(new ProxyConfig.Backend(cfg.name(), cfg.type(), cfg.dialect(), cfg.path(), cfg.seed(),
                new ProxyConfig.Pool((int) maxSize, wait, p.idleTimeout(), p.maxLifetime(), p.statementCacheSize()),
                cfg.databricks(), cfg.duckdb()));
    }

    @Test
    void theConfiguredWaitIsSplitIntoEqualTurnsOfAtMostOneSecond() {
        assertThat(Backend.askAgainMillis(5_000)).isEqualTo(1_000);
        assertThat(Backend.askAgainMillis(1_000)).isEqualTo(1_000);
        assertThat(Backend.askAgainMillis(1_001)).isEqualTo(501);
        assertThat(Backend.askAgainMillis(2_500)).isEqualTo(834);
        assertThat(Backend.askAgainMillis(300)).as("one turn").isEqualTo(300);
        assertThat(Backend.askAgainMillis(250)).isEqualTo(250);
    }

    @Test
    void aBorrowerTheFirstTurnLeftWaitingGetsAConnectionOnTheNext() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        try (Connection root = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
            // as Hikari answers a borrower its adder missed: a timeout without a cause (no connection failed to open)
            SuppliedDataSource missesTheFirst = new SuppliedDataSource(() -> {
                if (asked.incrementAndGet() == 1) {
                    throw new SQLTransientConnectionException("pool - Connection is not available");
                }
                return ((org.duckdb.DuckDBConnection) root).duplicate();
            });
            Backend backend = new Backend("b", Dialect.DUCKDB, null, missesTheFirst,
                    new ProxyConfig.Pool(1, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofMinutes(30), 0),
                    () -> { }, DuckDbTypes.INSTANCE);
            try (Connection c = backend.borrow(missesTheFirst)) {
                assertThat(c.isValid(1)).isTrue();
            }
            assertThat(asked).hasValue(2);
        }
    }

    @Test
    void aBorrowerWaitsItsWholeConfiguredWaitAcrossTurnsForAConnectionReturned() throws Exception {
        try (Backend backend = demo(1, Duration.ofSeconds(5))) {
            HikariDataSource pool = backend.poolFor("t", new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            assertThat(pool.getConnectionTimeout()).as("one turn").isEqualTo(1_000);
            Connection held = backend.borrow(pool);
            CompletableFuture<Connection> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return backend.borrow(pool);
                } catch (java.sql.SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // returned after more than two turns, well inside the configured 5 s
            Thread.sleep(2_500);
            assertThat(waiter).isNotDone();
            held.close();
            try (Connection c = waiter.get(10, TimeUnit.SECONDS)) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
    }

    @Test
    void aPoolThatStaysFullTimesOutAfterTheConfiguredWaitNamingIt() throws Exception {
        try (Backend backend = demo(1, Duration.ofMillis(1_500))) {
            HikariDataSource pool = backend.poolFor("t", new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            try (Connection held = backend.borrow(pool)) {
                assertThatThrownBy(() -> backend.borrow(pool))
                        .isInstanceOfSatisfying(SQLTransientConnectionException.class, e -> {
                            assertThat(e.getCause()).isNull();
                            assertThat(e.getMessage()).startsWith("demo-t - Connection is not available, request timed"
                                    + " out after ").contains("(total=1, active=1, idle=0");
                            long waited = Long.parseLong(e.getMessage().replaceAll(".* after (\\d+)ms.*", "$1"));
                            assertThat(waited).as("the whole configured wait, not one turn").isGreaterThanOrEqualTo(1_500);
                            assertThat(backend.errors().translate(e, "demo").code())
                                    .isEqualTo(ErrorCode.BACKEND_POOL_EXHAUSTED);
                        });
            }
        }
    }
}

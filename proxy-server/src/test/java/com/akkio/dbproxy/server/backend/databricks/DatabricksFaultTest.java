package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.LiveServerTest;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of a Databricks workspace, each with the error the client sees and the recovery without a restart: the
 * workspace down when the proxy starts and in the middle of a query, a slow token endpoint, a token that expires
 * while the token endpoint is down, a warehouse failing statements. The emulator listens on 127.0.0.10:443.
 */
@LiveServerTest
class DatabricksFaultTest {
    private static final String IP = "127.0.0.10";

    /** The client sees 08006 naming the backend (dbx), never a hang or a driver stack trace. */
    private static void assertBackendUnavailable(ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("08006");
            assertThat(e.getMessage()).contains("BACKEND_UNAVAILABLE").contains("'dbx'");
        });
    }

    private static long ordersOnANewConnection(DatabricksFixture dbx) throws SQLException {
        try (Connection c = dbx.acme()) {
            return scalar(c, "SELECT count(*) FROM orders");
        }
    }

    /**
     * Recovery without a restart, within 30 s: backend connections whose creation was already under way when the
     * fault ended (a token request still waiting on a slow endpoint, say) finish first.
     */
    private static long recovered(DatabricksFixture dbx) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return ordersOnANewConnection(dbx);
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    @Test
    void aWorkspaceDownAtStartIsNotReadyAndIsServedOnceItIsUp(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, false)) {
            var ready = dbx.admin("/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("dbx");
            assertBackendUnavailable(() -> ordersOnANewConnection(dbx));

            dbx.emulator.resume();
            assertThat(recovered(dbx)).isEqualTo(250);
            assertThat(dbx.admin("/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aWorkspaceGoingDownMidQueryFailsThatQueryClearlyAndTheNextOneRecovers(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600)) {
            CompletableFuture<Long> running;
            // the client waits longer than the tenant's 20 s query timeout, so the answer is the proxy's
            try (Connection c = dbx.acme("?timeout_ms=120000")) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
                running = CompletableFuture.supplyAsync(() -> {
                    try {
                        return scalar(c, "SELECT count(*) FROM range(4000000000) t(i) WHERE i % 7 = 3");
                    } catch (SQLException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                Thread.sleep(1_000);
                dbx.emulator.suspend();
                assertThatThrownBy(() -> {
                    try {
                        running.get(120, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw e.getCause();
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("08006");
                    assertThat(e.getMessage()).contains("BACKEND_UNAVAILABLE: backend 'dbx' cannot be reached");
                });
            } finally {
                dbx.emulator.resume();
            }
            assertThat(recovered(dbx)).isEqualTo(250);
        }
    }

    @Test
    void aSlowTokenEndpointDelaysNoQueryOnAnExistingConnectionAndFailsNewOnesClearly(@TempDir Path dir)
            throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600); Connection held = dbx.acme()) {
            assertThat(scalar(held, "SELECT count(*) FROM orders")).isEqualTo(250);
            long tokens = dbx.emulator.count("/oidc/v1/token");
            dbx.emulator.tokenEndpointDelay(Duration.ofSeconds(8)); // longer than the pool's 5 s connection timeout
            try {
                for (int i = 0; i < 3; i++) {
                    assertThat(scalar(held, "SELECT count(*) FROM orders")).as("cached token").isEqualTo(250);
                }
                assertThat(dbx.emulator.count("/oidc/v1/token")).isEqualTo(tokens);
                // a new client connection needs a new backend connection, and that a new token
                assertBackendUnavailable(() -> ordersOnANewConnection(dbx));
            } finally {
                dbx.emulator.tokenEndpointDelay(Duration.ZERO);
            }
            assertThat(recovered(dbx)).isEqualTo(250);
            assertThat(scalar(held, "SELECT count(*) FROM orders")).isEqualTo(250);
        }
    }

    @Test
    void aTokenExpiringWhileTheTokenEndpointIsDownIsAClearErrorUntilItReturns(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 2); Connection c = dbx.acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.tokenEndpointDown(true);
            try {
                Thread.sleep(3_000); // the token has expired and cannot be replaced
                assertBackendUnavailable(() -> scalar(c, "SELECT count(*) FROM orders"));
                assertBackendUnavailable(() -> ordersOnANewConnection(dbx));
            } finally {
                dbx.emulator.tokenEndpointDown(false);
            }
            assertThat(scalar(c, "SELECT count(*) FROM orders")).as("same connection, new token").isEqualTo(250);
            assertThat(recovered(dbx)).isEqualTo(250);
        }
    }

    @Test
    void aWarehouseFailingStatementsReachesTheClientWithItsMessageAndTheConnectionSurvives(@TempDir Path dir)
            throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600); Connection c = dbx.acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.failStatements("INTERNAL_ERROR", "the warehouse is overloaded");
            try {
                assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM orders"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("HY000");
                            assertThat(e.getMessage()).contains("BACKEND_ERROR")
                                    .contains("Error Message: the warehouse is overloaded, Error code: INTERNAL_ERROR");
                        });
            } finally {
                dbx.emulator.failStatements(null, null);
            }
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
        }
    }

    private static int acmeRows(Connection c) throws SQLException {
        int rows = 0;
        try (java.sql.Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT order_id, tenant_tag FROM orders ORDER BY order_id")) {
            while (r.next()) {
                assertThat(r.getString(2)).isEqualTo("acme");
                rows++;
            }
        }
        return rows;
    }

    /** The warehouse loses a result after sending part of it: the client gets an error, never a shorter result. */
    @Test
    void aResultLostHalfwayIsAnErrorNeverATruncatedResult(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600); Connection c = dbx.acme()) {
            dbx.emulator.chunkRows(10);
            assertThat(acmeRows(c)).as("100 rows (the cap) in 10 chunks").isEqualTo(100);
            assertThat(dbx.emulator.count("/api/2.0/sql/statements/")).isPositive();
            dbx.emulator.failChunksFrom(4);
            try {
                assertThatThrownBy(() -> acmeRows(c)).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("HY000");
                    // chunks come as Arrow through links: the driver's download of chunk 4 fails, and says so
                    assertThat(e.getMessage()).contains("BACKEND_ERROR: Failed to ready chunk");
                });
            } finally {
                dbx.emulator.failChunksFrom(-1);
            }
            assertThat(acmeRows(c)).as("the same connection, whole again").isEqualTo(100);
        }
        java.util.List<String> completes = java.nio.file.Files.readAllLines(dir.resolve("audit.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"complete\"")).toList();
        assertThat(completes).hasSize(3);
        assertThat(completes).filteredOn(l -> l.contains("\"decision\":\"error\",\"code\":\"HY000\""))
                .as("the lost result is audited as an error").hasSize(1);
    }
}

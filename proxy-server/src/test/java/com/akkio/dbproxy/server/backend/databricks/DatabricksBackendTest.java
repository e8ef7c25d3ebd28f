package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.backend.databricks.emulator.DatabricksEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client jar → proxy → the real databricks-jdbc driver → the workspace emulator: a tenant on a Databricks backend,
 * its service principal authenticated with OAuth M2M, every request tagged {@code akkio}.
 */
@LiveServerTest
class DatabricksBackendTest {
    @TempDir
    static Path dir;
    static DatabricksFixture dbx;
    static DatabricksEmulator emulator;
    static Path secretFile;

    @BeforeAll
    static void start() throws Exception {
        dbx = new DatabricksFixture(dir, "127.0.0.8", 3600);
        emulator = dbx.emulator;
        secretFile = dbx.secretFile;
    }

    @AfterAll
    static void stop() throws Exception {
        dbx.close();
    }

    private static Connection acme() throws SQLException {
        return dbx.acme();
    }


    @Test
    void queriesReachTheWarehouseRewrittenAndTaggedAkkio() throws Exception {
        try (Connection c = acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            long tokensBefore = emulator.count("/oidc/v1/token");
            for (int i = 0; i < 20; i++) {
                assertThat(scalar(c, "SELECT count(*) FROM main.sales.orders WHERE tenant_tag = 'acme'")).isEqualTo(250);
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM `orders`")) {
                int rows = 0;
                while (r.next()) {
                    assertThat(r.getString("tenant_tag")).isEqualTo("acme");
                    rows++;
                }
                assertThat(rows).as("max_rows cap").isEqualTo(100);
            }
            assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM globex_prod.sales.orders"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThat(emulator.count("/oidc/v1/token")).as("tokens are cached, never fetched per query")
                    .isEqualTo(tokensBefore);
        }
        assertThat(emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/statements"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("User-Agent")).contains("akkio"))
                .anySatisfy(r -> assertThat(r.body()).contains("`acme_prod`.`sales`.`orders`"))
                .noneSatisfy(r -> assertThat(r.body()).contains("main.sales"));
        assertThat(Files.readString(dbx.auditLog)).contains("\"warehouse_id\":\"wh-acme\"");
    }

    @Test
    void aSetOperationEndingInItsOwnLimitWithinTheCapReachesTheWarehouseAsWrittenAndOneOverTheCapIsWrapped()
            throws Exception {
        // acme's max_rows here is 100; its 250 orders twice are more rows than that
        String union = "SELECT order_id FROM orders UNION ALL SELECT order_id FROM orders";
        try (Connection c = acme()) {
            assertThat(rows(c, union + " LIMIT 60")).isEqualTo(60);
            assertThat(rows(c, union + " LIMIT 150")).isEqualTo(100);
        }
        assertThat(emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/statements"))
                .anySatisfy(r -> assertThat(r.body()).contains("`acme_prod`.`sales`.`orders` LIMIT 60")
                        .doesNotContain("akkio_capped"))
                .anySatisfy(r -> assertThat(r.body()).contains("LIMIT 150) AS akkio_capped LIMIT 100"));
    }

    private static int rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            int rows = 0;
            while (r.next()) {
                rows++;
            }
            return rows;
        }
    }

    @Test
    void aTokenEndpointOutageDoesNotFailQueriesWhileTheTokenIsValid() throws Exception {
        try (Connection c = acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            emulator.tokenEndpointDown(true);
            for (int i = 0; i < 5; i++) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            }
        } finally {
            emulator.tokenEndpointDown(false);
        }
    }

    @Test
    void readinessReportsAStoppedWarehouseAndNeverStartsIt() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI ready = java.net.URI.create("http://127.0.0.1:" + dbx.proxy.adminPort() + "/ready");
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(ready).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        emulator.warehouseState("STOPPED");
        try {
            for (int probe = 0; probe < 3; probe++) {
                var stopped = http.send(java.net.http.HttpRequest.newBuilder(ready).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(stopped.statusCode()).isEqualTo(503);
                assertThat(stopped.body()).contains("wh-acme is STOPPED").doesNotContain("start");
            }
            assertThat(emulator.warehouseStarts()).as("a readiness probe never starts a warehouse").isEmpty();
            assertThat(emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/warehouses/wh-acme"))
                    .isNotEmpty().allSatisfy(r -> assertThat(r.header("User-Agent")).contains("akkio/"));
        } finally {
            emulator.warehouseState("RUNNING");
        }
    }

    @Test
    void aDownWorkspaceGivesAClearErrorAndTheProxyRecoversWhenItReturns() throws Exception {
        emulator.suspend();
        try {
            assertThatThrownBy(() -> {
                try (Connection c = acme()) {
                    scalar(c, "SELECT count(*) FROM orders");
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("08006");
                assertThat(e.getMessage()).contains("dbx");
            });
        } finally {
            emulator.resume();
        }
        try (Connection c = acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
        }
    }

    @Test
    void aRotatedSecretIsUsedByNewConnectionsAndARevokedOneFailsClearly() throws Exception {
        try (Connection first = acme()) {
            assertThat(scalar(first, "SELECT count(*) FROM orders")).isEqualTo(250);
            emulator.allowClient("sp-acme", "secret-two");
            Files.writeString(secretFile, "secret-two\n");
            emulator.revokeClient("sp-acme", "secret-one");
            try (Connection second = acme()) {
                assertThat(scalar(second, "SELECT count(*) FROM orders")).as("new connection, new secret")
                        .isEqualTo(250);
            }
            Files.writeString(secretFile, "secret-one\n");
            try (Connection c = acme(); Connection d = acme()) {
                // the pool may hand an existing connection to one of them; a new one needs the revoked secret
                assertThatThrownBy(() -> {
                    try (Connection e = acme(); Connection f = acme()) {
                        scalar(e, "SELECT 1");
                        scalar(f, "SELECT 1");
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08006");
                    assertThat(e.getMessage()).contains("dbx");
                });
            } catch (SQLException revokedEarly) {
                assertThat(revokedEarly.getSQLState()).isEqualTo("08006");
            }
        } finally {
            Files.writeString(secretFile, "secret-two\n");
        }
    }
}

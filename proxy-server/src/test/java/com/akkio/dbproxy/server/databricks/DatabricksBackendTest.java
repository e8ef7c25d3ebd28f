package com.akkio.dbproxy.server.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import com.akkio.dbproxy.server.SelfSigned;
import com.akkio.dbproxy.server.avatica.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.SecretHash;
import com.akkio.dbproxy.server.databricks.emulator.DatabricksEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client jar → proxy → the real databricks-jdbc driver → the workspace emulator: a tenant on a Databricks backend,
 * its service principal authenticated with OAuth M2M, every request tagged {@code akkio}.
 */
class DatabricksBackendTest {
    @TempDir
    static Path dir;
    static DatabricksEmulator emulator;
    static ProxyServer proxy;
    static Path secretFile;

    @BeforeAll
    static void start() throws Exception {
        SelfSigned cert = SelfSigned.create(dir, "127.0.0.8");
        emulator = new DatabricksEmulator(cert.keystore(), cert.keystorePassword(), "wh-acme", "127.0.0.8", 443);
        emulator.allowClient("sp-acme", "secret-one");
        emulator.setUp("ATTACH ':memory:' AS acme_prod");
        emulator.setUp("CREATE SCHEMA acme_prod.sales");
        emulator.setUp("CREATE TABLE acme_prod.sales.orders AS SELECT i AS order_id, 'acme' AS tenant_tag"
                + " FROM range(1, 251) t(i)");
        emulator.setUp("ATTACH ':memory:' AS globex_prod");
        emulator.setUp("CREATE SCHEMA globex_prod.sales");
        emulator.setUp("CREATE TABLE globex_prod.sales.orders AS SELECT i AS order_id, 'globex' AS tenant_tag"
                + " FROM range(1, 11) t(i)");
        secretFile = Files.writeString(dir.resolve("sp-acme.secret"), "secret-one\n");
        Files.writeString(dir.resolve("acme.yaml"), """
                catalog: acme_prod
                default_schema: sales
                catalogs: { main: acme_prod }
                read: [acme_prod.sales.*]
                statements: [query]
                max_rows: 100
                rate: { queries_per_second: 1000, burst: 1000, max_concurrent: 8 }
                """);
        String base = "https://127.0.0.8:443";
        Path config = Files.writeString(dir.resolve("proxy.yaml"), """
                server: { port: 0, admin_port: -1 }
                audit: { path: audit.jsonl }
                backends:
                  dbx:
                    type: databricks
                    host: https://127.0.0.8
                    warehouse_id: wh-acme
                    client_id: sp-acme
                    client_secret_file: sp-acme.secret
                    pool: { max_size: 4, connection_timeout_ms: 3000, max_lifetime_seconds: 60 }
                    driver_options:
                      SSLTrustStore: %s
                      SSLTrustStorePwd: %s
                      SSLTrustStoreType: PKCS12
                      OIDCDiscoveryEndpoint: %s/oidc/.well-known/oauth-authorization-server
                      OAuth2TokenEndpoint: %s/oidc/v1/token
                tenants:
                  acme: { secret_hash: "%s", backend: dbx, policy: acme.yaml }
                """.formatted(cert.truststore(), cert.truststorePassword(), base, base,
                SecretHash.create("acme-secret").encoded()));
        proxy = ProxyServer.start(ConfigLoader.load(config), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        emulator.close();
    }

    private static Connection acme() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "acme");
        p.setProperty("password", "acme-secret");
        return DriverManager.getConnection("jdbc:akkio://127.0.0.1:" + proxy.port(), p);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void queriesReachTheWarehouseRewrittenAndTaggedAkkio() throws Exception {
        try (Connection c = acme()) {
            assertThat(count(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            long tokensBefore = emulator.count("/oidc/v1/token");
            for (int i = 0; i < 20; i++) {
                assertThat(count(c, "SELECT count(*) FROM main.sales.orders WHERE tenant_tag = 'acme'")).isEqualTo(250);
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM `orders`")) {
                int rows = 0;
                while (r.next()) {
                    assertThat(r.getString("tenant_tag")).isEqualTo("acme");
                    rows++;
                }
                assertThat(rows).as("max_rows cap").isEqualTo(100);
            }
            assertThatThrownBy(() -> count(c, "SELECT count(*) FROM globex_prod.sales.orders"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThat(emulator.count("/oidc/v1/token")).as("tokens are cached, never fetched per query")
                    .isEqualTo(tokensBefore);
        }
        assertThat(emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/statements"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("User-Agent")).contains("akkio"))
                .anySatisfy(r -> assertThat(r.body()).contains("`acme_prod`.`sales`.`orders`"))
                .noneSatisfy(r -> assertThat(r.body()).contains("main.sales"));
        assertThat(Files.readString(dir.resolve("audit.jsonl"))).contains("\"warehouse_id\":\"wh-acme\"");
    }

    @Test
    void aDownWorkspaceGivesAClearErrorAndTheProxyRecoversWhenItReturns() throws Exception {
        emulator.suspend();
        try {
            assertThatThrownBy(() -> {
                try (Connection c = acme()) {
                    count(c, "SELECT count(*) FROM orders");
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("08006");
                assertThat(e.getMessage()).contains("dbx");
            });
        } finally {
            emulator.resume();
        }
        try (Connection c = acme()) {
            assertThat(count(c, "SELECT count(*) FROM orders")).isEqualTo(250);
        }
    }

    @Test
    void aRotatedSecretIsUsedByNewConnectionsAndARevokedOneFailsClearly() throws Exception {
        try (Connection first = acme()) {
            assertThat(count(first, "SELECT count(*) FROM orders")).isEqualTo(250);
            emulator.allowClient("sp-acme", "secret-two");
            Files.writeString(secretFile, "secret-two\n");
            emulator.revokeClient("sp-acme", "secret-one");
            try (Connection second = acme()) {
                assertThat(count(second, "SELECT count(*) FROM orders")).as("new connection, new secret")
                        .isEqualTo(250);
            }
            Files.writeString(secretFile, "secret-one\n");
            try (Connection c = acme(); Connection d = acme()) {
                // the pool may hand an existing connection to one of them; a new one needs the revoked secret
                assertThatThrownBy(() -> {
                    try (Connection e = acme(); Connection f = acme()) {
                        count(e, "SELECT 1");
                        count(f, "SELECT 1");
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

package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SelfSigned;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.backend.databricks.emulator.DatabricksEmulator;
import com.akkio.dbproxy.server.backend.databricks.emulator.StorageHost;
import com.akkio.dbproxy.server.config.SecretHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Azure service principal with an Entra ID secret, end to end: databricks-jdbc allows the {@code AzureTenantId}
 * flow only for Azure workspace hosts ({@code *.azuredatabricks.net}) and asks Entra ID at
 * {@code login.microsoftonline.com}, so the proxy runs in a JVM of its own whose resolver reads a hosts file
 * ({@code -Djdk.net.hosts.file}, a JDK property: the test's alone, the proxy's code and configuration are production's)
 * mapping both names to the emulator, whose certificate names them. The emulator answers as Entra ID (v1 token
 * endpoint, tokens for the Azure Databricks resource and the management endpoint) and as the workspace. Queries of
 * both front ends, readiness and a refused secret's error mapping. Emulator on 127.0.0.44:443.
 */
@LiveServerTest
@SlowTest
class DatabricksEntraIdTest {
    private static final String IP = "127.0.0.44";
    private static final String WORKSPACE = "adb-1234567890123456.7.azuredatabricks.net";
    private static final String ENTRA_ID = "login.microsoftonline.com";
    private static final String TENANT = "7f2c1a3e-0000-4000-8000-00000000a2ad";

    @Test
    void anAzureServicePrincipalsEntraIdSecretServesQueriesReadinessAndErrors(@TempDir Path dir) throws Exception {
        SelfSigned cert = SelfSigned.create(dir, IP, WORKSPACE, ENTRA_ID);
        SelfSigned storageCert = SelfSigned.create(Files.createDirectories(dir.resolve("storage")), "127.0.1.44");
        cert.trusting(storageCert);
        try (StorageHost storage = new StorageHost(storageCert.keystore(), storageCert.keystorePassword(),
                "127.0.1.44");
             DatabricksEmulator emulator = new DatabricksEmulator(cert.keystore(), cert.keystorePassword(), "wh-acme",
                     IP, 443)) {
            emulator.storage(storage);
            emulator.allowEntraClient(TENANT, "app-acme", "entra-secret");
            emulator.setUp("ATTACH ':memory:' AS acme_prod");
            emulator.setUp("CREATE SCHEMA acme_prod.sales");
            emulator.setUp("CREATE TABLE acme_prod.sales.orders AS SELECT i AS order_id FROM range(1, 251) t(i)");
            Path hosts = Files.writeString(dir.resolve("hosts"), IP + " " + WORKSPACE + "\n" + IP + " " + ENTRA_ID
                    + "\n127.0.0.1 localhost\n");
            int port = freePort();
            int pgPort = freePort();
            int adminPort = freePort();
            Path config = config(dir, cert, port, pgPort, adminPort);
            Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djdk.net.hosts.file=" + hosts, "-cp", System.getProperty("java.class.path"),
                    "com.akkio.dbproxy.server.cli.AkkioProxy", "serve", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("proxy.log").toFile()).start();
            try {
                awaitListening(proxy, dir.resolve("proxy.log"));
                try (Connection jar = SqlStates.connect("jdbc:akkio://127.0.0.1:" + port + "?timeout_ms=120000",
                        DemoProxy.credentials("acme", "acme-secret"));
                     Connection pg = SqlStates.connect("jdbc:postgresql://127.0.0.1:" + pgPort
                             + "/main?sslmode=disable", DemoProxy.credentials("acme", "acme-secret"))) {
                    assertThat(scalar(jar, "SELECT count(*) FROM orders")).isEqualTo(250);
                    assertThat(scalar(pg, "SELECT count(*) FROM orders WHERE order_id > 200")).isEqualTo(50);
                }
                assertThat(emulator.requests()).as("Entra ID was asked for the Azure Databricks resource")
                        .anySatisfy(r -> {
                            assertThat(r.path()).isEqualTo("/" + TENANT + "/oauth2/token");
                            assertThat(r.body()).contains("resource=2ff814a6-3304-4ab8-85cb-cd0e6f879c1d")
                                    .contains("client_id=app-acme");
                        });
                assertThat(emulator.requests()).filteredOn(r -> r.path().startsWith("/api/2.0/sql/statements"))
                        .as("statements carry the Entra ID token and the management token").isNotEmpty()
                        .allSatisfy(r -> {
                            assertThat(r.header("Authorization")).startsWith("Bearer ");
                            assertThat(r.header("X-Databricks-Azure-SP-Management-Token")).isNotBlank();
                            assertThat(r.header("Host")).startsWith(WORKSPACE);
                        });
                assertThat(emulator.requests()).filteredOn(r -> r.path().equals("/oidc/v1/token"))
                        .as("no Databricks OAuth client-credentials grant")
                        .noneSatisfy(r -> assertThat(r.body()).contains("grant_type=client_credentials"));

                var ready = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + adminPort + "/ready")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(ready.body()).as("readiness asks the warehouse as the Azure principal")
                        .contains("dbx-wrong").doesNotContain("\"dbx\"");

                assertThatThrownBy(() -> {
                    try (Connection c = SqlStates.connect("jdbc:akkio://127.0.0.1:" + port + "?timeout_ms=120000",
                            DemoProxy.credentials("globex", "globex-secret"))) {
                        scalar(c, "SELECT count(*) FROM orders");
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("08006");
                    assertThat(e.getMessage()).contains("BACKEND_UNAVAILABLE").contains("dbx-wrong")
                            .contains("cannot obtain an access token").doesNotContain("entra-secret");
                });
            } finally {
                proxy.destroy();
                if (!proxy.waitFor(30, TimeUnit.SECONDS)) {
                    proxy.destroyForcibly();
                }
            }
        }
    }

    private static Path config(Path dir, SelfSigned cert, int port, int pgPort, int adminPort) throws Exception {
        Files.writeString(dir.resolve("sp.secret"), "entra-secret\n");
        String policy = """
                catalog: %s
                default_schema: sales
                catalogs: { main: %s }
                read: [%s.sales.*]
                statements: [query]
                max_rows: 1000
                """;
        Files.writeString(dir.resolve("acme.yaml"), policy.formatted("acme_prod", "acme_prod", "acme_prod"));
        Files.writeString(dir.resolve("globex.yaml"), policy.formatted("globex_prod", "globex_prod", "globex_prod"));
        String backend = """
                  %s:
                    type: databricks
                    host: https://%s
                    warehouse_id: wh-acme
                    client_id: app-acme
                    %s
                    azure_tenant_id: %s
                    start_on_demand: true
                    pool: { max_size: 2, connection_timeout_ms: %d, max_lifetime_seconds: 60 }
                    driver_options: { SSLTrustStore: %s, SSLTrustStorePwd: %s, SSLTrustStoreType: PKCS12 }
                """;
        return Files.writeString(dir.resolve("proxy.yaml"), """
                server: { port: %d, admin_port: %d, postgres: { enabled: true, port: %d } }
                audit: { path: audit.jsonl }
                backends:
                %s%s
                tenants:
                  acme: { secret_hash: "%s", scram_sha256: "%s", backend: dbx, policy: acme.yaml }
                  globex: { secret_hash: "%s", backend: dbx-wrong, policy: globex.yaml }
                """.formatted(port, adminPort, pgPort,
                backend.formatted("dbx", WORKSPACE, "client_secret_file: sp.secret", TENANT, 60_000, cert.truststore(),
                        cert.truststorePassword()),
                backend.formatted("dbx-wrong", WORKSPACE, "client_secret: not-the-secret", TENANT, 10_000,
                        cert.truststore(), cert.truststorePassword()),
                SecretHash.create("acme-secret").encoded(),
                com.akkio.dbproxy.server.config.ScramVerifier.create("acme-secret").encoded(),
                SecretHash.create("globex-secret").encoded()));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(Process proxy, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return;
            }
            if (!proxy.isAlive()) {
                throw new AssertionError("the proxy exited: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the proxy did not start in time: " + Files.readString(log));
    }
}

package com.akkio.dbproxy.server.backend.databricks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.SelfSigned;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.SecretHash;
import com.akkio.dbproxy.server.backend.databricks.emulator.DatabricksEmulator;
import com.akkio.dbproxy.server.backend.databricks.emulator.StorageHost;

/**
 * A workspace emulator on {@code ip}:443 with acme's and globex's orders and two warehouses, and a proxy whose tenant
 * acme uses it through the backend {@code dbx} (service principal {@code sp-acme}, secret in {@code sp-acme.secret},
 * warehouses wh-acme then wh-backup).
 */
final class DatabricksFixture implements AutoCloseable {
    final DatabricksEmulator emulator;
    /** The cloud storage of the workspace's EXTERNAL_LINKS, on 127.0.1.N for a workspace on 127.0.0.N. */
    final StorageHost storage;
    final ProxyServer proxy;
    final Path secretFile;
    final Path auditLog;
    /** databricks-jdbc's URL of the emulated warehouse, as the proxy's service principal (tests read it directly). */
    private final String warehouseUrl;
    private final Path acmePolicyFile;
    /** acme's policy as the fixture wrote it: one line a key. */
    private final String acmeAsWritten;

    DatabricksFixture(Path dir, String ip, long tokenLifetimeSeconds) throws Exception {
        this(dir, ip, tokenLifetimeSeconds, true);
    }

    /** @param workspaceUp false: the proxy starts while the emulator is suspended (call {@code resume}) */
    DatabricksFixture(Path dir, String ip, long tokenLifetimeSeconds, boolean workspaceUp) throws Exception {
        this(dir, ip, tokenLifetimeSeconds, workspaceUp, 5000);
    }

    /** @param connectionTimeoutMs the pool's wait for a backend connection */
    DatabricksFixture(Path dir, String ip, long tokenLifetimeSeconds, boolean workspaceUp, int connectionTimeoutMs)
            throws Exception {
        this(dir, ip, tokenLifetimeSeconds, workspaceUp, 20, "    pool: { max_size: 4, connection_timeout_ms: "
                + connectionTimeoutMs + ", max_lifetime_seconds: 60 }");
    }

    /**
     * @param queryTimeoutSeconds acme's {@code query_timeout_seconds}
     * @param backendSettings     YAML lines added to the backend {@code dbx} (indented by 4); a {@code pool} line there
     *                            replaces the default one, and so does a {@code start_on_demand} line
     */
    DatabricksFixture(Path dir, String ip, long tokenLifetimeSeconds, boolean workspaceUp, int queryTimeoutSeconds,
                      String backendSettings) throws Exception {
        this(dir, ip, tokenLifetimeSeconds, workspaceUp, queryTimeoutSeconds, backendSettings, java.util.Map.of());
    }

    /** @param driverOptions added to the backend's {@code driver_options} */
    DatabricksFixture(Path dir, String ip, long tokenLifetimeSeconds, boolean workspaceUp, int queryTimeoutSeconds,
                      String backendSettings, java.util.Map<String, String> driverOptions) throws Exception {
        SelfSigned cert = SelfSigned.create(dir, ip);
        String storageIp = ip.replaceFirst("^127\\.0\\.0\\.", "127.0.1.");
        SelfSigned storageCert = SelfSigned.create(java.nio.file.Files.createDirectories(dir.resolve("storage")),
                storageIp);
        cert.trusting(storageCert);
        storage = new StorageHost(storageCert.keystore(), storageCert.keystorePassword(), storageIp);
        emulator = new DatabricksEmulator(cert.keystore(), cert.keystorePassword(), "wh-acme", ip, 443);
        emulator.storage(storage);
        String warehouseHost = ip + ":443";
        warehouseUrl = "jdbc:databricks://" + warehouseHost + "/default;transportMode=http;ssl=1;"
                + "httpPath=/sql/1.0/warehouses/wh-acme;AuthMech=11;Auth_Flow=1;OAuth2ClientId=sp-acme;OAuth2Secret=secret-one;UseThriftClient=0;"
                + "EnableTelemetry=0;UserAgentEntry=akkio/" + com.akkio.dbproxy.server.config.ProxyVersion.get()
                + ";SSLTrustStore=" + cert.truststore() + ";SSLTrustStorePwd=" + cert.truststorePassword()
                + ";SSLTrustStoreType=PKCS12;OIDCDiscoveryEndpoint=https://" + warehouseHost
                + "/oidc/.well-known/oauth-authorization-server;OAuth2TokenEndpoint=https://" + warehouseHost
                + "/oidc/v1/token";
        emulator.tokenLifetimeSeconds(tokenLifetimeSeconds);
        emulator.allowClient("sp-acme", "secret-one");
        emulator.warehouse("wh-backup", true);
        emulator.setUp("ATTACH ':memory:' AS acme_prod");
        emulator.setUp("CREATE SCHEMA acme_prod.sales");
        emulator.setUp("CREATE TABLE acme_prod.sales.orders AS SELECT i AS order_id, 'acme' AS tenant_tag"
                + " FROM range(1, 251) t(i)");
        emulator.setUp("ATTACH ':memory:' AS globex_prod");
        emulator.setUp("CREATE SCHEMA globex_prod.sales");
        emulator.setUp("CREATE TABLE globex_prod.sales.orders AS SELECT i AS order_id, 'globex' AS tenant_tag"
                + " FROM range(1, 11) t(i)");
        secretFile = Files.writeString(dir.resolve("sp-acme.secret"), "secret-one\n");
        auditLog = dir.resolve("audit.jsonl");
        acmePolicyFile = dir.resolve("acme.yaml");
        acmeAsWritten = """
                catalog: acme_prod
                default_schema: sales
                catalogs: { main: acme_prod }
                read: [acme_prod.sales.*]
                statements: [query]
                max_rows: 100
                rate: { queries_per_second: 1000, burst: 1000, max_concurrent: 8 }
                query_timeout_seconds: %d
                """.formatted(queryTimeoutSeconds);
        Files.writeString(acmePolicyFile, acmeAsWritten);
        String base = "https://" + ip + ":443";
        Path config = Files.writeString(dir.resolve("proxy.yaml"), """
                server: { port: 0, admin_port: 0, postgres: { enabled: true, port: 0 } }
                audit: { path: audit.jsonl }
                backends:
                  dbx:
                    type: databricks
                    host: https://%s
                    warehouse_ids: [wh-acme, wh-backup]
                    client_id: sp-acme
                    client_secret_file: sp-acme.secret
                %s
                %s
                %s
                    driver_options:
                      SSLTrustStore: %s
                      SSLTrustStorePwd: %s
                      SSLTrustStoreType: PKCS12
                      OIDCDiscoveryEndpoint: %s/oidc/.well-known/oauth-authorization-server
                      OAuth2TokenEndpoint: %s/oidc/v1/token
                %s
                tenants:
                  acme: { secret_hash: "%s", scram_sha256: "%s", backend: dbx, policy: acme.yaml }
                """.formatted(ip, backendSettings.contains("start_on_demand:") ? "" : "    start_on_demand: true",
                backendSettings, backendSettings.contains("pool:") ? ""
                        : "    pool: { max_size: 4, connection_timeout_ms: 5000, max_lifetime_seconds: 60 }",
                cert.truststore(), cert.truststorePassword(), base, base,
                driverOptions.entrySet().stream().map(e -> "      " + e.getKey() + ": \"" + e.getValue() + "\"")
                        .collect(java.util.stream.Collectors.joining("\n")),
                SecretHash.create("acme-secret").encoded(),
                com.akkio.dbproxy.server.config.ScramVerifier.create("acme-secret").encoded()));
        if (!workspaceUp) {
            emulator.suspend();
        }
        proxy = ProxyServer.start(ConfigLoader.load(config), 0);
    }

    /**
     * Writes acme's policy as the fixture made it, but with {@code lines} in place of the lines setting the same keys
     * (a line at the left margin names a key; indented ones below it are its value), and returns it: a test states
     * only what it changes, whatever an earlier test wrote. The proxy takes it at its next reload.
     */
    String acmePolicy(String lines) throws IOException {
        String policy = acmeAsWritten;
        for (String line : lines.split("\n")) {
            Matcher key = TOP_LEVEL_KEY.matcher(line);
            if (key.find()) {
                policy = policy.replaceAll("(?m)^" + key.group(1) + ":.*\n", "");
            }
        }
        String text = policy + lines;
        Files.writeString(acmePolicyFile, text);
        return text;
    }

    private static final Pattern TOP_LEVEL_KEY = Pattern.compile("^([a-z_]+):");

    Connection acme() throws SQLException {
        return acme("");
    }

    /** @param urlParameters appended to the URL, e.g. {@code ?timeout_ms=120000} */
    Connection acme(String urlParameters) throws SQLException {
        return SqlStates.connect("jdbc:akkio://127.0.0.1:" + proxy.port() + urlParameters,
                DemoProxy.credentials("acme", "acme-secret"));
    }

    /** A pgjdbc connection of acme to the proxy's PostgreSQL front end. */
    Connection acmeOverPostgres() throws SQLException {
        return SqlStates.connect("jdbc:postgresql://127.0.0.1:" + proxy.postgresPort() + "/main?sslmode=disable",
                DemoProxy.credentials("acme", "acme-secret"));
    }

    /** A databricks-jdbc connection straight to the emulated warehouse, past the proxy. */
    Connection warehouse() throws SQLException {
        return java.sql.DriverManager.getConnection(warehouseUrl, new java.util.Properties());
    }

    /** GET on the admin endpoint: status and body. */
    java.net.http.HttpResponse<String> admin(String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + proxy.adminPort() + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        emulator.close();
        storage.close();
    }
}

package com.akkio.dbproxy.server.backend.databricks.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SelfSigned;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real databricks-jdbc driver against the emulator: what the proxy's Databricks backend relies on. The
 * workspace listens on 127.0.0.7:443, its cloud storage on 127.0.1.7 (a free port) with a certificate of its own.
 */
@LiveServerTest
class EmulatorWithRealDriverTest {
    @TempDir
    static Path dir;
    static SelfSigned cert;
    static DatabricksEmulator emulator;
    static StorageHost storage;

    @BeforeAll
    static void start() throws Exception {
        cert = SelfSigned.create(dir, "127.0.0.7");
        SelfSigned storageCert = SelfSigned.create(Files.createDirectories(dir.resolve("storage")), "127.0.1.7");
        cert.trusting(storageCert);
        storage = new StorageHost(storageCert.keystore(), storageCert.keystorePassword(), "127.0.1.7");
        emulator = new DatabricksEmulator(cert.keystore(), cert.keystorePassword(), "wh1", "127.0.0.7", 443);
        emulator.storage(storage);
        emulator.allowClient("sp-acme", "s3cret");
        emulator.setUp("ATTACH ':memory:' AS acme_prod");
        emulator.setUp("CREATE SCHEMA acme_prod.sales");
        emulator.setUp("CREATE TABLE acme_prod.sales.orders AS SELECT i AS order_id, 'acme' AS tenant_tag,"
                + " CAST(i * 1.5 AS DECIMAL(12,2)) AS amount FROM range(1, 101) t(i)");
    }

    @AfterAll
    static void stop() throws Exception {
        emulator.close();
        storage.close();
    }

    @AfterEach
    void defaults() {
        emulator.chunkRows(0);
        emulator.linkLifetime(Duration.ofMinutes(15));
    }

    static String url(String secret) {
        String base = emulator.host() + ":" + emulator.port();
        return "jdbc:databricks://" + base + "/default;transportMode=http;ssl=1;"
                + "httpPath=/sql/1.0/warehouses/wh1;AuthMech=11;Auth_Flow=1;OAuth2ClientId=sp-acme;OAuth2Secret="
                + secret + ";UseThriftClient=0;EnableArrow=0;UserAgentEntry=akkio/"
                // the driver keeps every entry it saw for the JVM: an entry without a version would tag later tests
                + com.akkio.dbproxy.server.config.ProxyVersion.get() + ";EnableTelemetry=0;"
                + "SSLTrustStore=" + cert.truststore() + ";SSLTrustStorePwd=" + cert.truststorePassword()
                + ";SSLTrustStoreType=PKCS12;OIDCDiscoveryEndpoint=https://" + base
                + "/oidc/.well-known/oauth-authorization-server;OAuth2TokenEndpoint=https://" + base
                + "/oidc/v1/token";
    }

    @Test
    void queriesRunThroughTheRealDriver() throws Exception {
        try (Connection c = DriverManager.getConnection(url("s3cret"), new Properties());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*), min(tenant_tag), sum(amount) FROM acme_prod.sales.orders")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getLong(1)).isEqualTo(100);
            assertThat(r.getString(2)).isEqualTo("acme");
            assertThat(r.getBigDecimal(3)).isEqualByComparingTo("7575.00");
        }
        assertThat(emulator.requests()).allSatisfy(r -> {
            if (r.path().startsWith("/api/")) {
                assertThat(r.header("User-Agent")).contains("akkio");
            }
        });
    }

    @Test
    void theDriverAsksForLz4ArrowInlineOrLinksDespiteEnableArrowZeroAndGetsAnInlineAttachment() throws Exception {
        int before = emulator.resultsServed().size();
        try (Connection c = DriverManager.getConnection(url("s3cret"), new Properties());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT order_id, amount FROM acme_prod.sales.orders ORDER BY order_id")) {
            long sum = 0;
            while (r.next()) {
                sum += r.getLong(1);
                assertThat(r.getBigDecimal(2)).isEqualByComparingTo(String.valueOf(r.getLong(1) * 1.5));
            }
            assertThat(sum).isEqualTo(5050);
        }
        assertThat(emulator.requests()).filteredOn(r -> r.method().equals("POST")
                        && r.path().equals("/api/2.0/sql/statements/")
                        || r.method().equals("POST") && r.path().equals("/api/2.0/sql/statements"))
                .last().satisfies(r -> assertThat(r.body()).contains("\"format\":\"ARROW_STREAM\"")
                        .contains("\"disposition\":\"INLINE_OR_EXTERNAL_LINKS\"")
                        .contains("\"result_compression\":\"LZ4_FRAME\""));
        assertThat(emulator.resultsServed().subList(before, emulator.resultsServed().size()))
                .containsOnly("ARROW_STREAM INLINE");
    }

    @Test
    void largeResultsComeInChunksFromTheStorageHostWithoutTheWorkspaceToken() throws Exception {
        emulator.chunkRows(1000);
        int storageBefore = storage.requests().size();
        try (Connection c = DriverManager.getConnection(url("s3cret"), new Properties());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT i, 'row ' || i AS label FROM range(0, 4500) t(i) ORDER BY i")) {
            long expected = 0;
            while (r.next()) {
                assertThat(r.getLong(1)).isEqualTo(expected);
                assertThat(r.getString(2)).isEqualTo("row " + expected);
                expected++;
            }
            assertThat(expected).isEqualTo(4500);
        }
        assertThat(emulator.resultsServed()).last().isEqualTo("ARROW_STREAM LINKS");
        List<DatabricksEmulator.Recorded> downloads = storage.requests().subList(storageBefore,
                storage.requests().size());
        assertThat(downloads).as("one download per chunk").hasSize(5)
                .allSatisfy(d -> assertThat(d.header("Authorization")).isNull());
        assertThat(emulator.requests()).filteredOn(r -> r.path().contains("/result/chunks/"))
                .as("links of later chunks are asked of the workspace").isNotEmpty();
    }

    @Test
    void theStorageHostRefusesTheWorkspaceTokenAnExpiredLinkAndATamperedOne() throws Exception {
        String key = storage.store("direct", List.of(new byte[] {1, 2, 3})).get(0);
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(cert)).build();
        String link = storage.presign(key, Duration.ofMinutes(15));
        assertThat(client.send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body()).containsExactly(1, 2, 3);
        HttpResponse<String> withToken = client.send(HttpRequest.newBuilder(URI.create(link))
                .header("Authorization", "Bearer workspace-token").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isEqualTo(400);
        assertThat(withToken.body()).contains("Only one auth mechanism allowed");
        HttpResponse<String> expired = client.send(HttpRequest.newBuilder(URI.create(
                storage.presign(key, Duration.ofSeconds(-1)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).contains("Request has expired");
        HttpResponse<String> tampered = client.send(HttpRequest.newBuilder(URI.create(
                link.replace("X-Amz-Expires=900", "X-Amz-Expires=9000"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tampered.statusCode()).isEqualTo(403);
        assertThat(tampered.body()).contains("SignatureDoesNotMatch");
    }

    @Test
    void withQueryResultDownloadOffTheDriverAsksForInlineJsonAndGetsIt() throws Exception {
        try (Connection c = DriverManager.getConnection(url("s3cret") + ";EnableQueryResultDownload=0",
                new Properties());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sum(amount), max(order_id) FROM acme_prod.sales.orders")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBigDecimal(1)).isEqualByComparingTo("7575.00");
            assertThat(r.getLong(2)).isEqualTo(100);
        }
        assertThat(emulator.requests()).filteredOn(r -> r.method().equals("POST")
                        && r.path().matches("/api/2\\.0/sql/statements/?"))
                .last().satisfies(r -> assertThat(r.body()).contains("\"format\":\"JSON_ARRAY\"")
                        .contains("\"disposition\":\"INLINE\""));
        assertThat(emulator.resultsServed()).last().isEqualTo("JSON_ARRAY");
    }

    @Test
    void wrongSecretFails() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("wrong"), new Properties()).createStatement()
                .executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
    }

    /** A TLS context trusting {@code cert}'s trust store. */
    static SSLContext trusting(SelfSigned cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(cert.truststore())) {
            trust.load(in, cert.truststorePassword().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}

package com.akkio.dbproxy.server.backend.databricks.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SelfSigned;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real databricks-jdbc driver against the emulator: what the proxy's Databricks backend relies on. */
@LiveServerTest
class EmulatorWithRealDriverTest {
    @TempDir
    static Path dir;
    static SelfSigned cert;
    static DatabricksEmulator emulator;

    @BeforeAll
    static void start() throws Exception {
        cert = SelfSigned.create(dir, "127.0.0.7");
        emulator = new DatabricksEmulator(cert.keystore(), cert.keystorePassword(), "wh1", "127.0.0.7", 443);
        emulator.allowClient("sp-acme", "s3cret");
        emulator.setUp("ATTACH ':memory:' AS acme_prod");
        emulator.setUp("CREATE SCHEMA acme_prod.sales");
        emulator.setUp("CREATE TABLE acme_prod.sales.orders AS SELECT i AS order_id, 'acme' AS tenant_tag,"
                + " CAST(i * 1.5 AS DECIMAL(12,2)) AS amount FROM range(1, 101) t(i)");
    }

    @AfterAll
    static void stop() throws Exception {
        emulator.close();
    }

    static String url(String secret) {
        String base = emulator.host() + ":" + emulator.port();
        return "jdbc:databricks://" + base + "/default;transportMode=http;ssl=1;"
                + "httpPath=/sql/1.0/warehouses/wh1;AuthMech=11;Auth_Flow=1;OAuth2ClientId=sp-acme;OAuth2Secret="
                + secret + ";UseThriftClient=0;EnableArrow=0;UserAgentEntry=akkio;EnableTelemetry=0;"
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
    void wrongSecretFails() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("wrong"), new Properties()).createStatement()
                .executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
    }
}

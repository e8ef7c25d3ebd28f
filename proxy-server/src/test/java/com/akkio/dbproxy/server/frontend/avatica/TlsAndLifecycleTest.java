package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.SelfSigned;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS from a keystore in the configuration, idle connection expiry, and resources given back on close. */
@LiveServerTest
class TlsAndLifecycleTest {
    private static ProxyConfig demo(Path dir, ProxyConfig.Tls tls, Duration idle) throws Exception {
        ProxyConfig cfg = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        ProxyConfig.Server s = cfg.server();
        return new ProxyConfig(cfg.source(), new ProxyConfig.Server(s.host(), 0, s.serialization(), tls,
                s.maxRequestBytes(), idle, s.maxConnectionsPerTenant(), -1, new ProxyConfig.Postgres(false, 0, 1)),
                new ProxyConfig.Audit(dir.resolve("audit.jsonl"), false, 64L << 20, 10), cfg.backends(), cfg.tenants());
    }

    private static Properties acme() {
        return DemoProxy.credentials("acme", "acme-secret");
    }


    @Test
    void servesHttpsWithTheConfiguredKeystore(@TempDir Path dir) throws Exception {
        SelfSigned cert = SelfSigned.create(dir);
        try (ProxyServer server = ProxyServer.start(demo(dir, new ProxyConfig.Tls(cert.keystore(),
                cert.keystorePassword()),
                Duration.ofMinutes(10)), 0)) {
            String url = "jdbc:akkio://127.0.0.1:" + server.port() + "?tls=true&truststore=" + cert.truststore()
                    + "&truststore_password=" + cert.truststorePassword();
            try (Connection c = SqlStates.connect(url, acme())) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
            // a client that does not trust the certificate is refused at the handshake
            assertThatThrownBy(() -> SqlStates.connect("jdbc:akkio://127.0.0.1:" + server.port()
                    + "?tls=true&timeout_ms=3000", acme())).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("08001"));
        }
    }

    @Test
    void idleConnectionsExpireAndClosingReturnsBackendConnections(@TempDir Path dir) throws Exception {
        try (ProxyServer server = ProxyServer.start(demo(dir, null, Duration.ofSeconds(1)), 0)) {
            String url = "jdbc:akkio://127.0.0.1:" + server.port();
            try (Connection c = SqlStates.connect(url, acme())) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
                assertThat(server.openConnections()).isEqualTo(1);
            }
            assertThat(server.openConnections()).isZero();
            Connection idle = SqlStates.connect(url, acme());
            assertThat(scalar(idle, "SELECT count(*) FROM orders")).isEqualTo(1000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(server.openConnections()).as("idle connection expired").isZero();
            assertThatThrownBy(() -> scalar(idle, "SELECT count(*) FROM orders")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("08003"));
            assertThat(server.activeBackendConnections()).isZero();
        }
    }
}

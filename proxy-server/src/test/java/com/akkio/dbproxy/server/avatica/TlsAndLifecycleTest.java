package com.akkio.dbproxy.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS from a keystore in the configuration, idle connection expiry, and resources given back on close. */
class TlsAndLifecycleTest {
    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    private static ProxyConfig demo(Path dir, ProxyConfig.Tls tls, Duration idle) throws Exception {
        ProxyConfig cfg = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        ProxyConfig.Server s = cfg.server();
        return new ProxyConfig(cfg.source(), new ProxyConfig.Server(s.host(), 0, s.serialization(), tls,
                s.maxRequestBytes(), idle, s.maxConnectionsPerTenant(), -1),
                new ProxyConfig.Audit(dir.resolve("audit.jsonl"), false, 64L << 20, 10), cfg.backends(), cfg.tenants());
    }

    private static Properties acme() {
        Properties p = new Properties();
        p.setProperty("user", "acme");
        p.setProperty("password", "acme-secret");
        return p;
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void servesHttpsWithTheConfiguredKeystore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "ks-pass",
                "-alias", "proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        keytool("-exportcert", "-keystore", keystore.toString(), "-storepass", "ks-pass", "-alias", "proxy",
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-keystore", truststore.toString(), "-storetype", "PKCS12",
                "-storepass", "trust-pass", "-alias", "proxy", "-file", cert.toString());
        try (ProxyServer server = ProxyServer.start(demo(dir, new ProxyConfig.Tls(keystore, "ks-pass"),
                Duration.ofMinutes(10)), 0)) {
            String url = "jdbc:akkio://127.0.0.1:" + server.port() + "?tls=true&truststore=" + truststore
                    + "&truststore_password=trust-pass";
            try (Connection c = DriverManager.getConnection(url, acme())) {
                assertThat(count(c)).isEqualTo(1000);
            }
            // a client that does not trust the certificate is refused at the handshake
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:akkio://127.0.0.1:" + server.port()
                    + "?tls=true&timeout_ms=3000", acme())).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("08001"));
        }
    }

    @Test
    void idleConnectionsExpireAndClosingReturnsBackendConnections(@TempDir Path dir) throws Exception {
        try (ProxyServer server = ProxyServer.start(demo(dir, null, Duration.ofSeconds(1)), 0)) {
            String url = "jdbc:akkio://127.0.0.1:" + server.port();
            try (Connection c = DriverManager.getConnection(url, acme())) {
                assertThat(count(c)).isEqualTo(1000);
                assertThat(server.openConnections()).isEqualTo(1);
            }
            assertThat(server.openConnections()).isZero();
            Connection idle = DriverManager.getConnection(url, acme());
            assertThat(count(idle)).isEqualTo(1000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(server.openConnections()).as("idle connection expired").isZero();
            assertThatThrownBy(() -> count(idle)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("08003"));
            assertThat(server.activeBackendConnections()).isZero();
        }
    }
}

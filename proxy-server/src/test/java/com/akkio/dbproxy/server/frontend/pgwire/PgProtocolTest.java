package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.SelfSigned;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What no well-behaved driver sends, and TLS: the front end fails closed, with an ErrorResponse, never a hang. */
@LiveServerTest
class PgProtocolTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    @Test
    void aMalformedStartupPacketIsAnsweredWith08P01AndClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.pgPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(1_000_000); // longer than any startup packet may be
            out.writeInt(196608);
            out.flush();
            PgRawClient.Reply r = read(s);
            assertThat(r.type()).isEqualTo('E');
            assertThat(r.sqlState()).isEqualTo("08P01");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static PgRawClient.Reply read(Socket s) throws Exception {
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        char type = (char) in.readUnsignedByte();
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        return new PgRawClient.Reply(type, body);
    }

    @Test
    void anyOtherMessageBeforeAuthenticationEndsTheConnection() throws Exception {
        try (PgRawClient c = new PgRawClient(proxy.pgPort())) {
            c.startup("acme");
            assertThat(c.read().type()).isEqualTo('R');
            c.send('Q', PgRawClient.cstrings("SELECT count(*) FROM orders"));
            PgRawClient.Reply r = c.read();
            assertThat(r.type()).isEqualTo('E');
            assertThat(r.sqlState()).isEqualTo("08P01");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anUnknownOrTruncatedMessageEndsTheSessionWith08P01() throws Exception {
        try (PgRawClient c = new PgRawClient(proxy.pgPort())) {
            c.login("acme", "acme-secret");
            c.send('Q', PgRawClient.cstrings("SELECT count(*) FROM orders"));
            assertThat(c.until('C').text()).startsWith("SELECT 1");
            assertThat(c.until('Z').type()).isEqualTo('Z');
            c.send('y', new byte[] {1, 2, 3});
            PgRawClient.Reply r = c.until('Z');
            assertThat(r.type()).isEqualTo('E');
            assertThat(r.sqlState()).isEqualTo("08P01");
            assertThat(c.closedByServer()).isTrue();
        }
        try (PgRawClient c = new PgRawClient(proxy.pgPort())) {
            c.login("acme", "acme-secret");
            c.send('B', new byte[] {0, 0, 0, 5}); // a Bind that ends inside its format codes
            PgRawClient.Reply r = c.until('Z');
            assertThat(r.type()).isEqualTo('E');
            assertThat(r.sqlState()).isEqualTo("08P01");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void afterAnErrorTheExtendedProtocolSkipsToSync() throws Exception {
        try (PgRawClient c = new PgRawClient(proxy.pgPort())) {
            c.login("acme", "acme-secret");
            c.send('P', concat(PgRawClient.cstrings("", "SELECT * FROM globex_prod.sales.orders"), new byte[2]));
            c.send('B', concat(PgRawClient.cstrings("", ""), new byte[6]));
            c.send('E', concat(PgRawClient.cstrings(""), new byte[4]));
            c.send('S', new byte[0]);
            PgRawClient.Reply error = c.read();
            assertThat(error.type()).isEqualTo('E');
            assertThat(error.sqlState()).isEqualTo("42501");
            PgRawClient.Reply ready = c.read();
            assertThat(ready.type()).as("nothing between the error and ReadyForQuery").isEqualTo('Z');
            assertThat(ready.body()).containsExactly('I');
            // and the session goes on
            c.send('Q', PgRawClient.cstrings("SELECT count(*) FROM orders"));
            assertThat(c.until('C').text()).startsWith("SELECT 1");
        }
    }

    @Test
    void aSessionKeepsABoundedNumberOfNamedStatements() throws Exception {
        try (PgRawClient c = new PgRawClient(proxy.pgPort())) {
            c.login("acme", "acme-secret");
            for (int i = 0; i <= NamedHandles.MAX; i++) {
                c.send('P', concat(PgRawClient.cstrings("s" + i, "BEGIN"), new byte[2]));
            }
            c.send('S', new byte[0]);
            PgRawClient.Reply r = c.until('Z');
            assertThat(r.type()).isEqualTo('E');
            assertThat(r.sqlState()).isEqualTo("53400");
            assertThat(r.text()).contains("TOO_MANY_PREPARED_STATEMENTS");
            c.send('C', concat(new byte[] {'S'}, PgRawClient.cstrings("s0")));
            c.send('P', concat(PgRawClient.cstrings("again", "BEGIN"), new byte[2]));
            c.send('S', new byte[0]);
            assertThat(c.until('Z').type()).as("room again after a Close").isEqualTo('Z');
        }
    }

    @Test
    void aCancelRequestWithTheWrongKeyIsIgnored() throws Exception {
        try (PgRawClient c = new PgRawClient(proxy.pgPort())) {
            c.login("acme", "acme-secret");
            try (Socket s = new Socket("127.0.0.1", proxy.pgPort())) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(16);
                out.writeInt(80877102);
                out.writeInt(c.pid);
                out.writeInt(c.key + 1);
                out.flush();
                assertThat(s.getInputStream().read()).isEqualTo(-1); // closed without an answer, as PostgreSQL does
            }
            c.send('Q', PgRawClient.cstrings("SELECT count(*) FROM range(3000000) a, range(10) b"));
            PgRawClient.Reply complete = c.until('C');
            assertThat(complete.type()).isEqualTo('C');
        }
    }

    @Test
    void aBatchWithADeniedStatementStopsThereAndTheConnectionGoesOn() throws Exception {
        try (Connection c = PgDemo.connect(proxy.get(), "acme", "acme-secret", ""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE main.akkio_out.pg_batch AS SELECT 0 AS x");
            s.addBatch("INSERT INTO main.akkio_out.pg_batch VALUES (1)");
            s.addBatch("INSERT INTO globex_prod.sales.orders (order_id) VALUES (2)");
            s.addBatch("INSERT INTO main.akkio_out.pg_batch VALUES (3)");
            assertThatThrownBy(s::executeBatch).isInstanceOfSatisfying(BatchUpdateException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM main.akkio_out.pg_batch WHERE x = 3")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("nothing after the denied statement ran").isZero();
            }
        }
    }

    @Test
    void overTlsATenantWithoutAScramVerifierMayUseItsPassword(@TempDir Path tmp) throws Exception {
        SelfSigned cert = SelfSigned.create(tmp);
        ProxyConfig demo = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        Map<String, ProxyConfig.Tenant> tenants = new LinkedHashMap<>();
        demo.tenants().forEach((name, t) -> tenants.put(name, new ProxyConfig.Tenant(name, t.secret(),
                name.equals("globex") ? null : t.scram(), t.backend(), t.policy(), t.limits(), t.policyFile())));
        ProxyConfig.Server s = demo.server();
        ProxyConfig config = new ProxyConfig(demo.source(), new ProxyConfig.Server(s.host(), 0, s.serialization(),
                new ProxyConfig.Tls(cert.keystore(), cert.keystorePassword()), s.maxRequestBytes(),
                s.idleConnectionTimeout(), s.maxConnectionsPerTenant(), -1, new ProxyConfig.Postgres(true, 0, 4)),
                new ProxyConfig.Audit(Files.createDirectories(tmp.resolve("logs")).resolve("audit.jsonl"), false,
                        1 << 20, 2), demo.backends(), tenants);
        try (ProxyServer server = ProxyServer.start(config, 0)) {
            String base = "jdbc:postgresql://127.0.0.1:" + server.postgresPort() + "/main?";
            Properties globex = DemoProxy.credentials("globex", "globex-secret");
            // TLS (the driver's NonValidatingFactory: the test certificate is self-signed), cleartext password
            try (Connection c = SqlStates.connect(base + "sslmode=require"
                    + "&sslfactory=org.postgresql.ssl.NonValidatingFactory", globex);
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(500);
            }
            // without TLS the password would travel in the clear: refused
            assertThatThrownBy(() -> SqlStates.connect(base + "sslmode=disable", globex))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
            // SCRAM works over TLS too
            try (Connection c = SqlStates.connect(base + "sslmode=require"
                    + "&sslfactory=org.postgresql.ssl.NonValidatingFactory", acme());
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1000);
            }
        }
    }

    /** The demo with other server-wide idle timeout and connection limit, both front ends on free ports. */
    private static ProxyConfig demoWith(Path tmp, java.time.Duration idle, int maxConnectionsPerTenant)
            throws Exception {
        ProxyConfig demo = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        ProxyConfig.Server s = demo.server();
        return new ProxyConfig(demo.source(), new ProxyConfig.Server(s.host(), 0, s.serialization(), null,
                s.maxRequestBytes(), idle, maxConnectionsPerTenant, -1, new ProxyConfig.Postgres(true, 0, 4)),
                new ProxyConfig.Audit(tmp.resolve("audit.jsonl"), false, 1 << 20, 2), demo.backends(), demo.tenants());
    }

    @Test
    void theConnectionLimitPerTenantCoversBothFrontEnds(@TempDir Path tmp) throws Exception {
        try (ProxyServer server = ProxyServer.start(demoWith(tmp, java.time.Duration.ofMinutes(5), 2), 0);
             Connection avatica = SqlStates.connect("jdbc:akkio://127.0.0.1:" + server.port(), acme());
             PgRawClient pg = new PgRawClient(server.postgresPort())) {
            pg.login("acme", "acme-secret");
            try (PgRawClient third = new PgRawClient(server.postgresPort())) {
                assertThatThrownBy(() -> third.login("acme", "acme-secret")).hasMessageContaining("53400")
                        .hasMessageContaining("max_connections_per_tenant");
            }
            assertThat(avatica.isValid(5)).isTrue();
        }
    }

    private static Properties acme() {
        return DemoProxy.credentials("acme", "acme-secret");
    }

    @Test
    void anIdleConnectionIsClosedWith57P05(@TempDir Path tmp) throws Exception {
        try (ProxyServer server = ProxyServer.start(demoWith(tmp, java.time.Duration.ofSeconds(1), 256), 0);
             PgRawClient c = new PgRawClient(server.postgresPort())) {
            c.login("acme", "acme-secret");
            PgRawClient.Reply r = c.until('Z'); // nothing comes until the timeout: then the FATAL error
            assertThat(r.type()).isEqualTo('E');
            assertThat(r.sqlState()).isEqualTo("57P05");
            assertThat(c.closedByServer()).isTrue();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.openConnections()).as("the governed connection was closed too").isZero();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

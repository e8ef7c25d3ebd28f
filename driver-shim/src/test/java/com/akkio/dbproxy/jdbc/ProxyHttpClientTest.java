package com.akkio.dbproxy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The driver's HTTP client against servers that are not the proxy, or not well: each answer becomes an
 * SQLException with a SQLState, and the retries Avatica's own client made forever (on 503) end at timeout_ms.
 */
class ProxyHttpClientTest {

    private static Properties login() {
        Properties p = new Properties();
        p.setProperty("user", "acme");
        p.setProperty("password", "s");
        return p;
    }

    /** A server answering every request with {@code status}; it records the User-Agent headers it saw. */
    private static HttpServer answering(int status, List<String> userAgents) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            userAgents.add(ex.getRequestHeaders().getFirst("User-Agent"));
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
        return server;
    }

    @Test
    void aRequestRefusedForWantOfCredentialsSaysSo() throws Exception {
        List<String> agents = new CopyOnWriteArrayList<>();
        HttpServer server = answering(401, agents);
        try {
            assertThatThrownBy(() -> new Driver().connect("jdbc:akkio://127.0.0.1:" + server.getAddress().getPort()
                    + "?application_name=Report%20Builder", login()))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("28000");
                        assertThat(e.getMessage()).startsWith("credentials missing or invalid")
                                .doesNotContain("HTTP/401");
                    });
            assertThat(agents).isNotEmpty().allSatisfy(a -> assertThat(a)
                    .isEqualTo("akkio-jdbc/" + ClientVersion.get() + " (Report Builder)"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aServerThatIsAlwaysUnavailableIsRetriedOnlyUntilTheTimeout() throws Exception {
        List<String> agents = new CopyOnWriteArrayList<>();
        HttpServer server = answering(503, agents);
        try {
            assertThatThrownBy(() -> new Driver().connect("jdbc:akkio://127.0.0.1:" + server.getAddress().getPort()
                    + "?timeout_ms=300", login()))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("08001");
                        assertThat(e.getMessage()).contains("HTTP/503").contains("300 ms (timeout_ms)");
                    });
            assertThat(agents).as("retried, then given up").hasSizeGreaterThan(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anotherHttpServiceIsAConnectionErrorNamingThePort() throws Exception {
        HttpServer server = answering(404, new CopyOnWriteArrayList<>());
        try {
            assertThatThrownBy(() -> new Driver().connect("jdbc:akkio://127.0.0.1:" + server.getAddress().getPort(),
                    login()))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("08001");
                        assertThat(e.getMessage()).contains("HTTP/404", "127.0.0.1:" + server.getAddress().getPort(),
                                "Avatica port");
                    });
        } finally {
            server.stop(0);
        }
    }
}

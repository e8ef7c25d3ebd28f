package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client jar's failures, each an SQLException with a SQLState and each in bounded time: a URL naming a port
 * that is not the proxy's Avatica endpoint (the PostgreSQL front end's; a port that accepts and never answers) once
 * hung for more than 10 minutes despite {@code timeout_ms}, a result read after the server stopped threw a
 * RuntimeException, a connection without credentials said "cannot reach ... HTTP/401". The {@link Timeout}s guard
 * against the old hang; they are bounds, not measurements.
 */
@LiveServerTest
class ClientFailureTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aUrlNamingThePostgresPortFailsWithinItsTimeoutAsAConnectionError() {
        SQLException e = catchThrowableOfType(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:akkio://127.0.0.1:" + proxy.get().pgPort() + "?timeout_ms=3000",
                DemoProxy.credentials("acme", "acme-secret")));
        assertThat(e.getSQLState()).isEqualTo("08001");
        assertThat(e.getMessage()).contains("127.0.0.1:" + proxy.get().pgPort());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPortThatAcceptsAndNeverAnswersFailsWithinItsTimeoutAsAConnectionError() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            SQLException e = catchThrowableOfType(SQLException.class, () -> DriverManager.getConnection(
                    "jdbc:akkio://127.0.0.1:" + silent.getLocalPort() + "?timeout_ms=2000",
                    DemoProxy.credentials("acme", "acme-secret")));
            assertThat(e.getSQLState()).isEqualTo("08001");
            assertThat(e.getMessage()).contains("127.0.0.1:" + silent.getLocalPort());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aConnectionWithoutCredentialsIsToldTheyAreMissing() {
        Properties onlyUser = new Properties();
        onlyUser.setProperty("user", "acme");
        for (Properties info : List.of(new Properties(), onlyUser)) {
            assertThatThrownBy(() -> DriverManager.getConnection(proxy.get().clientUrl(), info))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("28000");
                        assertThat(e.getMessage()).contains("credentials missing").contains("'user'")
                                .contains("'password'").doesNotContain("HTTP/401");
                    });
        }
        assertThatThrownBy(() -> DriverManager.getConnection(proxy.get().clientUrl(),
                DemoProxy.credentials("acme", "wrong-secret")))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void readingAResultAfterTheServerStoppedIsAConnectionErrorNotARuntimeException(@TempDir Path dir)
            throws Exception {
        DemoProxy own = DemoProxy.builder().unthrottled().start(dir);
        String url = own.clientUrl() + "?timeout_ms=3000";
        int port = own.server.port();
        Connection c = DriverManager.getConnection(url, DemoProxy.credentials("acme", "acme-secret"));
        Statement s = c.createStatement();
        s.setFetchSize(10);
        ResultSet rs = s.executeQuery("SELECT * FROM orders");
        assertThat(rs.next()).isTrue();
        own.close();
        SQLException e = catchThrowableOfType(SQLException.class, () -> {
            while (rs.next()) {
                // the first frame's rows, then the fetch of the next one fails
            }
        });
        assertThat(e.getSQLState()).startsWith("08");
        assertThat(e.getMessage()).contains("lost the connection to akkio-dbproxy at 127.0.0.1:" + port);
        SQLException next = catchThrowableOfType(SQLException.class, () -> s.executeQuery("SELECT 1"));
        assertThat(next.getSQLState()).startsWith("08");
    }

    @Test
    void theDriversOwnErrorsHaveASqlStateToo() throws Exception {
        Connection c = DriverManager.getConnection(proxy.get().clientUrl(),
                DemoProxy.credentials("acme", "acme-secret"));
        c.close();
        SQLException closed = catchThrowableOfType(SQLException.class, c::createStatement);
        assertThat(closed.getSQLState()).isNotNull().isNotEqualTo("00000");
        try (Connection open = DriverManager.getConnection(proxy.get().clientUrl(),
                DemoProxy.credentials("acme", "acme-secret"))) {
            SQLException unsupported = catchThrowableOfType(SQLException.class,
                    () -> open.createStatement().executeQuery("SELECT 1").getRef(1));
            assertThat(unsupported.getSQLState()).isNotNull().isNotEqualTo("00000");
        }
    }
}

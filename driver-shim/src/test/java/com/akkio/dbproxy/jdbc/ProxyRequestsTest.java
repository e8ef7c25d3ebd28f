package com.akkio.dbproxy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Properties;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

/** A refused cancel request comes back as the proxy's own SQLException: its SQLState, code and message. */
class ProxyRequestsTest {

    @Test
    void aRefusedCancelIsTheProxysErrorAndAnAcceptedOneIsQuiet() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/akkio/cancel", ex -> {
            boolean known = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    .equals("connection_id=c-1");
            byte[] body = ("{\"sql_state\":\"08003\",\"error_code\":3101,\"message\":\"UNKNOWN_HANDLE: no such"
                    + " connection for this tenant\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(known ? 204 : 404, known ? -1 : body.length);
            if (!known) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String url = "jdbc:akkio://127.0.0.1:" + server.getAddress().getPort();
            Properties login = new Properties();
            login.setProperty("user", "acme");
            login.setProperty("password", "s");
            new ProxyRequests(AkkioUrl.parse(url), login, "c-1").cancel();
            assertThatThrownBy(() -> new ProxyRequests(AkkioUrl.parse(url), login, "c-2").cancel())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("08003");
                        assertThat(e.getErrorCode()).isEqualTo(3101);
                        assertThat(e.getMessage()).startsWith("UNKNOWN_HANDLE: ");
                    });
        } finally {
            server.stop(0);
        }
    }
}

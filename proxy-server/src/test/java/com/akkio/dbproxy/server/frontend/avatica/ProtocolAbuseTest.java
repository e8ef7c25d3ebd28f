package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that does not follow the protocol, against a real server on 127.0.0.1: malformed, truncated and oversize
 * bodies, wrong content types, unknown handles, slow senders, connections that are never closed. Each gets a clear
 * error or is cut off, and a well-behaved client's queries keep succeeding throughout.
 */
@LiveServerTest
class ProtocolAbuseTest {
    private static final ProtobufTranslationImpl PROTOBUF = new ProtobufTranslationImpl();
    private static final String ACME_AUTH = "Basic "
            + Base64.getEncoder().encodeToString("acme:acme-secret".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    record Reply(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static Reply post(byte[] body, String contentType) throws IOException {
        return post(proxy.get(), body, contentType);
    }

    private static Reply post(DemoProxy proxy, byte[] body, String contentType) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + proxy.server.port()).openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(30_000);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Authorization", ACME_AUTH);
        if (contentType != null) {
            c.setRequestProperty("Content-Type", contentType);
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new Reply(status, in == null ? new byte[0] : in.readAllBytes());
    }

    /** Avatica clients read an error from a 500 carrying an ErrorResponse; anything else must at least be a 4xx. */
    private static void assertClearRefusal(Reply reply, String what) {
        assertThat(reply.status()).as("%s: HTTP status", what).isBetween(400, 599);
        if (reply.status() == 500 && reply.body().length > 0) {
            Service.Response r;
            try {
                r = PROTOBUF.parseResponse(reply.body());
            } catch (IOException e) {
                throw new AssertionError(what + ": a 500 that is not an Avatica error response", e);
            }
            assertThat(r).as(what).isInstanceOf(Service.ErrorResponse.class);
            Service.ErrorResponse error = (Service.ErrorResponse) r;
            assertThat(error.errorMessage).as(what).isNotBlank();
            assertRealSqlState(error, what);
            assertThat(String.join("\n", error.exceptions)).as("%s: no stack trace crosses to the client", what)
                    .doesNotContain("\tat ").doesNotContain("at org.");
        }
    }

    /** Avatica's own "unknown" error is 00000 and -1, which clients read as success: never sent. */
    private static void assertRealSqlState(Service.ErrorResponse error, String what) {
        assertThat(error.sqlState).as("%s: SQLState", what).matches("[0-9A-Z]{5}").isNotEqualTo("00000");
        assertThat(error.errorCode).as("%s: vendor code", what).isPositive();
    }

    private static byte[] prepareAndExecute(String sql) throws IOException {
        return PROTOBUF.serializeRequest(new Service.PrepareAndExecuteRequest(UUID.randomUUID().toString(), 1, sql,
                -1, 100));
    }

    /** Queries with the real driver in a loop while abuse goes on; {@link #close} returns what it saw. */
    static final class WellBehavedClient implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong queries = new AtomicLong();
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final Thread thread;

        WellBehavedClient() {
            thread = new Thread(() -> {
                try (Connection c = proxy.acme()) {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
                        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                        assertThat(ms).as("a well-behaved query waited %d ms", ms).isLessThan(10_000);
                        queries.incrementAndGet();
                        Thread.sleep(20);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "well-behaved");
            thread.start();
        }

        /** Fails unless every query succeeded and there were at least {@code minimum}. */
        void assertServed(long minimum) throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
            assertThat(thread.isAlive()).as("well-behaved client stuck").isFalse();
            assertThat(failures).as("well-behaved client's failures").isEmpty();
            assertThat(queries.get()).as("well-behaved queries during the abuse").isGreaterThanOrEqualTo(minimum);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
        }
    }

    @Test
    void malformedTruncatedAndMistypedBodiesGetClearErrors() throws Exception {
        try (WellBehavedClient client = new WellBehavedClient()) {
            Random random = new Random(7);
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] b = new byte[1 + random.nextInt(2048)];
                random.nextBytes(b);
                bodies.add(b);
            }
            byte[] valid = prepareAndExecute("SELECT * FROM orders");
            for (int cut = 0; cut < valid.length; cut++) {
                bodies.add(java.util.Arrays.copyOf(valid, cut)); // every truncation of a valid request
            }
            byte[] flipped = valid.clone();
            for (int i = 0; i < flipped.length; i += 3) {
                flipped[i] ^= (byte) 0x5a;
            }
            bodies.add(flipped);
            bodies.add("{\"request\":\"prepareAndExecute\",\"connectionId\":".getBytes(StandardCharsets.UTF_8));
            bodies.add("{\"request\":\"noSuchRequest\"}".getBytes(StandardCharsets.UTF_8));
            bodies.add("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".repeat(1000).getBytes(StandardCharsets.UTF_8));
            String[] types = {"application/octet-stream", "application/json", "text/plain; charset=utf-8",
                "multipart/form-data; boundary=x", null};
            int n = 0;
            for (byte[] body : bodies) {
                String type = types[n++ % types.length];
                assertClearRefusal(post(body, type), "body #" + n + " (" + body.length + " bytes, " + type + ")");
            }
            client.assertServed(1);
        }
        assertThat(scalar(proxy.acme(), "SELECT count(*) FROM orders")).isEqualTo(1000);
    }

    @Test
    void aJsonServerAnswersMalformedBodiesWithoutStackTraces(@TempDir Path own) throws Exception {
        try (DemoProxy json = DemoProxy.builder().unthrottled().serialization(ProxyConfig.Serialization.JSON)
                .start(own)) {
            // Avatica reads an unknown request name as its default request type, which names no connection
            Map<String, String> expected = Map.of("{\"request\":\"prepareAndExecute\",\"connectionId\":",
                    "MALFORMED_REQUEST", "[1,2,3]", "MALFORMED_REQUEST", "{\"request\":\"noSuchRequest\"}",
                    "UNKNOWN_HANDLE", "\u0000\u0001garbage", "MALFORMED_REQUEST");
            for (String body : expected.keySet()) {
                Reply reply = post(json, body.getBytes(StandardCharsets.UTF_8), "application/json");
                assertThat(reply.status()).as(body).isEqualTo(500);
                Service.Response r = org.apache.calcite.avatica.remote.JsonService.MAPPER.readValue(reply.body(),
                        Service.Response.class);
                assertThat(r).as(body).isInstanceOf(Service.ErrorResponse.class);
                assertRealSqlState((Service.ErrorResponse) r, body);
                assertThat(((Service.ErrorResponse) r).errorMessage).as(body).startsWith(expected.get(body) + ": ");
                assertThat(reply.text()).as(body).doesNotContain("\\tat ").doesNotContain("\tat ");
            }
        }
    }

    @Test
    void oversizeBodiesAreRefusedBeforeTheyAreRead() throws Exception {
        int limit = proxy.server().config().server().maxRequestBytes();
        Reply declared = post(new byte[limit + 1], "application/octet-stream");
        assertClearRefusal(declared, "declared oversize");
        Service.ErrorResponse error = (Service.ErrorResponse) PROTOBUF.parseResponse(declared.body());
        assertThat(error.sqlState).isEqualTo("54000");
        assertThat(error.errorMessage).contains("max_request_bytes");

        // sent chunked, without a length: cut off once it passes the limit
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + proxy.server().port()).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setChunkedStreamingMode(8192);
        c.setReadTimeout(30_000);
        c.setRequestProperty("Authorization", ACME_AUTH);
        try (OutputStream out = c.getOutputStream()) {
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent <= 4 * limit; sent += chunk.length) {
                out.write(chunk);
            }
        } catch (IOException serverStoppedReading) {
            // the server may close the connection while the body is still being sent
        }
        try {
            assertThat(c.getResponseCode()).isBetween(400, 599);
        } catch (IOException closed) {
            // equally a refusal: the connection was closed rather than the body buffered
        }
        assertThat(scalar(proxy.acme(), "SELECT count(*) FROM orders")).isEqualTo(1000);
    }

    @Test
    void unknownHandlesOnTheCallersOwnConnectionAreRefusedWith08003() throws Exception {
        Service acme = RawProtocolTest.as(proxy.get(), "acme", "acme-secret");
        String connection = UUID.randomUUID().toString();
        acme.apply(new Service.OpenConnectionRequest(connection, Map.of()));
        int unknown = Integer.MAX_VALUE - 7;
        for (Runnable request : List.<Runnable>of(
                () -> acme.apply(new Service.FetchRequest(connection, unknown, 0, 100)),
                () -> acme.apply(new Service.PrepareAndExecuteRequest(connection, unknown, "SELECT 1", -1)),
                () -> acme.apply(new Service.ExecuteRequest(new org.apache.calcite.avatica.Meta.StatementHandle(
                        connection, unknown, null), List.of(), 100)),
                () -> acme.apply(new Service.CloseStatementRequest(connection, unknown)))) {
            RawProtocolTest.assertRefused(request, "08003");
        }
        assertThat(acme.apply(new Service.PrepareAndExecuteRequest(connection,
                acme.apply(new Service.CreateStatementRequest(connection)).statementId,
                "SELECT count(*) FROM orders", -1)).results.get(0).firstFrame.rows).hasSize(1);
        acme.apply(new Service.CloseConnectionRequest(connection));
    }

    /**
     * Slowloris on headers: 300 connections (more than the server's 200 threads) each sending its request line and
     * headers a byte at a time. Jetty parses headers without a thread, so none is held and other clients are served.
     */
    @Test
    void clientsTricklingHeadersHoldNoServerThread() throws Exception {
        List<Socket> slow = openSlowSenders(300, false);
        try (WellBehavedClient client = new WellBehavedClient()) {
            trickle(slow, Duration.ofSeconds(8));
            client.assertServed(5);
        } finally {
            closeAll(slow);
        }
    }

    /**
     * Slowloris on bodies: 250 connections send complete headers, then their body a byte at a time. A thread reads
     * a body, so each would hold one of the 200 server threads for as long as the sender liked; the server's minimum
     * request data rate cuts them, and other clients are served meanwhile.
     */
    @Test
    void clientsTricklingBodiesAreCutOffAndOthersAreServed() throws Exception {
        List<Socket> slow = openSlowSenders(250, true);
        try (WellBehavedClient client = new WellBehavedClient()) {
            int open = trickle(slow, Duration.ofSeconds(20));
            assertThat(open).as("slow body senders still connected after 20 s").isZero();
            client.assertServed(5);
        } finally {
            closeAll(slow);
        }
    }

    private static List<Socket> openSlowSenders(int n, boolean completeHeaders) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket("127.0.0.1", proxy.server().port());
            s.setSoTimeout(1);
            String head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ACME_AUTH
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n";
            s.getOutputStream().write((completeHeaders ? head + "\r\n" : "POST / HTTP/1.1\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            sockets.add(s);
        }
        return sockets;
    }

    /**
     * Sends one byte on every socket every 500 ms for {@code duration} (header bytes or body bytes alike), and
     * returns how many the server has not closed by the end.
     */
    private static int trickle(List<Socket> sockets, Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        List<Socket> open = new ArrayList<>(sockets);
        while (System.nanoTime() < deadline) {
            for (Socket s : new ArrayList<>(open)) {
                if (closedByServer(s)) {
                    open.remove(s);
                    continue;
                }
                try {
                    s.getOutputStream().write('X');
                } catch (IOException e) {
                    open.remove(s);
                }
            }
            Thread.sleep(500);
        }
        return open.size();
    }

    /** True once the server has answered (a 408, say) or closed the connection. */
    private static boolean closedByServer(Socket s) {
        try {
            s.getInputStream().read(); // -1 (closed) or the first byte of a response: either way, answered
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a socket the server already dropped
            }
        }
    }

    @Test
    void connectionsNeverClosedAreCappedPerTenantAndExpire(@TempDir Path own) throws Exception {
        try (DemoProxy small = DemoProxy.builder().unthrottled().server(s -> new ProxyConfig.Server(s.host(), s.port(),
                s.serialization(), s.tls(), s.maxRequestBytes(), Duration.ofSeconds(2), 5, s.adminPort(), s.postgres()))
                .start(own)) {
            List<Connection> abandoned = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Connection c = small.acme();
                scalar(c, "SELECT 1");
                abandoned.add(c); // never closed
            }
            assertThatThrownBy(() -> scalar(small.acme(), "SELECT 1")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getMessage()).contains("max_connections_per_tenant"));
            // the cap is per tenant: globex is not locked out by acme's abandoned connections
            try (Connection globex = small.globex()) {
                assertThat(scalar(globex, "SELECT count(*) FROM orders")).isEqualTo(500);
            }
            // idle expiry frees the slots without anyone closing them
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (small.server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(small.server.openConnections()).isZero();
            assertThat(small.server.activeBackendConnections()).isZero();
            try (Connection again = small.acme()) {
                assertThat(scalar(again, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
        }
    }
}

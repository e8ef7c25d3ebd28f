package com.akkio.dbproxy.jdbc;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one connection asks of the proxy beside Avatica's protocol, on the proxy's own endpoints, with the
 * connection's credentials and id. {@code Statement.cancel()} and {@code setQueryTimeout}: Avatica's protocol has
 * neither, and its client cannot send anything while the connection waits for a statement's answer, so a cancel goes
 * to {@code POST /akkio/cancel} on a second HTTP connection; a query timeout is a cancel sent when the time is up, and
 * the statement then fails with {@link SQLTimeoutException} ({@code 57014}). {@code getPrimaryKeys}, which Avatica's
 * client answers with nothing without asking: {@code POST /akkio/primary-keys}.
 */
final class ProxyRequests {
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "akkio-jdbc-query-timeouts");
        t.setDaemon(true);
        return t;
    });
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String authorization;
    private final String connectionId;
    private final AkkioUrl url;
    private final String userAgent;
    private volatile HttpClient http;

    ProxyRequests(AkkioUrl url, Properties info, String connectionId) {
        this.url = url;
        this.userAgent = url.userAgent(info);
        this.base = (url.tls ? "https" : "http") + "://" + url.host + ":" + url.port;
        String user = info == null ? "" : info.getProperty("user", "");
        String password = info == null ? "" : info.getProperty("password", "");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.connectionId = connectionId;
    }

    /** Cancels what the connection runs now; nothing when it runs nothing. */
    void cancel() throws SQLException {
        post("/akkio/cancel", "the cancel request", "");
    }

    /** The rows of JDBC's getPrimaryKeys for a table, as the proxy answers them for the connection's tenant. */
    JsonNode primaryKeys(String catalog, String schema, String table) throws SQLException {
        return post("/akkio/primary-keys", "the primary keys request", field("catalog", catalog)
                + field("schema", schema) + field("table", table)).path("rows");
    }

    private static String field(String name, String value) {
        return value == null ? "" : "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Posts {@code fields} with the connection id; the JSON answer (empty for 204), or the proxy's error. */
    private JsonNode post(String path, String what, String fields) throws SQLException {
        HttpResponse<String> response;
        try {
            response = client().send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofMillis(url.timeoutMs))
                    .header("Authorization", authorization)
                    .header("User-Agent", userAgent)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("connection_id="
                            + URLEncoder.encode(connectionId, StandardCharsets.UTF_8) + fields)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new SQLException("cannot send " + what + " to akkio-dbproxy at " + url.host + ":" + url.port
                    + ": " + e.getMessage(), "08006", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while sending " + what, "57014", e);
        }
        JsonNode body;
        try {
            body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            body = JSON.createObjectNode();
        }
        if (response.statusCode() != 200 && response.statusCode() != 204) {
            throw new SQLException(body.path("message").asText(what + " refused (HTTP " + response.statusCode()
                    + ")"), body.path("sql_state").asText("HY000"), body.path("error_code").asInt(0));
        }
        return body;
    }

    /**
     * Runs {@code method} (an execute call) on {@code statement}, cancelling it after {@code timeoutSeconds}; a
     * statement cancelled so fails with {@link SQLTimeoutException}.
     */
    Object withTimeout(Object statement, Method method, Object[] args, int timeoutSeconds) throws Throwable {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> timer = TIMERS.schedule(() -> {
            fired.set(true);
            try {
                cancel();
            } catch (SQLException ignored) {
                // the statement finished meanwhile, or the proxy is gone: the call answers for itself
            }
        }, timeoutSeconds, TimeUnit.SECONDS);
        try {
            return method.invoke(statement, args);
        } catch (InvocationTargetException e) {
            if (fired.get() && e.getCause() instanceof SQLException sql && "57014".equals(sql.getSQLState())) {
                throw new InvocationTargetException(new SQLTimeoutException("QUERY_TIMEOUT: the statement ran longer"
                        + " than its query timeout (" + timeoutSeconds + " s, rule: Statement.setQueryTimeout) and was"
                        + " cancelled", "57014", sql.getErrorCode(), sql));
            }
            throw e;
        } finally {
            timer.cancel(false);
        }
    }

    private HttpClient client() throws java.io.IOException {
        HttpClient c = http;
        if (c == null) {
            HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(url.timeoutMs));
            if (url.tls && url.truststore != null) {
                builder.sslContext(trusting(Path.of(url.truststore), url.truststorePassword));
            }
            c = builder.build();
            http = c;
        }
        return c;
    }

    private static SSLContext trusting(Path truststore, String password) throws java.io.IOException {
        try (InputStream in = Files.newInputStream(truststore)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new java.io.IOException("cannot use trust store " + truststore + ": " + e.getMessage(), e);
        }
    }
}

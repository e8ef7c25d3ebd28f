package com.akkio.dbproxy.jdbc;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.remote.AvaticaCommonsHttpClientImpl;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Avatica's HTTP client with three changes. Avatica's retries a request for as long as the other side closes the
 * connection without an answer or answers 503, so a {@code jdbc:akkio://} URL naming another service's port (the
 * PostgreSQL front end's, say) hung for good; here those retries end at {@code timeout_ms} after the request began.
 * Its failures were bare {@code RuntimeException}s ("got HTTP/401", "Connection refused"), which reached callers of
 * {@code ResultSet.next()} unchecked; here each is an {@link AvaticaClientRuntimeException} with a SQLState, which
 * the driver turns into an {@code SQLException}: {@code 28000} for a request refused for want of credentials,
 * {@code 08001} while the connection is being opened, {@code 08006} once the proxy has answered. And every request
 * carries the driver's User-Agent ({@code akkio-jdbc/<version> (<application_name>)}), which the audit log records.
 *
 * <p>Avatica creates its HTTP client inside {@code connect} and gives it only the URL: the driver hands the
 * connection's settings over through {@link #OPENING}, set on the connecting thread for the duration of the call.
 */
public final class ProxyHttpClient extends AvaticaCommonsHttpClientImpl {
    /** The settings of the connection this thread is opening. */
    static final ThreadLocal<Settings> OPENING = new ThreadLocal<>();
    private static final long RETRY_PAUSE_MS = 100;

    /** What a connection's client needs: its user agent, its time bound, and the proxy's address for messages. */
    record Settings(String userAgent, int timeoutMs, String address) {
    }

    private final Settings settings;
    /** Whether the proxy has answered a request of this client: failures after that are of an open connection. */
    private volatile boolean answered;

    public ProxyHttpClient(URL url) {
        super(url);
        Settings opening = OPENING.get();
        this.settings = opening != null ? opening
                : new Settings("akkio-jdbc/" + ClientVersion.get(), 30_000, url.getHost() + ":" + url.getPort());
    }

    @Override
    public byte[] send(byte[] request) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
        while (true) {
            HttpPost post = new HttpPost(uri);
            post.setEntity(new ByteArrayEntity(request, ContentType.APPLICATION_OCTET_STREAM));
            post.setHeader(HttpHeaders.USER_AGENT, settings.userAgent());
            String unanswered;
            try {
                if (httpHost == null) {
                    httpHost = RoutingSupport.determineHost(post);
                }
                try (ClassicHttpResponse response = client.executeOpen(httpHost, post, context)) {
                    int status = response.getCode();
                    if (status == HttpURLConnection.HTTP_OK || status == HttpURLConnection.HTTP_INTERNAL_ERROR) {
                        userToken = context.getUserToken();
                        byte[] body = EntityUtils.toByteArray(response.getEntity());
                        answered = true;
                        return body;
                    }
                    if (status == HttpURLConnection.HTTP_UNAUTHORIZED) {
                        throw failure("28000", "credentials missing or invalid: akkio-dbproxy at "
                                + settings.address() + " requires the tenant as property 'user' and its secret as"
                                + " property 'password'");
                    }
                    if (status != HttpURLConnection.HTTP_UNAVAILABLE) {
                        throw failure(brokenState(), "akkio-dbproxy at " + settings.address() + " answered HTTP/"
                                + status + ": is this the proxy's Avatica port?");
                    }
                    unanswered = "answered HTTP/503 (unavailable)";
                }
            } catch (NoHttpResponseException e) {
                unanswered = "closed the connection without an answer";
            } catch (IOException | HttpException e) {
                throw failure(brokenState(), (answered ? "lost the connection to" : "cannot reach")
                        + " akkio-dbproxy at " + settings.address() + ": " + describe(e));
            }
            if (System.nanoTime() - deadline >= 0) {
                throw failure(brokenState(), "akkio-dbproxy at " + settings.address() + " " + unanswered
                        + " for " + settings.timeoutMs() + " ms (timeout_ms): is this the proxy's Avatica port?");
            }
            try {
                Thread.sleep(RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(brokenState(), "interrupted while waiting for akkio-dbproxy at " + settings.address());
            }
        }
    }

    /** 08001 before the proxy has ever answered (the connection could not be established), 08006 after. */
    private String brokenState() {
        return answered ? "08006" : "08001";
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static AvaticaClientRuntimeException failure(String sqlState, String message) {
        // the message also as the one "server" line, where the driver reads every error's own message (SqlExceptions)
        return new AvaticaClientRuntimeException(message, 0, sqlState, AvaticaSeverity.ERROR, List.of(message), null);
    }
}

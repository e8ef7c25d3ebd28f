package com.akkio.dbproxy.server.avatica;

import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.HttpServer;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Avatica's HTTP server bound to one interface (Avatica's own binds to all of them), with bounds on slow clients.
 * Jetty reads headers without a thread, but Avatica reads each body on a server thread (200 of them), and Jetty's
 * idle timeout restarts with every byte: a client sending its body a byte at a time held a thread for as long as
 * it liked, and 200 such clients starved everyone else (ProtocolAbuseTest).
 */
final class ProxyHttpServer extends HttpServer {
    /** No byte moving in either direction for this long closes the connection (Jetty's default, made explicit). */
    static final long IDLE_TIMEOUT_MS = 30_000;
    /**
     * A request body arriving slower than this is refused with 408. Far below any real client (a request is a few
     * hundred bytes; 1 MiB, the default max_request_bytes, takes 64 s at this rate), far above a byte-trickler.
     */
    static final int MIN_REQUEST_BYTES_PER_SECOND = 16 * 1024;

    private final String host;

    ProxyHttpServer(String host, int port, AvaticaHandler handler, SslContextFactory.Server tls) {
        super(port, handler, null, null, tls);
        this.host = host;
    }

    @Override
    protected ServerConnector getServerConnector() {
        ServerConnector connector = super.getServerConnector();
        connector.setHost(host);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        for (ConnectionFactory factory : connector.getConnectionFactories()) {
            if (factory instanceof HttpConnectionFactory http) {
                http.getHttpConfiguration().setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND);
            }
        }
        return connector;
    }
}

package com.akkio.dbproxy.server.frontend.avatica;

import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.HttpServer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Avatica's HTTP server bound to one interface (Avatica's own binds to all of them), with its idle timeout stated.
 * Slow request bodies are bounded by {@link RequestGate}: Jetty's own minimum data rate counts the time before a
 * thread starts reading, so it refused small requests of well-behaved clients on a busy server (HTTP 408).
 */
public final class ProxyHttpServer extends HttpServer {
    /** No byte moving in either direction for this long closes the connection (Jetty's default, made explicit). */
    static final long IDLE_TIMEOUT_MS = 30_000;

    private final String host;

    public ProxyHttpServer(String host, int port, AvaticaHandler handler, SslContextFactory.Server tls) {
        super(port, handler, null, null, tls);
        this.host = host;
    }

    @Override
    protected ServerConnector getServerConnector() {
        ServerConnector connector = super.getServerConnector();
        connector.setHost(host);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        return connector;
    }
}

package com.akkio.dbproxy.server.avatica;

import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.HttpServer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Avatica's HTTP server bound to one interface (Avatica's own binds to all of them). */
final class ProxyHttpServer extends HttpServer {
    private final String host;

    ProxyHttpServer(String host, int port, AvaticaHandler handler, SslContextFactory.Server tls) {
        super(port, handler, null, null, tls);
        this.host = host;
    }

    @Override
    protected ServerConnector getServerConnector() {
        ServerConnector connector = super.getServerConnector();
        connector.setHost(host);
        return connector;
    }
}

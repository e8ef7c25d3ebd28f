package com.akkio.dbproxy.jdbc;

import java.sql.Connection;

/**
 * One connection as the driver handed it out: its requests beside Avatica's protocol (cancel, primary keys), the URL and tenant it was opened with (for
 * {@code DatabaseMetaData}), and the wrapped connection itself, which metadata hands back instead of Avatica's.
 */
final class ClientSession implements ProxyMetaData.ProxySession {
    private final ProxyRequests requests;
    private final String url;
    private final String user;
    private volatile Connection connection;

    ClientSession(ProxyRequests requests, String url, String user) {
        this.requests = requests;
        this.url = url;
        this.user = user;
    }

    @Override
    public ProxyRequests requests() {
        return requests;
    }

    void opened(Connection wrapped) {
        this.connection = wrapped;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Connection connection() {
        return connection;
    }
}

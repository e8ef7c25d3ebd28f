package com.akkio.dbproxy.jdbc;

import java.sql.Connection;

/**
 * One connection as the driver handed it out: its cancel requests, the URL and tenant it was opened with (for
 * {@code DatabaseMetaData}), and the wrapped connection itself, which metadata hands back instead of Avatica's.
 */
final class ClientSession implements ProxyMetaData.ProxySession {
    private final ProxyCancels cancels;
    private final String url;
    private final String user;
    private volatile Connection connection;

    ClientSession(ProxyCancels cancels, String url, String user) {
        this.cancels = cancels;
        this.url = url;
        this.user = user;
    }

    ProxyCancels cancels() {
        return cancels;
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

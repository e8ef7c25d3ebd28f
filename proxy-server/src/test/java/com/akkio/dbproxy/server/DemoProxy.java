package com.akkio.dbproxy.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * The demo configuration served on a free port of 127.0.0.1 (and its PostgreSQL front end on another free port), with
 * its audit log in a given directory.
 */
public final class DemoProxy implements AutoCloseable {
    static final Path DEMO_CONFIG = Path.of("../conf/proxy.yaml");

    public final ProxyServer server;
    public final Path auditLog;

    /** The demo as configured. */
    public DemoProxy(Path dir) throws Exception {
        this(dir, limits -> limits);
    }

    /**
     * @param unthrottled lift the demo's rate limits (globex allows 5 queries/s), for tests about something else
     */
    public DemoProxy(Path dir, boolean unthrottled) throws Exception {
        this(dir, unthrottled ? DemoProxy::unthrottled : limits -> limits);
    }

    /** The demo with each tenant's limits replaced by {@code limits} applied to the configured ones. */
    public DemoProxy(Path dir, java.util.function.UnaryOperator<ProxyConfig.Limits> limits) throws Exception {
        this(dir, limits, pool -> pool);
    }

    /** The demo with changed tenant limits and backend pool settings. */
    public DemoProxy(Path dir, java.util.function.UnaryOperator<ProxyConfig.Limits> limits,
              java.util.function.UnaryOperator<ProxyConfig.Pool> pool) throws Exception {
        this(DEMO_CONFIG, dir, limits, pool);
    }

    /** Another configuration file (e.g. a copy of the demo with other policies), served the same way. */
    public DemoProxy(Path config, Path dir, java.util.function.UnaryOperator<ProxyConfig.Limits> limits,
                     java.util.function.UnaryOperator<ProxyConfig.Pool> pool) throws Exception {
        this(config, dir, limits, pool, server -> server);
    }

    /** Unthrottled, with changed server settings (connection caps, idle expiry, request size). */
    public static DemoProxy unthrottledWith(Path dir, java.util.function.UnaryOperator<ProxyConfig.Server> server)
            throws Exception {
        return new DemoProxy(DEMO_CONFIG, dir, DemoProxy::unthrottled, pool -> pool, server);
    }

    private DemoProxy(Path config, Path dir, java.util.function.UnaryOperator<ProxyConfig.Limits> limits,
                      java.util.function.UnaryOperator<ProxyConfig.Pool> pool,
                      java.util.function.UnaryOperator<ProxyConfig.Server> serverSettings) throws Exception {
        ProxyConfig cfg = ConfigLoader.load(config);
        auditLog = dir.resolve("audit.jsonl");
        java.util.Map<String, ProxyConfig.Tenant> tenants = new java.util.LinkedHashMap<>();
        for (ProxyConfig.Tenant t : cfg.tenants().values()) {
            tenants.put(t.name(), new ProxyConfig.Tenant(t.name(), t.secret(), t.scram(), t.backend(), t.policy(),
                    limits.apply(t.limits()), t.policyFile()));
        }
        ProxyConfig.Server s = cfg.server();
        ProxyConfig test = new ProxyConfig(cfg.source(), serverSettings.apply(new ProxyConfig.Server(s.host(), s.port(),
                s.serialization(), s.tls(), s.maxRequestBytes(), s.idleConnectionTimeout(), s.maxConnectionsPerTenant(),
                0, new ProxyConfig.Postgres(true, 0, s.postgres().workerThreads()))),
                new ProxyConfig.Audit(auditLog, false, 64L << 20, 10), backends(cfg, pool), tenants);
        server = ProxyServer.start(test, 0);
    }

    public static ProxyConfig.Limits unthrottled(ProxyConfig.Limits limits) {
        return new ProxyConfig.Limits(100_000, 100_000, 64, limits.queryTimeout());
    }

    private static java.util.Map<String, ProxyConfig.Backend> backends(ProxyConfig cfg,
                                                                   java.util.function.UnaryOperator<ProxyConfig.Pool> pool) {
        java.util.Map<String, ProxyConfig.Backend> out = new java.util.LinkedHashMap<>();
        cfg.backends().forEach((name, b) -> out.put(name, new ProxyConfig.Backend(b.name(), b.type(), b.dialect(),
                b.path(), b.seed(), pool.apply(b.pool()), b.databricks())));
        return out;
    }

    public String url() {
        return "jdbc:akkio://127.0.0.1:" + server.port();
    }

    /** The PostgreSQL front end's port. */
    public int pgPort() {
        return server.postgresPort();
    }

    /** A tenant's login as the client driver (and PostgreSQL's) takes it. */
    public static Properties credentials(String tenant, String secret) {
        Properties p = new Properties();
        p.setProperty("user", tenant);
        p.setProperty("password", secret);
        return p;
    }

    public Connection connect(String tenant, String secret) throws SQLException {
        return DriverManager.getConnection(url(), credentials(tenant, secret));
    }

    public Connection acme() throws SQLException {
        return connect("acme", "acme-secret");
    }

    public Connection globex() throws SQLException {
        return connect("globex", "globex-secret");
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}

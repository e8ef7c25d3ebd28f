package com.akkio.dbproxy.server;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * The demo configuration served on a free port of 127.0.0.1 (and its PostgreSQL and Flight SQL front ends and admin
 * endpoint on other free ports), with its audit log in a given directory. Started by a {@link #builder()}:
 * <pre>{@code
 * try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir)) { ... }
 * }</pre>
 * or, one server for a test class (or for each test), by a {@link DemoProxyExtension}.
 */
public final class DemoProxy implements AutoCloseable {
    static final Path DEMO_CONFIG = Path.of("../conf/proxy.yaml");

    public final ProxyServer server;
    public final Path auditLog;

    /** The log of refused logins, beside the audit log. */
    public Path refusalLog() {
        return ProxyConfig.Audit.unauthenticatedBeside(auditLog);
    }

    private DemoProxy(ProxyServer server, Path auditLog) {
        this.server = server;
        this.auditLog = auditLog;
    }

    /** The demo as configured in {@code conf/}; each call of the builder changes it further. */
    public static Builder builder() {
        return new Builder();
    }

    /** A configuration file written into the proxy's directory when it starts (e.g. a copy of conf/ with edits). */
    @FunctionalInterface
    public interface ConfigSource {
        /** @return the configuration file to serve */
        Path writeIn(Path dir) throws IOException;
    }

    /**
     * What to serve, and how it differs from the configuration: each change applies after the ones given before it.
     * A builder may start any number of proxies, each in its own directory.
     */
    public static final class Builder {
        private ConfigSource config = dir -> DEMO_CONFIG;
        private UnaryOperator<ProxyConfig.Limits> limits = UnaryOperator.identity();
        private UnaryOperator<ProxyConfig.Pool> pool = UnaryOperator.identity();
        private UnaryOperator<ProxyConfig.Server> server = UnaryOperator.identity();
        private ProxyConfig.Cluster cluster;
        private StartupWarmUp.Hook warmUpHook = StartupWarmUp.Hook.NONE;

        private Builder() {
        }

        /** Another configuration file (e.g. a copy of the demo with other policies), served the same way. */
        public Builder config(Path config) {
            this.config = dir -> config;
            return this;
        }

        /** A configuration file written into the proxy's directory as it starts, served the same way. */
        public Builder config(ConfigSource config) {
            this.config = config;
            return this;
        }

        /** Lifts the demo's rate limits (globex allows 5 queries/s), for tests about something else. */
        public Builder unthrottled() {
            return limits(DemoProxy::unthrottled);
        }

        /** Changes each tenant's limits (rate, concurrency cap, query timeout). */
        public Builder limits(UnaryOperator<ProxyConfig.Limits> change) {
            limits = then(limits, change);
            return this;
        }

        /** Changes each backend's pool settings. */
        public Builder pool(UnaryOperator<ProxyConfig.Pool> change) {
            pool = then(pool, change);
            return this;
        }

        /**
         * Changes the server settings (connection caps, idle expiry, request size, serialization). The settings given
         * to {@code change} are the configured ones with the PostgreSQL front end on and on port 0 and the admin
         * endpoint on port 0; the Avatica port is a free one whatever they say.
         */
        public Builder server(UnaryOperator<ProxyConfig.Server> change) {
            server = then(server, change);
            return this;
        }

        /** Speaks Avatica with {@code serialization} (the demo's is protobuf). */
        public Builder serialization(ProxyConfig.Serialization serialization) {
            return server(s -> new ProxyConfig.Server(s.host(), s.port(), serialization, s.tls(), s.maxRequestBytes(),
                    s.idleConnectionTimeout(), s.maxConnectionsPerTenant(), s.adminPort(), s.postgres())
                    .withFlight(s.flight()));
        }

        /**
         * With the warm-up at start (off in tests unless asked for, since tests start many proxies), bounded by
         * {@code maxSeconds}; {@code hook} runs at its end, before {@code /ready} says so.
         */
        public Builder warmUp(int maxSeconds, StartupWarmUp.Hook hook) {
            this.warmUpHook = hook;
            return server(s -> s.withWarmUp(ProxyConfig.WarmUp.bounded(maxSeconds)));
        }

        /** One replica of a cluster whose limits are shared through Redis. */
        public Builder cluster(ProxyConfig.Cluster cluster) {
            this.cluster = cluster;
            return this;
        }

        /** Starts the proxy, its audit log {@code audit.jsonl} in {@code dir}. */
        public DemoProxy start(Path dir) throws Exception {
            ProxyConfig cfg = ConfigLoader.load(config.writeIn(dir));
            Path auditLog = dir.resolve("audit.jsonl");
            Map<String, ProxyConfig.Tenant> tenants = new LinkedHashMap<>();
            for (ProxyConfig.Tenant t : cfg.tenants().values()) {
                tenants.put(t.name(), new ProxyConfig.Tenant(t.name(), t.secret(), t.scram(), t.backend(), t.policy(),
                        limits.apply(t.limits()), t.policyFile()));
            }
            ProxyConfig.Server s = cfg.server();
            ProxyConfig.Server demo = new ProxyConfig.Server(s.host(), s.port(), s.serialization(), s.tls(),
                    s.maxRequestBytes(), s.idleConnectionTimeout(), s.maxConnectionsPerTenant(), 0,
                    new ProxyConfig.Postgres(true, 0, s.postgres().workerThreads()));
            ProxyConfig.Server changed = server.apply(demo.withFlight(new ProxyConfig.Flight(true, 0,
                    s.flight().tokenTtl(), s.flight().streamMemoryBytes(), s.flight().tenantMemoryBytes())));
            ProxyConfig test = new ProxyConfig(cfg.source(), changed,
                    new ProxyConfig.Audit(auditLog, false, 64L << 20, 10), backends(cfg, pool), tenants,
                    cluster != null ? cluster : cfg.cluster());
            return new DemoProxy(ProxyServer.start(test, 0, warmUpHook), auditLog);
        }

        private static <T> UnaryOperator<T> then(UnaryOperator<T> first, UnaryOperator<T> next) {
            return value -> next.apply(first.apply(value));
        }
    }

    public static ProxyConfig.Limits unthrottled(ProxyConfig.Limits limits) {
        return new ProxyConfig.Limits(100_000, 100_000, 64, limits.queryTimeout(), 64, limits.writeQuota());
    }

    private static Map<String, ProxyConfig.Backend> backends(ProxyConfig cfg, UnaryOperator<ProxyConfig.Pool> pool) {
        Map<String, ProxyConfig.Backend> out = new LinkedHashMap<>();
        cfg.backends().forEach((name, b) -> out.put(name, new ProxyConfig.Backend(b.name(), b.type(), b.dialect(),
                b.path(), b.seed(), pool.apply(b.pool()), b.databricks(), b.duckdb())));
        return out;
    }

    public String url() {
        return "jdbc:akkio://127.0.0.1:" + server.port();
    }

    /** The client driver's URL for this server, with the URL parameter its serialization needs. */
    public String clientUrl() {
        return url() + (server.config().server().serialization() == ProxyConfig.Serialization.JSON
                ? "?serialization=json" : "");
    }

    /** The PostgreSQL front end's port. */
    public int pgPort() {
        return server.postgresPort();
    }

    /** The Flight SQL front end's port. */
    public int flightPort() {
        return server.flightPort();
    }

    /** A tenant's login as the client driver (and PostgreSQL's) takes it. */
    public static Properties credentials(String tenant, String secret) {
        Properties p = new Properties();
        p.setProperty("user", tenant);
        p.setProperty("password", secret);
        return p;
    }

    public Connection connect(String tenant, String secret) throws SQLException {
        return SqlStates.connect(clientUrl(), credentials(tenant, secret));
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

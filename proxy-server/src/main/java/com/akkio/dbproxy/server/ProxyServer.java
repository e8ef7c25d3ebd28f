package com.akkio.dbproxy.server;

import java.io.Closeable;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.admin.AdminServer;
import com.akkio.dbproxy.server.admin.MemoryMetrics;
import com.akkio.dbproxy.server.admin.ProxyMetrics;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.audit.RefusalRecords;
import com.akkio.dbproxy.server.backend.Backend;
import com.akkio.dbproxy.server.backend.BackendMeta;
import com.akkio.dbproxy.server.backend.databricks.SecretExpiry;
import com.akkio.dbproxy.server.config.ConfigException;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ListenException;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.frontend.avatica.AvaticaMeta;
import com.akkio.dbproxy.server.frontend.avatica.AvaticaValues;
import com.akkio.dbproxy.server.frontend.avatica.ProxyHttpServer;
import com.akkio.dbproxy.server.frontend.avatica.RequestGate;
import com.akkio.dbproxy.server.frontend.avatica.TenantAuthenticator;
import com.akkio.dbproxy.server.frontend.flight.ArrowMemory;
import com.akkio.dbproxy.server.frontend.flight.FlightSqlServer;
import com.akkio.dbproxy.server.frontend.pgwire.PgServer;
import com.akkio.dbproxy.server.governed.BackendColumns;
import com.akkio.dbproxy.server.governed.Gateway;
import com.akkio.dbproxy.server.governed.Logins;
import com.akkio.dbproxy.server.governed.PeerReplicas;
import com.akkio.dbproxy.server.governed.TenantRuntime;
import com.akkio.dbproxy.server.limits.LimitStore;
import com.akkio.dbproxy.server.limits.LoginThrottle;
import com.akkio.dbproxy.server.limits.SharedLimits;
import com.akkio.dbproxy.server.warmup.WarmUpState;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.AvaticaHandler;
import org.apache.calcite.avatica.server.AvaticaJsonHandler;
import org.apache.calcite.avatica.server.AvaticaProtobufHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running proxy: backends and their pools, the governed Meta, the audit log and the HTTP endpoint. */
public final class ProxyServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    /** How long refused logins of one address are counted before their aggregate record is written. */
    private static final long REFUSAL_INTERVAL_SECONDS = 10;
    /** How often a replica tells the others (through Redis) that it is alive and how many connections it holds. */
    private static final long HEARTBEAT_MS = 2_000;
    private static final String RELOAD_TOPIC = "reload";

    private volatile ProxyConfig config;
    private final Map<String, Backend> backends;
    private final Map<String, TenantRuntime> tenants;
    private final AuditLog audit;
    private final RefusalRecords refusals;
    private final ProxyMetrics metrics;
    private final TenantAuthenticator auth;
    private final Gateway gateway;
    private final ProxyHttpServer http;
    private final ScheduledExecutorService housekeeping;
    /** The PostgreSQL front end, or null when {@code server.postgres.enabled} is false; set once in {@link #start}. */
    private PgServer postgres;
    /** The Flight SQL front end, or null when {@code server.flight.enabled} is false; set once in {@link #start}. */
    private FlightSqlServer flight;
    /** Set once in {@link #start}, after construction, since it serves this server's {@link #reload}. */
    private AdminServer admin;
    /** Limits shared with the other replicas through Redis, or null on a single node; set once in {@link #start}. */
    private SharedLimits shared;
    /** Where the warm-up at start stands ({@code /ready} waits for it); set before the admin endpoint listens. */
    private volatile WarmUpState warmUpState = WarmUpState.off();
    /** The warm-up at start while it may run, or null; set once in {@link #start}. */
    private volatile StartupWarmUp warmUp;
    /** "" for the proxy, a prefix for the log lines of the warm-up's private copy. */
    private String role = "";

    private ProxyServer(ProxyConfig config, Map<String, Backend> backends, Map<String, TenantRuntime> tenants,
                        AuditLog audit, RefusalRecords refusals, ProxyMetrics metrics, TenantAuthenticator auth,
                        Gateway gateway, ProxyHttpServer http, ScheduledExecutorService housekeeping) {
        this.config = config;
        this.backends = backends;
        this.tenants = tenants;
        this.audit = audit;
        this.refusals = refusals;
        this.metrics = metrics;
        this.auth = auth;
        this.gateway = gateway;
        this.http = http;
        this.housekeeping = housekeeping;
    }

    /**
     * Opens the backends, the audit log and the endpoint; {@code port} overrides the configured one if not null. With
     * {@code server.warmup} enabled, the warm-up then runs in the background and {@code /ready} waits for it.
     */
    public static ProxyServer start(ProxyConfig config, Integer port) throws IOException, SQLException {
        return start(config, port, StartupWarmUp.Hook.NONE);
    }

    /** The same, {@code hook} running at the end of the warm-up (tests hold or break it there). */
    static ProxyServer start(ProxyConfig config, Integer port, StartupWarmUp.Hook hook)
            throws IOException, SQLException {
        // not ready from the first answer of /ready on, so that no probe sees a proxy that has not warmed up yet
        WarmUpState state = config.server().warmUp().enabled()
                ? WarmUpState.running(config.server().warmUp().seconds(), config.server().warmUp().maxSeconds())
                : WarmUpState.off();
        // the warm-up starts its private copy while this server opens: the two share little but the class loading
        // and DuckDB's native library, and neither waits for the other (start to ready is the longer of the two
        // starts plus the workload, not their sum)
        StartupWarmUp warmUp = null;
        if (config.server().warmUp().enabled()) {
            warmUp = new StartupWarmUp(config.server(), state, hook);
            Thread t = new Thread(warmUp, "akkio-warmup");
            t.setDaemon(true);
            LOG.info("warming up for {} s, or up to {} s on a host whose other work starves it (server.warmup),"
                    + " before /ready says so", config.server().warmUp().seconds(),
                    config.server().warmUp().maxSeconds());
            t.start();
        }
        try {
            ProxyServer server = open(config, port, "", state);
            server.warmUp = warmUp;
            return server;
        } catch (IOException | SQLException | RuntimeException e) {
            if (warmUp != null) {
                warmUp.close();
            }
            throw e;
        }
    }

    /** The warm-up's private copy: no warm-up of its own, its log lines marked. */
    static ProxyServer startCopy(ProxyConfig config) throws IOException, SQLException {
        return open(config, null, "warm-up copy: ", WarmUpState.off());
    }

    private static ProxyServer open(ProxyConfig config, Integer port, String role, WarmUpState warmUpState)
            throws IOException, SQLException {
        Map<String, Backend> backends = new LinkedHashMap<>();
        AuditLog audit = null;
        RefusalRecords refusals = null;
        ProxyServer server = null;
        SharedLimits shared = null;
        try {
            ProxyMetrics metrics = new ProxyMetrics();
            MemoryMetrics.bindJvm(metrics.registry());
            ProxyConfig.Cluster cluster = config.cluster();
            if (cluster.shared()) {
                shared = new SharedLimits(cluster, config.server().failedLogins());
                metrics.sharedLimits(shared, SharedLimits::up, SharedLimits::fallbacks);
            }
            LimitStore limitStore = shared != null ? shared : LimitStore.LOCAL;
            long idleSeconds = config.server().idleConnectionTimeout().toSeconds();
            for (ProxyConfig.Backend b : config.backends().values()) {
                backends.put(b.name(), Backends.open(b));
                SecretExpiry.watch(b, metrics.registry(), java.time.Clock.systemUTC());
            }
            Map<String, TenantRuntime> tenants = new java.util.concurrent.ConcurrentHashMap<>();
            for (ProxyConfig.Tenant t : config.tenants().values()) {
                try {
                    tenants.put(t.name(), runtime(t, backends, metrics, idleSeconds, limitStore));
                } catch (ConfigException e) {
                    throw new com.akkio.dbproxy.server.config.StartupException(e.getMessage(), e);
                }
            }
            audit = new AuditLog(config.audit().path(), config.audit().maxBytes(), config.audit().keepFiles(),
                    cluster.replicaId());
            for (Backend b : backends.values()) {
                b.onWarehouseStart(new WarehouseStartRecords(audit, metrics));
            }
            Gateway gateway = new Gateway(tenants, audit, metrics, config.audit().rawSql(),
                    config.server().maxConnectionsPerTenant(), idleSeconds);
            if (shared != null) {
                SharedLimits peers = shared;
                gateway.peers(new PeerReplicas() {
                    @Override
                    public boolean present() {
                        return true;
                    }

                    @Override
                    public void announce(String topic, String payload) {
                        peers.announce(topic, payload);
                    }

                    @Override
                    public void listen(String topic, java.util.function.Consumer<String> handler) {
                        peers.listen(topic, handler);
                    }
                });
            }
            refusals = new RefusalRecords(new AuditLog(config.audit().unauthenticatedPath(),
                    config.audit().maxBytes(), config.audit().keepFiles(), cluster.replicaId()));
            RefusalRecords refusalRecords = refusals;
            Logins logins = new Logins(shared != null ? shared.logins()
                    : new LoginThrottle(config.server().failedLogins()),
                    (tenant, address, userAgent, code, reason) -> {
                        metrics.authenticationFailure();
                        refusalRecords.refused(tenant, address, userAgent, code);
                    });
            TenantAuthenticator auth = new TenantAuthenticator(config.tenants(), logins);
            LocalService service = new LocalService(new AvaticaMeta(gateway));
            AvaticaValues.carryNonFiniteNumbersInJson();
            AvaticaHandler handler = config.server().serialization() == ProxyConfig.Serialization.JSON
                    ? new AvaticaJsonHandler(service, NoopMetricsSystem.getInstance(), auth)
                    : new AvaticaProtobufHandler(service, NoopMetricsSystem.getInstance(), auth);
            int listenPort = port != null ? port : config.server().port();
            ProxyHttpServer http = new ProxyHttpServer(config.server().host(), listenPort,
                    new RequestGate(handler, config.server().maxRequestBytes(),
                            config.server().serialization() == ProxyConfig.Serialization.JSON, auth, gateway),
                    tls(config.server().tls()));
            try {
                http.start();
            } catch (RuntimeException e) {
                throw new ListenException(config.server().host(), listenPort, "server.port", e);
            }
            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "akkio-housekeeping");
                t.setDaemon(true);
                return t;
            });
            long periodMs = Math.max(250, Math.min(30_000, idleSeconds * 1000 / 4));
            housekeeping.scheduleWithFixedDelay(gateway::expireIdle, periodMs, periodMs, TimeUnit.MILLISECONDS);
            housekeeping.scheduleWithFixedDelay(refusals::flush, REFUSAL_INTERVAL_SECONDS, REFUSAL_INTERVAL_SECONDS,
                    TimeUnit.SECONDS);
            if (shared != null) {
                housekeeping.scheduleWithFixedDelay(shared::heartbeat, 0, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
            }
            server = new ProxyServer(config, backends, tenants, audit, refusals, metrics, auth, gateway, http,
                    housekeeping);
            server.shared = shared;
            server.role = role;
            server.warmUpState = warmUpState;
            ProxyServer self = server;
            if (shared != null) {
                ProxyServer s = server;
                shared.listen(RELOAD_TOPIC, payload -> housekeeping.execute(s::reloadForPeer));
            }
            if (config.server().postgres().enabled()) {
                try {
                    server.postgres = PgServer.start(config.server(), config.tenants(), gateway, logins);
                } catch (java.security.GeneralSecurityException e) {
                    throw new IOException("server.tls: cannot use the keystore for the PostgreSQL front end: "
                            + e.getMessage(), e);
                }
            }
            if (config.server().flight().enabled()) {
                try {
                    server.flight = FlightSqlServer.start(config.server(), config.tenants(), gateway, logins);
                    ArrowMemory arrow = server.flight.memory();
                    MemoryMetrics.bindArrow(metrics.registry(), arrow::allocatedBytes, arrow::peakBytes);
                } catch (java.security.GeneralSecurityException e) {
                    throw new IOException("server.tls: cannot use the keystore for the Flight SQL front end: "
                            + e.getMessage(), e);
                } catch (IOException e) {
                    throw new ListenException(config.server().host(), config.server().flight().port(),
                            "server.flight.port", e);
                }
            }
            if (config.server().adminPort() >= 0) {
                server.admin = new AdminServer(config.server().admin().host(), config.server().adminPort(),
                        config.server().admin().token(), metrics,
                        readiness(backends, config, shared, () -> self.warmUpState), server::reload);
            }
            LOG.info("{}listening on {}://{}:{} ({} serialization, {} tenants, {} backends){}", role,
                    config.server().tls() == null ? "http" : "https", config.server().host(), http.getPort(),
                    config.server().serialization().name().toLowerCase(java.util.Locale.ROOT), tenants.size(),
                    backends.size(), server.admin == null ? "" : "; admin on port " + server.admin.port());
            return server;
        } catch (IOException | SQLException | RuntimeException e) {
            if (server != null) {
                server.close();
                throw e;
            }
            for (Backend b : backends.values()) {
                b.close();
            }
            if (audit != null) {
                audit.close();
            }
            if (refusals != null) {
                refusals.close();
            }
            if (shared != null) {
                shared.close();
            }
            throw e;
        }
    }

    /** The limits this replica shares with others through Redis, or null on a single node. */
    public SharedLimits sharedLimits() {
        return shared;
    }

    private static TenantRuntime runtime(ProxyConfig.Tenant t, Map<String, Backend> backends, ProxyMetrics metrics,
                                         long idleSeconds, LimitStore limits) throws SQLException, ConfigException {
        Backend backend = backends.get(t.backend());
        javax.sql.DataSource pool = backend.poolFor(t.name(), t.policy().defaultCatalog(),
                t.policy().defaultSchema(), metrics.registry());
        TenantRuntime runtime = new TenantRuntime(t, new BackendMeta(backend, pool, idleSeconds), limits);
        BackendColumns columns = new BackendColumns(backend.borrowing(pool));
        columns.check(t.policy(), t.policyFile());
        runtime.useColumns(columns);
        metrics.openConnections(t.name(), runtime.connections::get);
        metrics.backendPlans(t.name(), runtime.meta.plans().kept(), runtime.meta.plans().planned());
        return runtime;
    }

    private static AdminServer.ReadinessCheck readiness(Map<String, Backend> backends, ProxyConfig config,
                                                        SharedLimits shared,
                                                        java.util.function.Supplier<WarmUpState> warmUp) {
        return new AdminServer.ReadinessCheck() {
            @Override
            public Map<String, String> problems() {
                Map<String, String> problems = readiness(backends, config);
                String warming = warmUp.get().problem();
                if (warming != null) {
                    problems.put("warm_up", warming);
                }
                return problems;
            }

            @Override
            public Map<String, String> warnings() {
                Map<String, String> warnings = new LinkedHashMap<>();
                if (shared != null && !shared.up()) {
                    warnings.put("cluster", "Redis does not answer: this replica enforces 1/"
                            + config.cluster().replicas() + " of each tenant limit alone");
                }
                String warmUpWarning = warmUp.get().warning();
                if (warmUpWarning != null) {
                    warnings.put("warm_up", warmUpWarning);
                }
                return warnings;
            }

            @Override
            public Map<String, Object> details() {
                return Map.of("warm_up", warmUp.get().summary());
            }
        };
    }

    /** Where the warm-up at start stands (off when none is configured). */
    public WarmUpState warmUpState() {
        return warmUpState;
    }

    private static Map<String, String> readiness(Map<String, Backend> backends, ProxyConfig config) {
        Map<String, String> problems = new LinkedHashMap<>();
        for (Backend b : backends.values()) {
            Long days = SecretExpiry.daysLeft(config.backends().get(b.name()), java.time.Clock.systemUTC());
            String problem = days != null && days < 0 ? "client secret expired " + -days + " days ago" : b.problem();
            if (problem != null) {
                problems.put(b.name(), problem);
            }
        }
        return problems;
    }

    /**
     * Re-reads the configuration file and applies changed tenants and policies without a restart. A file that does
     * not load is refused and the running configuration stays; so is a change of backends, which needs a restart.
     */
    public String reload() throws ConfigException, SQLException {
        String summary = reloadHere();
        if (shared != null) {
            shared.announce(RELOAD_TOPIC, "-");
        }
        return summary;
    }

    /** Another replica reloaded: this one re-reads its own copy of the files (every replica is given the same). */
    private void reloadForPeer() {
        try {
            LOG.info("another replica reloaded its configuration; reloading");
            reloadHere();
        } catch (ConfigException | SQLException | RuntimeException e) {
            LOG.error("reload announced by another replica refused here; the running configuration stays: {}",
                    e.getMessage());
        }
    }

    private synchronized String reloadHere() throws ConfigException, SQLException {
        ProxyConfig fresh = ConfigLoader.load(config.source());
        if (!fresh.backends().equals(config.backends())) {
            throw new ConfigException("backends changed; restart the proxy to apply backend changes");
        }
        if (!fresh.cluster().equals(config.cluster())) {
            throw new ConfigException("cluster changed; restart the proxy to apply cluster changes");
        }
        List<String> added = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        long idleSeconds = fresh.server().idleConnectionTimeout().toSeconds();
        for (ProxyConfig.Tenant t : fresh.tenants().values()) {
            TenantRuntime existing = tenants.get(t.name());
            if (existing != null && existing.columns() != null) {
                existing.columns().check(t.policy(), t.policyFile()); // before anything changes
            }
        }
        for (ProxyConfig.Tenant t : fresh.tenants().values()) {
            TenantRuntime existing = tenants.get(t.name());
            if (existing == null) {
                tenants.put(t.name(), runtime(t, backends, metrics, idleSeconds,
                        shared != null ? shared : LimitStore.LOCAL));
                added.add(t.name());
            } else if (!existing.config().backend().equals(t.backend())) {
                throw new ConfigException("tenant '" + t.name() + "' moved to another backend; restart to apply");
            } else {
                existing.update(t);
                updated.add(t.name());
            }
        }
        for (TenantRuntime r : new ArrayList<>(tenants.values())) {
            if (!fresh.tenants().containsKey(r.name())) {
                r.retire();
                tenants.remove(r.name());
                removed.add(r.name());
            }
        }
        gateway.tenants(tenants);
        auth.tenants(fresh.tenants());
        if (postgres != null) {
            postgres.tenants(fresh.tenants());
        }
        if (flight != null) {
            flight.tenants(fresh.tenants());
            removed.forEach(flight::logout);
        }
        removed.forEach(gateway::closeTenant);
        config = fresh;
        String summary = "added " + added + ", updated " + updated + ", removed " + removed;
        LOG.info("configuration reloaded: {}", summary);
        return summary;
    }

    private static SslContextFactory.Server tls(ProxyConfig.Tls tls) {
        if (tls == null) {
            return null;
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStorePath(tls.keystore().toString());
        factory.setKeyStorePassword(tls.keystorePassword());
        factory.setKeyStoreType(tls.keystore().toString().endsWith(".jks") ? "JKS" : "PKCS12");
        return factory;
    }

    public int port() {
        return http.getPort();
    }

    public ProxyConfig config() {
        return config;
    }

    /** Client connections open on either front end (each holds a governed connection). */
    public int openConnections() {
        return gateway.openConnections();
    }

    /** Backend connections currently lent out by the pools. */
    public int activeBackendConnections() {
        int active = 0;
        for (Backend b : backends.values()) {
            active += b.activeConnections();
        }
        return active;
    }

    /** The PostgreSQL front end's port, or -1 when it is disabled. */
    public int postgresPort() {
        return postgres == null ? -1 : postgres.port();
    }

    /** The Flight SQL front end's port, or -1 when it is disabled. */
    public int flightPort() {
        return flight == null ? -1 : flight.port();
    }

    /** What the Flight SQL front end's Arrow allocator holds, or null when the front end is disabled. */
    public ArrowMemory flightMemory() {
        return flight == null ? null : flight.memory();
    }

    /** The admin endpoint's port, or -1 when it is disabled. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Stops accepting requests, closes client connections, then the pools and the audit log. */
    @Override
    public void close() throws IOException {
        LOG.info("{}shutting down", role);
        if (warmUp != null) {
            warmUp.close();
        }
        housekeeping.shutdownNow();
        if (admin != null) {
            admin.close();
        }
        try {
            http.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the HTTP endpoint failed", e);
        }
        if (postgres != null) {
            postgres.close();
        }
        if (flight != null) {
            flight.close();
        }
        gateway.closeAll();
        for (Backend b : backends.values()) {
            b.close();
        }
        audit.close();
        refusals.close();
        if (shared != null) {
            shared.close();
        }
        LOG.info("{}stopped", role);
    }
}

package com.akkio.dbproxy.server.avatica;

import java.io.Closeable;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.audit.AuditEvent;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.backend.Backend;
import com.akkio.dbproxy.server.backend.DuckDbBackends;
import com.akkio.dbproxy.server.config.ProxyConfig;
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

    private final ProxyConfig config;
    private final List<Backend> backends;
    private final AuditLog audit;
    private final GovernedMeta meta;
    private final ProxyHttpServer http;
    private final ScheduledExecutorService housekeeping;

    private ProxyServer(ProxyConfig config, List<Backend> backends, AuditLog audit, GovernedMeta meta,
                        ProxyHttpServer http, ScheduledExecutorService housekeeping) {
        this.config = config;
        this.backends = backends;
        this.audit = audit;
        this.meta = meta;
        this.http = http;
        this.housekeeping = housekeeping;
    }

    /** Opens the backends, the audit log and the endpoint; {@code port} overrides the configured one if not null. */
    public static ProxyServer start(ProxyConfig config, Integer port) throws IOException, SQLException {
        List<Backend> backends = new ArrayList<>();
        AuditLog audit = null;
        try {
            Map<String, Backend> byName = new LinkedHashMap<>();
            long idleSeconds = config.server().idleConnectionTimeout().toSeconds();
            for (ProxyConfig.Backend b : config.backends().values()) {
                Backend backend = DuckDbBackends.open(b);
                backends.add(backend);
                byName.put(b.name(), backend);
            }
            Map<String, TenantRuntime> tenants = new LinkedHashMap<>();
            for (ProxyConfig.Tenant t : config.tenants().values()) {
                Backend backend = byName.get(t.backend());
                tenants.put(t.name(), new TenantRuntime(t,
                        new BackendMeta(backend, backend.poolFor(t.name()), idleSeconds)));
            }
            audit = new AuditLog(config.audit().path(), 64L << 20, 10);
            GovernedMeta meta = new GovernedMeta(tenants, audit, config.audit().rawSql(),
                    config.server().maxConnectionsPerTenant(), idleSeconds);
            AuditLog auditLog = audit;
            TenantAuthenticator auth = new TenantAuthenticator(config.tenants(),
                    (tenant, address, userAgent, reason) -> auditLog.write(new AuditEvent(AuditEvent.COMPLETE,
                            Instant.now(), java.util.UUID.randomUUID().toString(), tenant, address, null, null, null,
                            null, "unauthenticated", "AUTHENTICATION_FAILED", -1, 0, userAgent, null)));
            LocalService service = new LocalService(meta);
            AvaticaHandler handler = config.server().serialization() == ProxyConfig.Serialization.JSON
                    ? new AvaticaJsonHandler(service, NoopMetricsSystem.getInstance(), auth)
                    : new AvaticaProtobufHandler(service, NoopMetricsSystem.getInstance(), auth);
            int listenPort = port != null ? port : config.server().port();
            ProxyHttpServer http = new ProxyHttpServer(config.server().host(), listenPort,
                    new BasicChallengeHandler(handler),
                    tls(config.server().tls()));
            http.start();
            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "akkio-housekeeping");
                t.setDaemon(true);
                return t;
            });
            long periodMs = Math.max(250, Math.min(30_000, idleSeconds * 1000 / 4));
            housekeeping.scheduleWithFixedDelay(meta::expireIdle, periodMs, periodMs, TimeUnit.MILLISECONDS);
            LOG.info("listening on {}://{}:{} ({} serialization, {} tenants, {} backends)",
                    config.server().tls() == null ? "http" : "https", config.server().host(), http.getPort(),
                    config.server().serialization().name().toLowerCase(java.util.Locale.ROOT), tenants.size(),
                    backends.size());
            return new ProxyServer(config, backends, audit, meta, http, housekeeping);
        } catch (IOException | SQLException | RuntimeException e) {
            for (Backend b : backends) {
                b.close();
            }
            if (audit != null) {
                audit.close();
            }
            throw e;
        }
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

    int openConnections() {
        return meta.openConnections();
    }

    /** Backend connections currently lent out by the pools. */
    int activeBackendConnections() {
        int active = 0;
        for (Backend b : backends) {
            active += b.activeConnections();
        }
        return active;
    }

    /** Stops accepting requests, closes client connections, then the pools and the audit log. */
    @Override
    public void close() throws IOException {
        LOG.info("shutting down");
        housekeeping.shutdownNow();
        try {
            http.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the HTTP endpoint failed", e);
        }
        meta.closeAll();
        for (Backend b : backends) {
            b.close();
        }
        audit.close();
        LOG.info("stopped");
    }
}

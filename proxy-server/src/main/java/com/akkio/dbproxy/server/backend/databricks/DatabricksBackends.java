package com.akkio.dbproxy.server.backend.databricks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

import com.akkio.dbproxy.server.backend.Backend;
import com.akkio.dbproxy.server.backend.SuppliedDataSource;
import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * A Databricks SQL warehouse through the official databricks-jdbc driver, as a service principal with OAuth M2M
 * (a Databricks secret) or, with {@code azure_tenant_id}, an Azure service principal with an Entra ID secret.
 *
 * <p>The driver's own M2M flow is used rather than a credentials provider built on databricks-sdk-java: it is the
 * path Databricks supports for JDBC, it caches and refreshes the token per connection (one token exchange per new
 * pooled connection, never per query), and the secret it needs is read again for each new connection, so a rotated
 * secret in {@code client_secret_file} reaches new connections without a restart while pooled ones age out
 * ({@code pool.max_lifetime_seconds}). Results come through the SQL Statement Execution API ({@code UseThriftClient=0})
 * without direct results, so that every statement can be cancelled on the warehouse from its start, and as the
 * driver asks for them: LZ4-framed Arrow, inline when small and as presigned cloud-storage links when not
 * (cloud fetch, which needs egress to the workspace's storage), or inline JSON with {@code driver_options:
 * {EnableQueryResultDownload: 0}}. {@code EnableArrow} is not set: 3.4.5 ignores it. The launcher opens
 * {@code java.nio} for Arrow. Telemetry is off.
 */
public final class DatabricksBackends {
    private DatabricksBackends() {
    }

    public static Backend open(ProxyConfig.Backend cfg) {
        ProxyConfig.Databricks d = cfg.databricks();
        Map<Connection, String> warehouseOf = java.util.Collections.synchronizedMap(new WeakHashMap<>());
        Warehouses warehouses = new Warehouses(d);
        // openings waiting for a warehouse their session started: a pool timeout then means "still starting"
        java.util.concurrent.atomic.AtomicInteger starting = new java.util.concurrent.atomic.AtomicInteger();
        // where the connections report a start they waited for: the backend, made below with them
        java.util.concurrent.atomic.AtomicReference<Backend> made = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.function.Consumer<com.akkio.dbproxy.server.backend.WarehouseStart> starts =
                start -> made.get().warehouseStarted(start);
        WarehouseConnections driver = new WarehouseConnections(cfg.name(), d, warehouses, warehouseOf, null, null,
                null, starting, starts);
        SuppliedDataSource.Opener opener = () -> DollarParameters.wrap(RenewedSessions.wrap(driver.open(), driver));
        Backend backend = new Backend(cfg.name(), Dialect.DATABRICKS, d.warehouseId(), new SuppliedDataSource(opener),
                cfg.pool(), () -> { }, warehouses::problem,
                c -> warehouseOf.get(c instanceof RenewedSessions.Renewable r ? r.current() : c),
                DatabricksErrors.TABLE, DatabricksTypes.INSTANCE);
        made.set(backend);
        backend.sessionsIn((tenant, catalog, schema) -> {
            WarehouseConnections in = new WarehouseConnections(cfg.name(), d, warehouses, warehouseOf, tenant,
                    catalog, schema, starting, starts);
            return new SuppliedDataSource(() -> DollarParameters.wrap(RenewedSessions.wrap(in.open(), in)));
        });
        return d.startOnDemand() ? backend.waitingForStart(d.warehouseStartTimeout(), () -> starting.get() > 0)
                : backend;
    }

    /** The driver properties; credentials travel here, never in the URL that drivers and pools log. */
    static Properties properties(ProxyConfig.Databricks d, String warehouseId) throws SQLException {
        return properties(d, warehouseId, null, null);
    }

    /**
     * As {@link #properties(ProxyConfig.Databricks, String)}, with the session's catalog and schema (a tenant's
     * physical defaults) instead of the driver's {@code default} schema, where given.
     */
    static Properties properties(ProxyConfig.Databricks d, String warehouseId, String catalog, String schema)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("transportMode", "http");
        p.setProperty("ssl", "1");
        p.setProperty("EnableTelemetry", "0");
        p.putAll(d.driverOptions());
        p.setProperty("httpPath", "/sql/1.0/warehouses/" + warehouseId);
        p.setProperty("AuthMech", "11");
        p.setProperty("Auth_Flow", "1");
        p.setProperty("OAuth2ClientId", d.clientId());
        p.setProperty("OAuth2Secret", secret(d));
        if (d.azureTenantId() != null) {
            // an Azure service principal with an Entra ID secret: the driver asks Entra ID for the token
            // (azure-client-secret) instead of the workspace's own OAuth endpoint (oauth-m2m)
            p.setProperty("AzureTenantId", d.azureTenantId());
        }
        p.setProperty("UseThriftClient", "0");
        // a statement's id comes back at once (wait_timeout 0s) rather than after up to 10 s of direct results:
        // until the driver has the id, its cancel and its query timeout cannot reach the warehouse and the statement
        // runs on; this costs one status request per statement
        p.setProperty("EnableDirectResults", "0");
        p.setProperty("UserAgentEntry", userAgent(d.userAgentEntry()));
        if (catalog != null) {
            p.setProperty("ConnCatalog", catalog);
            p.setProperty("ConnSchema", schema);
        }
        return p;
    }

    /**
     * The user agent entry as {@code name/version}: databricks-jdbc sends an entry without a version as
     * {@code name/version}, with the literal word, so the proxy's own version is added.
     */
    static String userAgent(String entry) {
        return entry.contains("/") ? entry : entry + "/" + com.akkio.dbproxy.server.config.ProxyVersion.get();
    }

    private static String secret(ProxyConfig.Databricks d) throws SQLException {
        if (d.clientSecretFile() == null) {
            return d.clientSecret();
        }
        try {
            return Files.readString(d.clientSecretFile()).strip();
        } catch (IOException e) {
            throw new SQLException("cannot read the client secret file of the Databricks backend: "
                    + new UncheckedIOException(e).getMessage(), "08006", e);
        }
    }
}

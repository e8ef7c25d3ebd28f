package com.akkio.dbproxy.server.backend.databricks;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.databricks.sdk.WorkspaceClient;
import com.databricks.sdk.core.DatabricksConfig;
import com.databricks.sdk.core.UserAgent;
import com.databricks.sdk.core.commons.CommonsHttpClient;
import com.databricks.sdk.service.sql.GetWarehouseResponse;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

/**
 * A Databricks backend's SQL warehouse seen through databricks-sdk-java ({@code warehouses().get}): whether it is
 * running, so {@code /ready} can say a warehouse is stopped or starting, and a new connection whether a start is
 * under way ({@code WarehouseConnections}). It never starts a warehouse: a readiness probe polled every few
 * seconds would keep a warehouse with auto-stop running forever. The service principal and user agent
 * ({@code akkio/<version>}) are the backend's own.
 */
public final class Warehouses {
    private final ProxyConfig.Databricks config;
    private volatile WorkspaceClient client;

    public Warehouses(ProxyConfig.Databricks config) {
        this.config = config;
    }

    /** The state of warehouse {@code id} (RUNNING, STOPPED, STARTING, …), or null when it cannot be read. */
    public String state(String id) {
        try {
            return String.valueOf(client().warehouses().get(id).getState());
        } catch (RuntimeException e) {
            client = null;
            return null; // a cost check, not a security one: the session request will tell
        }
    }

    /** Null when the warehouse is running, else what is wrong; never starts it. */
    public String problem() {
        try {
            GetWarehouseResponse warehouse = client().warehouses().get(config.warehouseId());
            String state = String.valueOf(warehouse.getState());
            if (state.equals("RUNNING")) {
                return null;
            }
            return "warehouse " + config.warehouseId() + " is " + state;
        } catch (RuntimeException e) {
            client = null; // a rotated or revoked secret: authenticate again next time
            return "warehouse " + config.warehouseId() + " cannot be queried: " + firstLine(e.getMessage());
        }
    }

    private WorkspaceClient client() {
        WorkspaceClient c = client;
        if (c == null) {
            c = new WorkspaceClient(sdkConfig());
            client = c;
        }
        return c;
    }

    private DatabricksConfig sdkConfig() {
        String entry = DatabricksBackends.userAgent(config.userAgentEntry());
        UserAgent.withProduct(entry.substring(0, entry.indexOf('/')), entry.substring(entry.indexOf('/') + 1));
        DatabricksConfig cfg = authentication(new DatabricksConfig()
                .setHost("https://" + config.host() + (config.port() == 443 ? "" : ":" + config.port())));
        String trustStore = config.driverOptions().get("SSLTrustStore");
        if (trustStore != null) {
            // the connection manager decides TLS; a socket factory given to the client alone would be ignored
            SSLConnectionSocketFactory tls = new SSLConnectionSocketFactory(trust(Path.of(trustStore),
                    config.driverOptions().getOrDefault("SSLTrustStorePwd", ""),
                    config.driverOptions().getOrDefault("SSLTrustStoreType", "JKS")));
            cfg.setHttpClient(new CommonsHttpClient.Builder().withDatabricksConfig(cfg)
                    .withConnectionManager(new PoolingHttpClientConnectionManager(RegistryBuilder
                            .<ConnectionSocketFactory>create().register("https", tls).build()))
                    .build());
        }
        return cfg;
    }

    /** The same principal and flow as the driver's: oauth-m2m, or azure-client-secret with a tenant. */
    DatabricksConfig authentication(DatabricksConfig cfg) {
        if (config.azureTenantId() != null) {
            return cfg.setAuthType("azure-client-secret").setAzureClientId(config.clientId())
                    .setAzureClientSecret(secret()).setAzureTenantId(config.azureTenantId());
        }
        return cfg.setClientId(config.clientId()).setClientSecret(secret()).setAuthType("oauth-m2m");
    }

    private String secret() {
        try {
            return config.clientSecretFile() == null ? config.clientSecret()
                    : Files.readString(config.clientSecretFile()).strip();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the client secret file", e);
        }
    }

    private static SSLContext trust(Path store, String password, String type) {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot load trust store " + store, e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "no message" : message.strip().lines().findFirst().orElse("");
    }
}

package com.akkio.dbproxy.server.backend.databricks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

import com.akkio.dbproxy.server.backend.Backend;
import com.akkio.dbproxy.server.backend.SuppliedDataSource;
import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.config.ProxyConfig;

/**
 * A Databricks SQL warehouse through the official databricks-jdbc driver, as a service principal with OAuth M2M.
 *
 * <p>The driver's own M2M flow is used rather than a credentials provider built on databricks-sdk-java: it is the
 * path Databricks supports for JDBC, it caches and refreshes the token per connection (one token exchange per new
 * pooled connection, never per query), and the secret it needs is read again for each new connection, so a rotated
 * secret in {@code client_secret_file} reaches new connections without a restart while pooled ones age out
 * ({@code pool.max_lifetime_seconds}). Results come through the SQL Statement Execution API ({@code UseThriftClient=0})
 * as the driver asks for them: LZ4-framed Arrow, inline when small and as presigned cloud-storage links when not
 * (cloud fetch, which needs egress to the workspace's storage), or inline JSON with {@code driver_options:
 * {EnableQueryResultDownload: 0}}. {@code EnableArrow} is not set: 3.4.5 ignores it. The launcher opens
 * {@code java.nio} for Arrow. Telemetry is off.
 */
public final class DatabricksBackends {
    private DatabricksBackends() {
    }

    public static Backend open(ProxyConfig.Backend cfg) {
        ProxyConfig.Databricks d = cfg.databricks();
        String url = "jdbc:databricks://" + d.host() + ":" + d.port() + "/default";
        Map<Connection, String> warehouseOf = java.util.Collections.synchronizedMap(new WeakHashMap<>());
        SuppliedDataSource.Opener opener = () -> {
            SQLException last = null;
            for (String warehouse : d.warehouseIds()) {
                try {
                    Connection c = DriverManager.getConnection(url, properties(d, warehouse));
                    warehouseOf.put(c, warehouse);
                    return c;
                } catch (SQLException e) {
                    last = e; // this warehouse did not accept the connection: fail over to the next
                }
            }
            throw last;
        };
        return new Backend(cfg.name(), Dialect.DATABRICKS, d.warehouseId(), new SuppliedDataSource(opener),
                cfg.pool(), () -> { }, new Warehouses(d, d.startOnDemand())::problem, warehouseOf::get,
                DatabricksErrors.TABLE, DatabricksTypes.INSTANCE);
    }

    /** The driver properties; credentials travel here, never in the URL that drivers and pools log. */
    static Properties properties(ProxyConfig.Databricks d, String warehouseId) throws SQLException {
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
        p.setProperty("UseThriftClient", "0");
        p.setProperty("UserAgentEntry", d.userAgentEntry());
        return p;
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

package com.akkio.dbproxy.server;

import java.io.IOException;
import java.sql.SQLException;

import com.akkio.dbproxy.server.backend.Backend;
import com.akkio.dbproxy.server.backend.DuckDbBackends;
import com.akkio.dbproxy.server.backend.databricks.DatabricksBackends;
import com.akkio.dbproxy.server.config.ProxyConfig;

/** Opens the backend a configuration describes. */
public final class Backends {
    private Backends() {
    }

    public static Backend open(ProxyConfig.Backend cfg) throws IOException, SQLException {
        return cfg.databricks() != null ? DatabricksBackends.open(cfg) : DuckDbBackends.open(cfg);
    }

    /**
     * For the offline commands ({@code check}, {@code test-policy}): gives each tenant with row filters or column
     * masks its backend's columns, as the server does, opening only the backends those tenants use (the demo's
     * DuckDB is seeded in memory). Close the result to close them.
     *
     * @throws com.akkio.dbproxy.server.config.StartupException when a filter or mask names a column the table lacks
     */
    public static java.io.Closeable columnsFor(ProxyConfig config) throws IOException, SQLException {
        java.util.Map<String, Backend> opened = new java.util.LinkedHashMap<>();
        java.io.Closeable closeAll = () -> {
            for (Backend b : opened.values()) {
                b.close();
            }
        };
        try {
            for (ProxyConfig.Tenant t : config.tenants().values()) {
                if (t.policy().rowPolicies().isEmpty()) {
                    continue;
                }
                Backend backend = opened.get(t.backend());
                if (backend == null) {
                    backend = open(config.backends().get(t.backend()));
                    opened.put(t.backend(), backend);
                }
                com.akkio.dbproxy.server.governed.BackendColumns columns =
                        new com.akkio.dbproxy.server.governed.BackendColumns(backend.poolFor(t.name(),
                                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
                try {
                    columns.check(t.policy(), t.policyFile());
                } catch (com.akkio.dbproxy.server.config.ConfigException e) {
                    throw new com.akkio.dbproxy.server.config.StartupException(e.getMessage(), e);
                }
                t.policy().useColumns(columns);
            }
            return closeAll;
        } catch (IOException | SQLException | RuntimeException e) {
            closeAll.close();
            throw e;
        }
    }
}

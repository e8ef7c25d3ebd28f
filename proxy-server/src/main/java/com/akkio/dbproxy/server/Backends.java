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
     * DuckDB is seeded in memory), and runs policy tests' queries on a tenant's backend. Close it to close them.
     */
    public static final class Offline implements java.io.Closeable {
        private final ProxyConfig config;
        private final java.util.Map<String, Backend> opened = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, javax.sql.DataSource> pools = new java.util.HashMap<>();

        private Offline(ProxyConfig config) {
            this.config = config;
        }

        /** The tenant's pool on its backend, its connections {@linkplain Backend#borrow borrowed}. */
        private javax.sql.DataSource pool(ProxyConfig.Tenant t) throws IOException, SQLException {
            javax.sql.DataSource pool = pools.get(t.name());
            if (pool == null) {
                Backend backend = opened.get(t.backend());
                if (backend == null) {
                    backend = open(config.backends().get(t.backend()));
                    opened.put(t.backend(), backend);
                }
                pool = backend.borrowing(backend.poolFor(t.name(),
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
                pools.put(t.name(), pool);
            }
            return pool;
        }

        /** The rows of an allowed query's rewritten text, run on its tenant's backend; values as text. */
        public java.util.List<java.util.List<String>> query(String tenant, String rewrittenSql) throws SQLException {
            java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
            try (java.sql.Connection c = pool(config.tenants().get(tenant)).getConnection();
                 java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(rewrittenSql)) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    java.util.List<String> row = new java.util.ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            } catch (IOException e) {
                throw new SQLException(e.getMessage(), "08006", e);
            }
            return rows;
        }

        @Override
        public void close() throws IOException {
            for (Backend b : opened.values()) {
                b.close();
            }
        }
    }

    /**
     * Opens what {@link Offline} needs and gives every tenant with row filters or masks its backend's columns.
     *
     * @throws com.akkio.dbproxy.server.config.StartupException when a filter or mask names a column the table lacks
     */
    public static Offline columnsFor(ProxyConfig config) throws IOException, SQLException {
        Offline offline = new Offline(config);
        try {
            for (ProxyConfig.Tenant t : config.tenants().values()) {
                if (t.policy().rowPolicies().isEmpty()) {
                    continue;
                }
                com.akkio.dbproxy.server.governed.BackendColumns columns =
                        new com.akkio.dbproxy.server.governed.BackendColumns(offline.pool(t));
                try {
                    columns.check(t.policy(), t.policyFile());
                } catch (com.akkio.dbproxy.server.config.ConfigException e) {
                    throw new com.akkio.dbproxy.server.config.StartupException(e.getMessage(), e);
                }
                t.policy().useColumns(columns);
            }
            return offline;
        } catch (IOException | SQLException | RuntimeException e) {
            offline.close();
            throw e;
        }
    }
}

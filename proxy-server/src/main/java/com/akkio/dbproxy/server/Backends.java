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
}

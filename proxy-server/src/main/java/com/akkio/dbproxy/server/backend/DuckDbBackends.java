package com.akkio.dbproxy.server.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.config.DuckDbLockdown;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.config.StartupException;
import org.duckdb.DuckDBConnection;

/**
 * The embedded DuckDB backend: one database instance, seeded once on a connection no tenant ever gets, then locked
 * down (no file or network access, no extension loading, no configuration changes) before any pool hands out
 * connections. Pooled connections are duplicates of the root connection, so all of them see the same attached
 * catalogs; their default catalog is DuckDB's empty in-memory one, so an unqualified name never finds tenant data.
 */
public final class DuckDbBackends {
    private DuckDbBackends() {
    }

    /** The configured threads and memory limit, set before the lockdown freezes the configuration. */
    static List<String> resources(ProxyConfig.DuckDb settings) {
        List<String> out = new java.util.ArrayList<>();
        if (settings.threads() > 0) {
            out.add("SET threads = " + settings.threads());
        }
        if (settings.memoryLimit() != null) {
            // validated by the configuration loader: digits and a unit, nothing a quote could break out of
            out.add("SET memory_limit = '" + settings.memoryLimit() + "'");
        }
        return out;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (int i = 0; i < 8 && root.getCause() != null; i++) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        int colon = message.lastIndexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }

    public static Backend open(ProxyConfig.Backend cfg) throws SQLException, IOException {
        String url = cfg.path() == null ? "jdbc:duckdb:" : "jdbc:duckdb:" + cfg.path();
        if (cfg.path() != null) {
            Files.createDirectories(cfg.path().toAbsolutePath().getParent());
        }
        DuckDBConnection root;
        try {
            root = (DuckDBConnection) DriverManager.getConnection(url);
        } catch (LinkageError | RuntimeException e) {
            // DuckDB's driver unpacks its native library into java.io.tmpdir and loads it from there
            throw new StartupException("backend '" + cfg.name() + "': DuckDB's native library cannot be loaded from"
                    + " java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + "): " + rootMessage(e)
                    + "; give the JVM -Djava.io.tmpdir=<a writable directory that may hold executables> (a noexec"
                    + " mount, such as a container's tmpfs /tmp, cannot)", e);
        } catch (SQLException e) {
            // e.g. the file is locked by another process: say which backend of the configuration it is
            throw new SQLException("backend '" + cfg.name() + "': cannot open DuckDB database "
                    + (cfg.path() == null ? "in memory" : cfg.path().toString()) + ": " + e.getMessage(),
                    e.getSQLState(), e);
        }
        try {
            if (cfg.seed() != null) {
                runScript(root, cfg.seed());
            }
            try (Statement st = root.createStatement()) {
                for (String setting : resources(cfg.duckdb())) {
                    st.execute(setting);
                }
                for (String setting : DuckDbLockdown.SETTINGS) {
                    st.execute(setting);
                }
            }
        } catch (SQLException | IOException e) {
            root.close();
            throw e;
        }
        return new Backend(cfg.name(), Dialect.DUCKDB, null, new SuppliedDataSource(root::duplicate), cfg.pool(), () -> {
            try {
                root.close();
            } catch (SQLException e) {
                throw new IOException("closing DuckDB backend " + cfg.name(), e);
            }
        }, DuckDbTypes.INSTANCE);
    }

    /** Runs a seed script statement by statement (statements end with a semicolon at the end of a line). */
    public static void runScript(Connection connection, Path script) throws IOException, SQLException {
        String text = Files.readString(script);
        try (Statement st = connection.createStatement()) {
            for (String statement : text.split(";\\s*(\\r?\\n|$)")) {
                String body = statement.lines().filter(l -> !l.strip().startsWith("--"))
                        .reduce("", (a, b) -> a + b + "\n").strip();
                if (!body.isEmpty()) {
                    st.execute(body);
                }
            }
        }
    }
}

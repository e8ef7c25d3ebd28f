package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.backend.DuckDbLockHolder;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DuckDB file another process holds (a second proxy on the same file, a stray CLI session). Decided: the proxy
 * does not start, and says which backend and which file, and why; there is nothing it could serve from that backend.
 * Once the file is free it starts and serves.
 */
@LiveServerTest
class DuckDbFileLockedTest {

    private static ProxyConfig demoOnFile(Path dir, Path file) throws Exception {
        ProxyConfig cfg = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        Map<String, ProxyConfig.Backend> backends = new LinkedHashMap<>();
        cfg.backends().forEach((name, b) -> backends.put(name, new ProxyConfig.Backend(b.name(), b.type(),
                b.dialect(), file, b.seed(), b.pool(), b.databricks(), b.duckdb())));
        ProxyConfig.Server s = cfg.server();
        return new ProxyConfig(cfg.source(), new ProxyConfig.Server(s.host(), 0, s.serialization(), s.tls(),
                s.maxRequestBytes(), s.idleConnectionTimeout(), s.maxConnectionsPerTenant(), -1,
                new ProxyConfig.Postgres(false, 0, s.postgres().workerThreads())),
                new ProxyConfig.Audit(dir.resolve("audit.jsonl"), false, 64L << 20, 10), backends, cfg.tenants());
    }

    @Test
    void aLockedDatabaseFileStopsTheStartWithAClearErrorAndTheProxyStartsOnceItIsFree(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("demo.duckdb");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DuckDbLockHolder.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("LOCKED");
            ProxyConfig config = demoOnFile(dir, file);
            assertThatThrownBy(() -> ProxyServer.start(config, 0).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage())
                            .contains("backend 'demo'").contains(file.toString()).containsIgnoringCase("lock"));
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        try (ProxyServer server = ProxyServer.start(demoOnFile(dir, file), 0)) {
            Properties p = DemoProxy.credentials("acme", "acme-secret");
            try (Connection c = DriverManager.getConnection("jdbc:akkio://127.0.0.1:" + server.port(), p)) {
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
        }
    }
}

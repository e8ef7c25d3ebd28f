package com.akkio.dbproxy.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.akkio.dbproxy.server.Backends;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo backend itself, below the policy: seeded exactly, and locked down as defence in depth. */
class DuckDbBackendsTest {
    static Backend backend;
    static javax.sql.DataSource pool;

    @BeforeAll
    static void open() throws Exception {
        ProxyConfig cfg = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        backend = Backends.open(cfg.backends().get("demo"));
        pool = backend.poolFor("test", new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    @AfterAll
    static void close() throws Exception {
        backend.close();
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void seededWithTheDemoWorldVisibleFromEveryPooledConnection() throws Exception {
        assertThat(count("SELECT count(*) FROM acme_prod.sales.orders WHERE tenant_tag = 'acme'")).isEqualTo(1000);
        assertThat(count("SELECT count(*) FROM acme_prod.sales.customers WHERE tenant_tag = 'acme'")).isEqualTo(100);
        assertThat(count("SELECT count(*) FROM globex_prod.sales.orders WHERE tenant_tag = 'globex'")).isEqualTo(500);
        assertThat(count("SELECT count(*) FROM globex_prod.sales.customers WHERE tenant_tag = 'globex'"))
                .isEqualTo(50);
        assertThat(count("SELECT count(*) FROM shared_ref.geo.countries")).isEqualTo(8);
        assertThat(count("SELECT count(*) FROM acme_prod.sales.orders o JOIN acme_prod.sales.customers c"
                + " USING (customer_id)")).as("every order has its customer").isEqualTo(1000);
    }

    @Test
    void unqualifiedNamesFindNoTenantData() throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM orders")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM sales.orders")).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void fileAccessExtensionsAndSettingsAreLocked(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.csv"), "a,b\n1,2\n");
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM read_csv('" + secret + "')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("disabled");
            assertThatThrownBy(() -> s.execute("COPY (SELECT 1) TO '" + dir.resolve("out.csv") + "'"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("SET enable_external_access = true"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("SET lock_configuration = false")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("ATTACH '" + dir.resolve("x.duckdb") + "' AS x"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> s.execute("INSTALL httpfs")).isInstanceOf(SQLException.class);
        }
        assertThat(dir.resolve("out.csv")).doesNotExist();
    }
}

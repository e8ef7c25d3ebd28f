package com.akkio.dbproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.server.backend.databricks.SecretExpiry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabricksConfigTest {
    @TempDir
    Path dir;

    private Path config(String backend) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), "catalog: c\ndefault_schema: s\nread: [c.s.*]\nstatements: [query]\n");
        return Files.writeString(dir.resolve("proxy.yaml"), """
                backends:
                  dbx:
                %s
                tenants:
                  t: { secret_hash: "%s", backend: dbx, policy: p.yaml }
                """.formatted(backend.indent(4).stripTrailing(), SecretHash.create("x").encoded()));
    }

    @Test
    void databricksBackendWithSecretFromTheEnvironment() throws Exception {
        ProxyConfig cfg = new ConfigLoader(Map.of("DBX_SECRET", "s3cret")).read(config("""
                type: databricks
                host: https://adb-123.4.azuredatabricks.net/
                warehouse_id: abc123
                client_id: sp-1
                client_secret: ${DBX_SECRET}
                client_secret_expires: 2027-05-01
                driver_options: { EnableArrow: "1" }
                """));
        ProxyConfig.Databricks d = cfg.backends().get("dbx").databricks();
        assertThat(d.host()).isEqualTo("adb-123.4.azuredatabricks.net");
        assertThat(d.port()).isEqualTo(443);
        assertThat(d.clientSecret()).isEqualTo("s3cret");
        assertThat(d.userAgentEntry()).isEqualTo("akkio");
        assertThat(d.toString()).doesNotContain("s3cret");
        assertThat(cfg.tenants().get("t").policy().dialect()).isEqualTo(Dialect.DATABRICKS);
        assertThat(cfg.backends().get("dbx").pool().statementCacheSize()).as("the driver sends the text every time")
                .isZero();
    }

    @Test
    void theProxysOwnDriverPropertiesCannotBeOverridden() throws Exception {
        Path f = config("""
                type: databricks
                host: h
                warehouse_id: w
                client_id: c
                client_secret: s
                driver_options: { UserAgentEntry: other }
                """);
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("driver_options.UserAgentEntry")
                .hasMessageContaining("set by the proxy");
    }

    @Test
    void exactlyOneSecretSource() throws Exception {
        Path f = config("type: databricks\nhost: h\nwarehouse_id: w\nclient_id: c\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("client_secret_file");
    }

    @Test
    void secretExpiryIsAMetricAndAWarning() throws Exception {
        ProxyConfig cfg = new ConfigLoader(Map.of()).read(config("""
                type: databricks
                host: h
                warehouse_id: w
                client_id: c
                client_secret: s
                client_secret_expires: 2026-12-01
                """));
        Clock clock = Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), ZoneOffset.UTC);
        ProxyConfig.Backend b = cfg.backends().get("dbx");
        assertThat(SecretExpiry.daysLeft(b, clock)).isEqualTo(7);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SecretExpiry.watch(b, registry, clock);
        assertThat(registry.get("akkio_backend_secret_expiry_days").tag("backend", "dbx").gauge().value()).isEqualTo(7);
    }

    @Test
    void grantsDefaultToTheBackendsServicePrincipal() throws Exception {
        Path f = config("type: databricks\nhost: h\nwarehouse_id: wh9\nclient_id: sp-7\nclient_secret: s\n");
        var cl = com.akkio.dbproxy.server.cli.AkkioProxy.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("grants", "--config", f.toString(), "--tenant", "t")).isZero();
        assertThat(out.toString()).contains("GRANT SELECT ON SCHEMA `c`.`s` TO `sp-7`;").contains("wh9");
    }
}

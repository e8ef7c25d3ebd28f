package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.config.ProxyVersion;
import com.akkio.dbproxy.server.config.SecretHash;
import com.databricks.sdk.core.DatabricksConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver properties and readiness SDK configuration the proxy derives from a backend's settings: its identity
 * ({@code akkio/<version>}), statements without direct results, and an Azure
 * service principal with an Entra ID secret for queries and readiness alike.
 */
class DatabricksPropertiesTest {
    @TempDir
    Path dir;

    private ProxyConfig.Databricks backend(String extra) throws Exception {
        Files.writeString(dir.resolve("p.yaml"), "catalog: c\ndefault_schema: s\nread: [c.s.*]\nstatements: [query]\n");
        Path f = Files.writeString(dir.resolve("proxy.yaml"), """
                backends:
                  dbx:
                    type: databricks
                    host: https://adb-123.4.azuredatabricks.net
                    warehouse_id: w1
                    client_id: 9f3c-app-id
                    client_secret: s3cret
                %s
                tenants:
                  t: { secret_hash: "%s", backend: dbx, policy: p.yaml }
                """.formatted(extra.indent(4).stripTrailing(), SecretHash.create("x").encoded()));
        return new ConfigLoader(Map.of()).read(f).backends().get("dbx").databricks();
    }

    @Test
    void theDriverSendsAkkioWithTheProxysVersionAndStatementsWithoutDirectResults() throws Exception {
        Properties p = DatabricksBackends.properties(backend(""), "w1");
        assertThat(p.getProperty("UserAgentEntry")).isEqualTo("akkio/" + ProxyVersion.get())
                .doesNotContain("version");
        assertThat(p.getProperty("EnableDirectResults")).isEqualTo("0");
        assertThat(p.getProperty("AzureTenantId")).isNull();
        assertThat(DatabricksBackends.userAgent("acme-gateway/2.1")).as("an entry with its own version")
                .isEqualTo("acme-gateway/2.1");
    }

    @Test
    void anAzureServicePrincipalWithAnEntraIdSecretIsUsedForQueriesAndReadiness() throws Exception {
        ProxyConfig.Databricks d = backend("azure_tenant_id: 72f988bf-tenant");
        Properties p = DatabricksBackends.properties(d, "w1");
        assertThat(p.getProperty("AzureTenantId")).isEqualTo("72f988bf-tenant");
        assertThat(p.getProperty("OAuth2ClientId")).isEqualTo("9f3c-app-id");
        assertThat(p.getProperty("OAuth2Secret")).isEqualTo("s3cret");
        DatabricksConfig sdk = new Warehouses(d).authentication(new DatabricksConfig());
        assertThat(sdk.getAuthType()).isEqualTo("azure-client-secret");
        assertThat(sdk.getAzureTenantId()).isEqualTo("72f988bf-tenant");
        assertThat(sdk.getAzureClientId()).isEqualTo("9f3c-app-id");
        assertThat(new Warehouses(backend("")).authentication(new DatabricksConfig()).getAuthType())
                .isEqualTo("oauth-m2m");
        assertThat(d.toString()).doesNotContain("s3cret");
    }
}

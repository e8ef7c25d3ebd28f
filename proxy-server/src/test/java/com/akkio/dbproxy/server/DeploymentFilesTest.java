package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs where CI runs, so the compose file and Dockerfile are checked as far as that allows: they
 * parse, and they say what the proxy needs (the shaded jar, conf/ mounted read-only, secrets from the environment,
 * the port published on loopback only, a graceful stop).
 */
class DeploymentFilesTest {
    @Test
    void composeFileRunsTheProxyWithConfMountedAndSecretsFromTheEnvironment() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(Path.of("../docker-compose.yml").toFile());
        JsonNode proxy = compose.path("services").path("akkio-proxy");
        assertThat(proxy.isMissingNode()).isFalse();
        assertThat(proxy.path("build").asText()).isEqualTo(".");
        assertThat(proxy.path("volumes").toString()).contains("./conf:/opt/akkio/conf:ro");
        assertThat(proxy.path("ports").get(0).asText()).startsWith("127.0.0.1:");
        assertThat(proxy.path("environment").path("DBX_CLIENT_SECRET").asText()).isEqualTo("${DBX_CLIENT_SECRET:-}");
        assertThat(proxy.path("stop_signal").asText()).isEqualTo("SIGTERM");
        assertThat(proxy.path("command").toString()).contains("serve").contains("/opt/akkio/conf/proxy.yaml");
        assertThat(compose.toString()).doesNotContain("acme-secret").doesNotContain("globex-secret");
        assertThat(proxy.path("environment").path("AKKIO_ADMIN_TOKEN").asText()).isEqualTo("${AKKIO_ADMIN_TOKEN:-}");
        assertThat(proxy.path("ports").toString()).as("the admin endpoint is not published").doesNotContain("8766");
        assertThat(proxy.path("healthcheck").path("test").toString()).contains("/ready");
    }

    @Test
    void dockerfileCopiesTheShadedJarAndRunsServe() throws Exception {
        String dockerfile = Files.readString(Path.of("../Dockerfile"));
        assertThat(dockerfile).contains("COPY proxy-server/target/akkio-proxy.jar")
                .contains("USER akkio").contains("\"serve\"").contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>akkio-proxy</finalName>");
    }
}

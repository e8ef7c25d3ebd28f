package com.akkio.dbproxy.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's deployment files (deploy/cluster), checked as far as a machine without a Docker engine allows: the
 * compose file parses and wires two replicas, Redis and the balancer; the replicas' configuration loads as the
 * containers lay it out; HAProxy itself accepts the balancer's configuration.
 */
@LiveServerTest
class ClusterDeploymentFilesTest {
    private static final Path CLUSTER = Path.of("../deploy/cluster");

    @Test
    void composeRunsTwoReplicasWithRedisBehindABalancerPublishedOnLoopbackOnly() throws Exception {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(CLUSTER.resolve("docker-compose.yml")
                .toFile()).path("services");
        assertThat(services.has("redis")).isTrue();
        for (String replica : new String[] {"akkio-1", "akkio-2"}) {
            JsonNode r = services.path(replica);
            assertThat(r.path("environment").path("AKKIO_REPLICA_ID").asText()).isEqualTo(replica);
            assertThat(r.path("command").toString()).contains("/opt/akkio/cluster/proxy.yaml");
            assertThat(r.path("volumes").toString()).contains("../../conf:/opt/akkio/conf:ro")
                    .contains(replica + "-logs:/opt/akkio/logs");
            assertThat(r.path("read_only").asBoolean()).isTrue();
            assertThat(r.has("ports")).as("replicas are reached through the balancer only").isFalse();
        }
        JsonNode balancer = services.path("balancer");
        assertThat(balancer.path("ports")).allSatisfy(p -> assertThat(p.asText()).startsWith("127.0.0.1:"));
        assertThat(services.toString()).doesNotContain("acme-secret").doesNotContain("globex-secret");
    }

    @Test
    void theReplicasConfigurationLoadsAsTheContainersLayItOut(@TempDir Path dir) throws Exception {
        DemoConfig.copy(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("cluster"));
        Files.copy(CLUSTER.resolve("proxy.yaml"), dir.resolve("cluster/proxy.yaml"));
        ProxyConfig config = new ConfigLoader(Map.of("AKKIO_REPLICA_ID", "akkio-2"))
                .read(dir.resolve("cluster/proxy.yaml"));
        assertThat(config.cluster().shared()).isTrue();
        assertThat(config.cluster().replicaId()).isEqualTo("akkio-2");
        assertThat(config.cluster().replicas()).isEqualTo(2);
        assertThat(config.cluster().redis().uri()).isEqualTo("redis://redis:6379");
        assertThat(config.tenants()).containsOnlyKeys("acme", "globex");
        assertThat(config.audit().path()).isEqualTo(dir.resolve("logs/audit.jsonl").toAbsolutePath().normalize());
    }

    @Test
    void haproxyAcceptsTheBalancersConfigurationWithACookiePerReplica() throws Exception {
        Path cfg = CLUSTER.resolve("haproxy.cfg");
        Process check = new ProcessBuilder("haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as(output).isZero();
        assertThat(Files.readString(cfg)).contains("cookie AKKIO_REPLICA insert")
                .contains("server akkio-1 akkio-1:8765 cookie akkio-1").contains("mode tcp");
    }
}

package com.akkio.dbproxy.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.Queries;
import com.akkio.dbproxy.server.RedisProcess;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload on one replica reaches the others: each re-reads the same files (as a shared volume gives them). */
@LiveServerTest
class ClusterReloadTest {
    private static Path replicaConfig(Path config, String redisUri, int replica) throws Exception {
        return Files.writeString(config.resolveSibling("proxy-" + replica + ".yaml"), Files.readString(config)
                .replace("path: ../logs/audit.jsonl", "path: ../logs/audit-" + replica + ".jsonl")
                + "\ncluster:\n  replica_id: replica-" + replica + "\n  replicas: 2\n  redis: { uri: \"" + redisUri
                + "\" }\n");
    }

    @Test
    void aPolicyReloadedOnOneReplicaIsAppliedByTheOther(@TempDir Path dir) throws Exception {
        try (RedisProcess redis = RedisProcess.start(dir.resolve("redis"))) {
            Path config = DemoConfig.copy(dir.resolve("conf"));
            Path acme = config.resolveSibling("policies/acme.yaml");
            try (ProxyServer one = ProxyServer.start(ConfigLoader.load(replicaConfig(config, redis.uri(), 1)), null);
                 ProxyServer two = ProxyServer.start(ConfigLoader.load(replicaConfig(config, redis.uri(), 2)), null);
                 Connection onTwo = SqlStates.connect("jdbc:akkio://127.0.0.1:" + two.port(),
                         DemoProxy.credentials("acme", "acme-secret"))) {
                String shared = "SELECT count(*) FROM shared_ref.geo.countries";
                assertThat(Queries.scalar(onTwo, shared)).isEqualTo(8);

                Files.writeString(acme, Files.readString(acme).replace("  - shared_ref.geo.*\n", ""));
                assertThat(one.reload()).contains("updated");

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                boolean denied = false;
                while (!denied && System.nanoTime() < deadline) {
                    try {
                        Queries.scalar(onTwo, shared);
                        Thread.sleep(100);
                    } catch (SQLException e) {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        denied = true;
                    }
                }
                assertThat(denied).as("replica 2 applied the policy replica 1 reloaded").isTrue();
                assertThatThrownBy(() -> Queries.scalar(onTwo, shared)).isInstanceOf(SQLException.class);
                assertThat(Files.readString(dir.resolve("logs/audit-2.jsonl"))).contains("\"replica\":\"replica-2\"");
            }
        }
    }
}

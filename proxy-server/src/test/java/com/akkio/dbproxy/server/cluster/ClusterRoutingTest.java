package com.akkio.dbproxy.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.akkio.dbproxy.server.DemoCluster;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.HaproxyProcess;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.Queries;
import com.akkio.dbproxy.server.SqlStates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas behind a real HAProxy: Avatica's HTTP requests of one connection must all reach the replica that holds
 * it. Sticky by a cookie the balancer inserts (Avatica's client keeps cookies per connection), or by Avatica's own
 * client-side balancing ({@code use_client_side_lb}, which picks one URL per connection). Without stickiness a
 * request for a connection another replica holds gets a clear error, never another session.
 */
@LiveServerTest
class ClusterRoutingTest {
    @TempDir
    Path dir;
    private DemoCluster cluster;
    private List<DemoProxy> replicas;

    @BeforeEach
    void startRedisAndThreeReplicas() throws Exception {
        cluster = DemoCluster.start(dir, 3, DemoProxy.Builder::unthrottled);
        replicas = cluster.replicas;
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private List<Integer> ports() {
        return cluster.ports();
    }

    private static Connection avatica(String url, String tenant, String secret) throws SQLException {
        Properties p = new Properties();
        p.setProperty("avatica_user", tenant);
        p.setProperty("avatica_password", secret);
        return DriverManager.getConnection(url, p);
    }

    private static void runs(Connection c, int statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < statements; i++) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isPositive();
                }
            }
        }
    }

    @Test
    void aBalancerCookieKeepsEveryRequestOfAConnectionOnItsReplica() throws Exception {
        try (HaproxyProcess lb = HaproxyProcess.start(dir.resolve("lb"),
                List.of("cookie AKKIO_REPLICA insert indirect nocache httponly"), ports())) {
            List<Connection> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    // the client jar and Avatica's own client, both through the balancer
                    clients.add(i % 2 == 0
                            ? SqlStates.connect("jdbc:akkio://127.0.0.1:" + lb.port(),
                                    DemoProxy.credentials("acme", "acme-secret"))
                            : avatica("jdbc:avatica:remote:url=http://127.0.0.1:" + lb.port()
                                    + ";serialization=protobuf;authentication=BASIC", "acme", "acme-secret"));
                }
                for (Connection c : clients) {
                    runs(c, 10);
                }
            } finally {
                for (Connection c : clients) {
                    c.close();
                }
            }
            // round robin spread the connections: each replica served some, each statement on one replica
            for (DemoProxy p : replicas) {
                assertThat(Files.readAllLines(p.auditLog)).as("audit of %s", p.auditLog).isNotEmpty();
            }
        }
    }

    @Test
    void withoutStickinessARequestForAnotherReplicasConnectionIsAClearErrorNeverAnotherSession() throws Exception {
        try (HaproxyProcess lb = HaproxyProcess.start(dir.resolve("lb"), List.of(), ports())) {
            SQLException refused = null;
            for (int attempt = 0; attempt < 3 && refused == null; attempt++) {
                try (Connection c = SqlStates.connect("jdbc:akkio://127.0.0.1:" + lb.port(),
                        DemoProxy.credentials("acme", "acme-secret"))) {
                    runs(c, 6);
                } catch (SQLException e) {
                    refused = e;
                }
            }
            assertThat((Object) refused).as("requests of one connection spread over three replicas").isNotNull();
            assertThat(refused.getMessage()).contains("UNKNOWN_HANDLE");
            assertThat(refused.getSQLState()).isEqualTo("08003");
        }
    }

    @Test
    void whenAReplicaDiesItsClientsGetAClearErrorAndReconnectWhileTheOthersKeepWorking() throws Exception {
        try (HaproxyProcess lb = HaproxyProcess.start(dir.resolve("lb"),
                List.of("cookie AKKIO_REPLICA insert indirect nocache httponly"), ports())) {
            List<Connection> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(SqlStates.connect("jdbc:akkio://127.0.0.1:" + lb.port(),
                        DemoProxy.credentials("globex", "globex-secret")));
            }
            try {
                for (Connection c : clients) {
                    runs(c, 2);
                }
                replicas.remove(1).close(); // replica-2, which round robin gave the second connection
                Thread.sleep(600);          // the balancer's check marks it down
                int failed = 0;
                for (Connection c : clients) {
                    try {
                        runs(c, 2);
                    } catch (SQLException e) {
                        failed++;
                        assertThat(e.getSQLState()).isIn("08003", "08006", "08001");
                    }
                }
                assertThat(failed).as("only the dead replica's client fails").isEqualTo(1);
                try (Connection again = SqlStates.connect("jdbc:akkio://127.0.0.1:" + lb.port(),
                        DemoProxy.credentials("globex", "globex-secret"))) {
                    runs(again, 3);
                }
            } finally {
                for (Connection c : clients) {
                    try {
                        c.close();
                    } catch (SQLException e) {
                        // the dead replica's connection
                    }
                }
            }
        }
    }

    @Test
    void avaticasClientSideBalancingPicksOneReplicaPerConnectionAndFailsOverWhenItIsDown() throws Exception {
        String urls = String.join(",", ports().stream().map(p -> "http://127.0.0.1:" + p).toList());
        String url = "jdbc:avatica:remote:url=" + urls.split(",")[0] + ";serialization=protobuf;authentication=BASIC"
                + ";use_client_side_lb=true;lb_urls=" + urls + ";lb_connection_failover_retries=3"
                + ";lb_connection_failover_sleep_time=100";
        for (int i = 0; i < 4; i++) {
            try (Connection c = avatica(url, "acme", "acme-secret")) {
                runs(c, 5);
            }
        }
        replicas.remove(0).close();
        for (int i = 0; i < 4; i++) {
            try (Connection c = avatica(url, "acme", "acme-secret")) {
                runs(c, 3);
                assertThat(Queries.scalar(c, "SELECT 1")).isEqualTo(1);
            }
        }
    }
}

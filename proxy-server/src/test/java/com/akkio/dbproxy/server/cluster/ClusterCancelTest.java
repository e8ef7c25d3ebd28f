package com.akkio.dbproxy.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoCluster;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.HaproxyProcess;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.Queries;
import org.apache.calcite.avatica.AvaticaConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancel that reaches another replica than the session's is forwarded to the one that runs the query: pgjdbc's
 * CancelRequest through a balancer that spreads TCP connections round robin, and the client jar's cancel request
 * sent to the wrong replica.
 */
@LiveServerTest
class ClusterCancelTest {
    private static final String SLOW = "SELECT count(*) FROM range(100000000) a, range(100000) b";

    @TempDir
    Path dir;
    private DemoCluster cluster;

    @BeforeEach
    void startRedisAndTwoReplicas() throws Exception {
        cluster = DemoCluster.start(dir, 2, DemoProxy.Builder::unthrottled);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void pgjdbcsCancelRequestThatTheBalancerSendsToTheOtherReplicaStopsTheQuery() throws Exception {
        try (HaproxyProcess lb = HaproxyProcess.start(dir.resolve("lb"), "tcp", List.of(),
                cluster.replicas.stream().map(DemoProxy::pgPort).toList())) {
            Properties p = new Properties();
            p.setProperty("user", "acme");
            p.setProperty("password", "acme-secret");
            p.setProperty("sslmode", "disable");
            // round robin: the session on one replica, the CancelRequest's own TCP connection on the other
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + lb.port() + "/main", p);
                 Statement s = c.createStatement()) {
                CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(1500);
                        s.cancel();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThatThrownBy(() -> s.executeQuery(SLOW)).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("57014"));
                cancel.get(10, TimeUnit.SECONDS);
                assertThat(Queries.scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
        }
        long cancelled = 0;
        for (DemoProxy r : cluster.replicas) {
            cancelled += Files.readAllLines(r.auditLog).stream().filter(l -> l.contains("\"code\":\"57014\"")).count();
        }
        assertThat(cancelled).isEqualTo(1);
    }

    @Test
    void theClientJarsCancelSentToTheOtherReplicaStopsTheQueryOfItsOwnTenantOnly() throws Exception {
        DemoProxy holder = cluster.replica(0);
        DemoProxy other = cluster.replica(1);
        try (Connection acme = holder.acme()) {
            String id = acme.unwrap(AvaticaConnection.class).id;
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return Queries.scalar(acme, SLOW);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1000);
            // another tenant naming acme's connection on the other replica: forwarded, and refused where it is held
            assertThat(cancel(other, "globex", "globex-secret", id).statusCode()).isEqualTo(204);
            Thread.sleep(1000);
            assertThat(running).as("globex cannot cancel acme's query").isNotDone();
            assertThat(cancel(other, "acme", "acme-secret", id).statusCode()).isEqualTo(204);
            assertThatThrownBy(() -> running.get(60, TimeUnit.SECONDS)).rootCause()
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
            assertThat(Queries.scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    private static HttpResponse<String> cancel(DemoProxy proxy, String tenant, String secret, String connectionId)
            throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + proxy.server.port() + "/akkio/cancel")).header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString((tenant + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("connection_id=" + connectionId)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

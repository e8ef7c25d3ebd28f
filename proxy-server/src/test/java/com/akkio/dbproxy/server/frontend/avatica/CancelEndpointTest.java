package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
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
import java.sql.SQLException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import org.apache.calcite.avatica.AvaticaConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's cancel request for Avatica connections ({@code POST /akkio/cancel}): it stops the running statement
 * in the backend, the statement fails with 57014 and is audited as cancelled, and it is bound to the tenant.
 */
@LiveServerTest
class CancelEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> cancel(DemoProxy proxy, String tenant, String secret, String connectionId)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server.port()
                        + "/akkio/cancel")).header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (tenant + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("connection_id=" + connectionId)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCancelStopsTheRunningStatementWhichFailsWith57014AndIsAuditedSo(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir); Connection acme = proxy.acme()) {
            String id = acme.unwrap(AvaticaConnection.class).id;
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return scalar(acme, GovernanceTest.SLOW);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            long start = System.nanoTime();
            assertThat(cancel(proxy, "acme", "acme-secret", id).statusCode()).isEqualTo(204);
            assertThatThrownBy(() -> running.get(60, TimeUnit.SECONDS)).hasRootCauseInstanceOf(SQLException.class)
                    .rootCause().satisfies(e -> {
                        assertThat(((SQLException) e).getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("QUERY_CANCELLED");
                    });
            System.out.printf("cancel to failure: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).as("the connection goes on").isEqualTo(1000);
        }
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).filteredOn(r -> r.contains("\"code\":\"57014\""))
                .singleElement().satisfies(r -> assertThat(r).contains("\"decision\":\"error\""));
    }

    @Test
    void statementCancelFromAnotherThreadStopsTheQueryThroughTheClientJar(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir); Connection acme = proxy.acme();
             java.sql.Statement s = acme.createStatement()) {
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(500);
                    s.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.executeQuery(GovernanceTest.SLOW)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("57014"));
            canceller.get(30, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void aQueryTimeoutCancelsTheStatementWithSqlTimeoutException(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir); Connection acme = proxy.acme();
             java.sql.Statement s = acme.createStatement()) {
            s.setQueryTimeout(1);
            assertThat(s.getQueryTimeout()).isEqualTo(1);
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.executeQuery(GovernanceTest.SLOW))
                    .isInstanceOfSatisfying(java.sql.SQLTimeoutException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getMessage()).contains("QUERY_TIMEOUT").contains("Statement.setQueryTimeout");
                    });
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
            assertThat(s.executeQuery("SELECT count(*) FROM orders").next()).as("a short one still runs").isTrue();
            assertThatThrownBy(() -> s.setQueryTimeout(-1)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void anotherTenantsConnectionIdIsUnknownAndBadCredentialsAreRefused(@TempDir Path dir) throws Exception {
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir); Connection acme = proxy.acme()) {
            String id = acme.unwrap(AvaticaConnection.class).id;
            HttpResponse<String> foreign = cancel(proxy, "globex", "globex-secret", id);
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(foreign.body()).contains("08003").contains("UNKNOWN_HANDLE");
            assertThat(cancel(proxy, "acme", "wrong", id).statusCode()).isEqualTo(401);
            assertThat(cancel(proxy, "acme", "acme-secret", "no-such-id").statusCode()).isEqualTo(404);
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }
}

package com.akkio.dbproxy.server.frontend.avatica;

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
import java.util.List;

import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of failed logins (the live attack's 600 requests as an unknown user rotated a tenant's records out): the
 * address is throttled on both front ends, refusals are aggregated in their own log, and the tenant's records stay.
 */
@LiveServerTest
class FailedLoginFloodTest {
    private static final int FLOOD = 10_000;

    @Test
    void tenThousandFailedLoginsAreThrottledAggregatedAndLeaveTheTenantsRecords(@TempDir Path dir) throws Exception {
        Path audit;
        Path refusals;
        int throttled = 0;
        int refused = 0;
        long started = System.nanoTime();
        // one failure allowed back per minute: no allowance refills between the flood and the logins that follow it
        // (at the default 30 a minute one could, and a correct secret would then get through, as it should)
        ProxyConfig.FailedLogins limits = new ProxyConfig.FailedLogins(1, ProxyConfig.FailedLogins.DEFAULT.burst());
        try (DemoProxy proxy = DemoProxy.builder().server(s -> new ProxyConfig.Server(s.host(), s.port(),
                s.serialization(), s.tls(), s.maxRequestBytes(), s.idleConnectionTimeout(),
                s.maxConnectionsPerTenant(), s.adminPort(), s.postgres(), limits, s.admin(), s.flight())).start(dir)) {
            audit = proxy.auditLog;
            refusals = proxy.refusalLog();
            try (Connection acme = proxy.acme()) {
                assertThat(com.akkio.dbproxy.server.Queries.scalar(acme, "SELECT count(*) FROM orders"))
                        .isEqualTo(1000);
            }
            String tenantRecord = Files.readAllLines(audit).get(0);
            HttpClient http = HttpClient.newHttpClient();
            String badLogin = "Basic " + Base64.getEncoder().encodeToString(
                    "mallory:guess".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < FLOOD; i++) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + proxy.server.port() + "/")).header("Authorization", badLogin)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                String body = new String(r.body(), StandardCharsets.ISO_8859_1);
                if (body.contains("53400") && body.contains("LOGIN_THROTTLED")) {
                    throttled++;
                } else if (body.contains("28000") && body.contains("AUTHENTICATION_FAILED")) {
                    refused++;
                }
            }
            int burst = com.akkio.dbproxy.server.config.ProxyConfig.FailedLogins.DEFAULT.burst();
            assertThat(refused).as("failures answered 28000 before the address is throttled: the burst, and what"
                    + " refilled (1 a minute) while the flood ran").isBetween(burst, burst + 2);
            assertThat(throttled).as("then 53400").isGreaterThanOrEqualTo(FLOOD - refused - 5);
            // the same address is throttled on the PostgreSQL front end, and a correct secret does not get through
            assertThatThrownBy(() -> SqlStates.connect("jdbc:postgresql://127.0.0.1:" + proxy.pgPort()
                    + "/main?sslmode=disable", DemoProxy.credentials("acme", "acme-secret")))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("53400");
                        assertThat(e.getMessage()).contains("LOGIN_THROTTLED").contains("server.failed_logins");
                    });
            assertThatThrownBy(proxy::acme).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("53400"));
            assertThat(Files.readAllLines(audit)).as("the tenant's records are where they were").first()
                    .isEqualTo(tenantRecord);
        }
        List<String> audited = Files.readAllLines(audit);
        assertThat(audited).noneMatch(r -> r.contains("\"decision\":\"unauthenticated\""));
        List<String> refusalRecords = Files.readAllLines(refusals);
        // aggregated: per address, claimed tenant and code, the first refusal of a 10 s interval and one record for
        // the rest of it, whatever the number of attempts
        long intervals = (System.nanoTime() - started) / 10_000_000_000L + 2;
        long keys = refusalRecords.stream().map(r -> r.replaceAll(
                ".*(\"tenant\":[^,]*).*(\"client_address\":[^,]*).*(\"code\":[^,]*).*", "$1$2$3")).distinct().count();
        assertThat(keys).as("keys").isLessThanOrEqualTo(6);
        assertThat(refusalRecords).as("aggregated").hasSizeLessThanOrEqualTo((int) (2 * keys * intervals))
                .allSatisfy(r -> assertThat(r).contains("\"decision\":\"unauthenticated\"", "\"client_address\":"));
        long counted = refusalRecords.stream()
                .mapToLong(r -> Long.parseLong(r.replaceAll(".*\"rows\":(\\d+).*", "$1"))).sum();
        assertThat(counted).as("every refusal is counted (the flood, then one PostgreSQL and one Avatica login)")
                .isBetween((long) FLOOD + 2, (long) FLOOD + 4);
    }
}

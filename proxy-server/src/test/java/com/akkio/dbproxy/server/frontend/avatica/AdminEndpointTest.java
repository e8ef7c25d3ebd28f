package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint scraped over HTTP, and policies reloaded without a restart. */
@LiveServerTest
class AdminEndpointTest {
    private static final String TOKEN = "a-test-admin-token-of-some-length";
    private final HttpClient http = HttpClient.newHttpClient();

    /** A copy of the demo configuration in {@code dir}, on free ports, with an admin token, that the test may edit. */
    private static Path copyDemo(Path dir) throws Exception {
        Path config = DemoConfig.copy(dir.resolve("conf"));
        return Files.writeString(config, Files.readString(config)
                .replace("admin_token: ${AKKIO_ADMIN_TOKEN:-}", "admin_token: " + TOKEN));
    }

    private HttpResponse<String> get(ProxyServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ProxyServer server, String path) throws Exception {
        return post(server, path, "Bearer " + TOKEN);
    }

    private HttpResponse<String> post(ProxyServer server, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort()
                + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void reloadingNeedsTheAdminTokenAndAPost(@TempDir Path dir) throws Exception {
        Path config = copyDemo(dir);
        Path acme = config.resolveSibling("policies/acme.yaml");
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(config), null)) {
            Files.writeString(acme, Files.readString(acme).replace("  - shared_ref.geo.*\n", ""));
            assertThat(post(server, "/reload", null).statusCode()).isEqualTo(401);
            assertThat(post(server, "/reload", "Bearer not-the-token-at-all-12345").statusCode()).isEqualTo(401);
            assertThat(post(server, "/reload", "Basic " + TOKEN).statusCode()).isEqualTo(401);
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.adminPort() + "/reload")).header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).as("GET reloads nothing").isEqualTo(405);
            String shared = "SELECT count(*) FROM shared_ref.geo.countries";
            try (Connection c = connect(server, "acme", "acme-secret")) {
                assertThat(scalar(c, shared)).as("nothing was reloaded").isEqualTo(8);
                assertThat(post(server, "/reload").statusCode()).isEqualTo(200);
                assertThatThrownBy(() -> scalar(c, shared)).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            }
        }
    }

    @Test
    void withoutATokenAdminWritesAreRefusedAndReadsServed(@TempDir Path dir) throws Exception {
        Path config = copyDemo(dir);
        Files.writeString(config, Files.readString(config).replace("admin_token: " + TOKEN, "admin_token: \"\""));
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(config), null)) {
            HttpResponse<String> refused = post(server, "/reload");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("server.admin_token");
            assertThat(get(server, "/metrics").statusCode()).isEqualTo(200);
        }
    }

    private static Connection connect(ProxyServer server, String tenant, String secret) throws SQLException {
        return SqlStates.connect("jdbc:akkio://127.0.0.1:" + server.port(),
                DemoProxy.credentials(tenant, secret));
    }


    @Test
    void policyDecisionsAreCountedByWhereTheyCameFrom(@TempDir Path dir) throws Exception {
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(copyDemo(dir)), null);
             Connection acme = connect(server, "acme", "acme-secret")) {
            long previous = Long.MAX_VALUE;
            for (int threshold : new int[] {1, 20, 40, 60, 60}) {
                long over = scalar(acme, "SELECT count(*) FROM orders WHERE amount > " + threshold);
                assertThat(over).isLessThanOrEqualTo(previous);
                previous = over;
            }
            String body = get(server, "/metrics").body();
            // the first two texts of the shape are decided in full, the next two from its template, the last
            // (a repeat) from the memo
            assertThat(body).contains("akkio_policy_decisions_total{source=\"template\"} 2.0",
                    "akkio_policy_decisions_total{source=\"memo\"} 1.0",
                    "akkio_policy_decisions_total{source=\"full\"} 2.0");
        }
    }

    @Test
    void queriesRunAgainAreCountedOnTheirConnectionsKeptPlan(@TempDir Path dir) throws Exception {
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(copyDemo(dir)), null);
             Connection acme = connect(server, "acme", "acme-secret")) {
            for (int i = 0; i < 3; i++) {
                assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
            for (int i = 0; i < 2; i++) {
                try (java.sql.PreparedStatement p = acme.prepareStatement("SELECT count(*) FROM customers");
                     java.sql.ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            // each text planned once; the other runs (two statements, one prepared statement) on the kept plan
            assertThat(get(server, "/metrics").body()).contains(
                    "akkio_backend_plans_total{plan=\"planned\",tenant=\"acme\"} 2.0",
                    "akkio_backend_plans_total{plan=\"kept\",tenant=\"acme\"} 3.0");
        }
    }

    @Test
    void metricsHealthAndReadiness(@TempDir Path dir) throws Exception {
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(copyDemo(dir)), null);
             Connection acme = connect(server, "acme", "acme-secret")) {
            scalar(acme, "SELECT count(*) FROM orders");
            assertThatThrownBy(() -> scalar(acme, "SELECT * FROM globex_prod.sales.orders"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> connect(server, "acme", "nope")).isInstanceOf(SQLException.class);
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("akkio_statements_total{code=\"ALLOWED\",decision=\"allow\",tenant=\"acme\"}")
                    .contains("akkio_statements_total{code=\"OBJECT_NOT_READABLE\",decision=\"deny\",tenant=\"acme\"}")
                    .contains("akkio_statement_duration_seconds_bucket{tenant=\"acme\"")
                    .contains("akkio_authentication_failures_total")
                    .contains("akkio_open_connections{tenant=\"acme\"} 1.0")
                    .contains("hikaricp_connections_active{pool=\"demo-acme\"}")
                    .contains("akkio_audit_write_seconds")
                    .contains("akkio_policy_decision_seconds{quantile=\"0.5\"")
                    .containsPattern("akkio_policy_decision_seconds_count [1-9]");
            assertThat(get(server, "/health").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(server, "/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"ready\"");
            assertThat(post(server, "/metrics").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void policiesReloadWithoutRestartAndBadFilesAreRefused(@TempDir Path dir) throws Exception {
        Path config = copyDemo(dir);
        Path globexPolicy = config.resolveSibling("policies/globex.yaml");
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(config), null)) {
            Connection globex = connect(server, "globex", "globex-secret");
            assertThatThrownBy(() -> scalar(globex, "SELECT count(*) FROM shared_ref.geo.countries"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));

            Files.writeString(globexPolicy, Files.readString(globexPolicy)
                    .replace("  - globex_prod.sales.*", "  - globex_prod.sales.*\n  - shared_ref.geo.*"));
            HttpResponse<String> reloaded = post(server, "/reload");
            assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
            assertThat(reloaded.body()).contains("updated");
            assertThat(scalar(globex, "SELECT count(*) FROM shared_ref.geo.countries"))
                    .as("the open connection follows the new policy").isEqualTo(8);

            String good = Files.readString(globexPolicy);
            Files.writeString(globexPolicy, good.replace("max_rows: 1000", "max_rows: -5"));
            HttpResponse<String> refused = post(server, "/reload");
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(refused.body()).contains("max_rows");
            assertThat(scalar(globex, "SELECT count(*) FROM shared_ref.geo.countries"))
                    .as("the old policy stays in force").isEqualTo(8);

            Files.writeString(globexPolicy, good);
            String proxyYaml = Files.readString(config);
            Files.writeString(config, proxyYaml.substring(0, proxyYaml.indexOf("  globex:")));
            assertThat(post(server, "/reload").statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> scalar(globex, "SELECT 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
            assertThatThrownBy(() -> connect(server, "globex", "globex-secret"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
            assertThat(server.activeBackendConnections()).as("the removed tenant's connection was closed").isZero();
            assertThatThrownBy(globex::close).isInstanceOf(SQLException.class);
        }
    }

    /** A leaked tenant secret is revoked by a new hash and a reload: refused from the next request, no restart. */
    @Test
    void aReplacedSecretIsRefusedFromTheNextRequestAfterAReload(@TempDir Path dir) throws Exception {
        Path config = copyDemo(dir);
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(config), null)) {
            Connection leaked = connect(server, "acme", "acme-secret");
            assertThat(scalar(leaked, "SELECT count(*) FROM orders")).isEqualTo(1000);
            String yaml = Files.readString(config);
            String oldHash = yaml.substring(yaml.indexOf("sha256:"), yaml.indexOf('"', yaml.indexOf("sha256:")));
            Files.writeString(config, yaml.replace(oldHash,
                    com.akkio.dbproxy.server.config.SecretHash.create("acme-rotated").encoded()));
            assertThat(post(server, "/reload").statusCode()).isEqualTo(200);

            assertThatThrownBy(() -> scalar(leaked, "SELECT count(*) FROM orders"))
                    .as("the open connection of the old secret").isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("28000"));
            assertThatThrownBy(() -> connect(server, "acme", "acme-secret"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
            try (Connection rotated = connect(server, "acme", "acme-rotated")) {
                assertThat(scalar(rotated, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
            try (Connection globex = connect(server, "globex", "globex-secret")) {
                assertThat(scalar(globex, "SELECT count(*) FROM orders")).as("other tenants untouched")
                        .isEqualTo(500);
            }
            assertThatThrownBy(leaked::close).as("not even a close with the old secret")
                    .isInstanceOf(SQLException.class);
        }
    }
}

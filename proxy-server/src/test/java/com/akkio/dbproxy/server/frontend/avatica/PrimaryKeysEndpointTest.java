package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Base64;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.calcite.avatica.AvaticaConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy's primary-keys endpoint over raw HTTP, as a hostile client would call it: bound to the tenant like the
 * cancel request (another tenant's connection id is unknown), and answering only for tables the tenant may read,
 * under logical names.
 */
@LiveServerTest
class PrimaryKeysEndpointTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String tenant, String secret, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.get().server.port()
                        + "/akkio/primary-keys")).header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((tenant + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersForTheTenantsOwnConnectionAndReadableTablesOnly() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            String id = acme.unwrap(AvaticaConnection.class).id;
            HttpResponse<String> own = post("acme", "acme-secret", "connection_id=" + id + "&schema=sales&table=orders");
            assertThat(own.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(own.body()).path("rows").toString())
                    .isEqualTo("[[\"main\",\"sales\",\"orders\",\"order_id\",1,null]]");
            HttpResponse<String> physical = post("acme", "acme-secret", "connection_id=" + id
                    + "&catalog=globex_prod&schema=sales&table=orders");
            assertThat(JSON.readTree(physical.body()).path("rows").size()).as("another tenant's table").isZero();
            HttpResponse<String> foreign = post("globex", "globex-secret", "connection_id=" + id + "&table=orders");
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(foreign.body()).contains("08003").contains("UNKNOWN_HANDLE").doesNotContain("order_id");
            assertThat(post("acme", "wrong", "connection_id=" + id + "&table=orders").statusCode()).isEqualTo(401);
            HttpResponse<String> noTable = post("acme", "acme-secret", "connection_id=" + id);
            assertThat(noTable.statusCode()).isEqualTo(400);
            assertThat(noTable.body()).contains("names no table");
        }
    }
}

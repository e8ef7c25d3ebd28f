package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.audit.Sha256;
import com.akkio.dbproxy.server.config.ProxyVersion;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operators tell JDBC tools apart in the audit log: the client jar sends {@code akkio-jdbc/<version>} and the
 * application's name ({@code application_name}, in the URL or as a property, as pgjdbc has it) as its user agent,
 * where every JDBC client was {@code Apache-HttpClient/5.5 (Java/17)}.
 */
@LiveServerTest
class JdbcUserAgentTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The user agents of the audit records of {@code sql}. */
    private static List<String> userAgentsOf(String sql) throws Exception {
        String hash = Sha256.hex(sql);
        return Files.readAllLines(proxy.get().auditLog).stream().map(JdbcUserAgentTest::parse)
                .filter(r -> hash.equals(r.path("sql_sha256").asText())).map(r -> r.path("user_agent").asText())
                .toList();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private static void run(Connection c, String sql) throws Exception {
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void theAuditRecordsTheDriverAndTheApplicationsName() throws Exception {
        String driver = "akkio-jdbc/" + ProxyVersion.get();
        run(DriverManager.getConnection(proxy.get().clientUrl() + "?application_name=Report%20Builder",
                DemoProxy.credentials("acme", "acme-secret")), "SELECT 1 AS from_the_url");
        Properties named = DemoProxy.credentials("acme", "acme-secret");
        named.setProperty("application_name", "nightly-export");
        run(DriverManager.getConnection(proxy.get().clientUrl(), named), "SELECT 2 AS from_a_property");
        run(proxy.get().acme(), "SELECT 3 AS unnamed");
        assertThat(userAgentsOf("SELECT 1 AS from_the_url")).isNotEmpty()
                .containsOnly(driver + " (Report Builder)");
        assertThat(userAgentsOf("SELECT 2 AS from_a_property")).isNotEmpty()
                .containsOnly(driver + " (nightly-export)");
        assertThat(userAgentsOf("SELECT 3 AS unnamed")).isNotEmpty().containsOnly(driver);
    }
}

package com.akkio.dbproxy.server.frontend.avatica;

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
import java.sql.Statement;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An audit log that cannot be written (here: every write fails with ENOSPC) stops statements from running. */
@LiveServerTest
class AuditFailureTest {

    @Test
    void aStatementThatCannotBeAuditedIsRefusedAndTheLostRecordsAreCounted(@TempDir Path dir) throws Exception {
        Files.createSymbolicLink(dir.resolve("audit.jsonl"), Path.of("/dev/full"));
        try (DemoProxy proxy = DemoProxy.builder().start(dir); Connection acme = proxy.acme();
             Statement s = acme.createStatement()) {
            for (String sql : new String[] {"SELECT count(*) FROM orders", "SELECT 1"}) {
                assertThatThrownBy(() -> s.executeQuery(sql)).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08006");
                    assertThat(e.getErrorCode()).isEqualTo(2301);
                    assertThat(e.getMessage()).contains("AUDIT_UNAVAILABLE: the statement was not run because it"
                            + " could not be audited");
                });
            }
            // a denial is answered for its own rule; its record, written after the answer, is lost and counted
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM globex_prod.sales.orders"))
                    .isInstanceOfSatisfying(SQLException.class,
                            e -> assertThat(e.getMessage()).contains("OBJECT_NOT_READABLE"));
            assertThat(failuresCounted(proxy)).isEqualTo("3.0");
        }
    }

    /** The failure counter, once the last answer's deferred record has been tried (a bounded wait). */
    private static String failuresCounted(DemoProxy proxy) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String counted = null;
        for (int attempt = 0; attempt < 100 && !"3.0".equals(counted); attempt++) {
            Thread.sleep(attempt == 0 ? 0 : 50);
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server.adminPort()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            counted = body.lines().filter(l -> l.startsWith("akkio_audit_write_failures_total "))
                    .map(l -> l.substring(l.indexOf(' ') + 1)).findFirst().orElse(null);
        }
        return counted;
    }
}

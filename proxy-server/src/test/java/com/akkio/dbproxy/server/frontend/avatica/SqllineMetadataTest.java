package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqlline's metadata commands, as a user types them, with sqlline's jar and the client jar alone: {@code !tables},
 * {@code !columns} and {@code !describe} with the name in capitals (they once listed nothing, the driver claiming
 * upper-case identifiers over a lower-case backend), {@code !primarykeys}, and the product sqlline reports.
 */
@LiveServerTest
@SlowTest
class SqllineMetadataTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    @Test
    void tablesColumnsDescribeAndPrimaryKeysListTheTenantsOwn(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("metadata.sql"), String.join("\n",
                "!tables", "!columns ORDERS", "!describe ORDERS", "!primarykeys orders",
                "!metadata getDatabaseProductVersion", ""));
        Path sqlline = Path.of(sqlline.SqlLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClientProcess.Result result = ClientProcess.run(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                sqlline + java.io.File.pathSeparator + ClientProcess.CLIENT_JAR, "sqlline.SqlLine",
                "-d", "com.akkio.dbproxy.jdbc.Driver", "-u", proxy.get().clientUrl(), "-n", "acme",
                "-p", "acme-secret", "--outputformat=csv", "--maxWidth=200", "-f", script.toString()),
                Map.of(), Duration.ofSeconds(120));
        assertThat(result.finished()).as("sqlline finished in time").isTrue();
        String out = result.output();
        assertThat(out).as("!tables (of the connection's catalog)").contains("'main','sales','orders','TABLE'")
                .doesNotContain("globex");
        assertThat(out).as("!columns ORDERS and !describe ORDERS")
                .containsPattern("(?s)'main','sales','orders','order_id'.*'main','sales','orders','order_id'")
                .contains("'main','sales','orders','tenant_tag'");
        assertThat(out).as("!primarykeys").contains("'main','sales','orders','order_id','1'");
        assertThat(out).as("!metadata").contains("(DuckDB v1.");
        assertThat(out).doesNotContain("Error:").doesNotContain("Exception").doesNotContain("is not supported");
        assertThat(result.exitCode()).isZero();
    }
}

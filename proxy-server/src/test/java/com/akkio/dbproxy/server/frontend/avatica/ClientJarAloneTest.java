package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shaded client jar on its own, as users load it: in a class loader that sees nothing of the test's class path
 * (whose Jackson and Avatica would hide a broken jar), in sqlline's JVM, and through JayDeBeApi, each against a
 * protobuf and a JSON server. The JSON case once failed with {@code NoSuchMethodError: JsonProperty.isRequired()}
 * because the jar bundled jackson-annotations 2.18 with jackson-databind 2.20.
 */
@LiveServerTest
class ClientJarAloneTest {
    @RegisterExtension
    static final DemoProxyExtension PROTOBUF = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    @RegisterExtension
    static final DemoProxyExtension JSON = DemoProxyExtension.of(DemoProxy.builder().unthrottled()
            .serialization(ProxyConfig.Serialization.JSON));

    @BeforeAll
    static void theJarIsBuilt() {
        assertThat(ClientProcess.CLIENT_JAR).as("the shaded client jar is built before the server's tests").exists();
    }

    private static DemoProxy server(ProxyConfig.Serialization serialization) {
        return (serialization == ProxyConfig.Serialization.JSON ? JSON : PROTOBUF).get();
    }

    @ParameterizedTest
    @EnumSource(ProxyConfig.Serialization.class)
    void theJarAloneInAPlainClassLoaderQueriesAndReportsErrorsWithTheirSqlState(
            ProxyConfig.Serialization serialization) throws Exception {
        DemoProxy proxy = server(serialization);
        // the platform loader as parent: java.sql and the JDK, nothing from the application class path
        try (URLClassLoader alone = new URLClassLoader(new URL[] {ClientProcess.CLIENT_JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Driver driver = (Driver) alone.loadClass("com.akkio.dbproxy.jdbc.Driver").getDeclaredConstructor()
                    .newInstance();
            assertThat(alone.loadClass("com.fasterxml.jackson.databind.ObjectMapper").getClassLoader())
                    .as("Jackson comes from the jar").isSameAs(alone);
            try (Connection c = SqlStates.checked(driver.connect(proxy.clientUrl(),
                    DemoProxy.credentials("acme", "acme-secret")));
                 Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT order_id, amount, ordered_at, tenant_tag FROM orders"
                        + " WHERE order_id = 1")) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getLong(1)).isEqualTo(1);
                    assertThat(r.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal("1.37"));
                    assertThat(r.getString(3)).startsWith("2025-01-01 03:00:00");
                    assertThat(r.getString(4)).isEqualTo("acme");
                }
                assertThatThrownBy(() -> s.executeQuery("SELECT * FROM globex_prod.sales.orders"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("42501");
                            assertThat(e.getMessage()).contains("OBJECT_NOT_READABLE");
                        });
            }
        }
    }

    @SlowTest
    @ParameterizedTest
    @EnumSource(ProxyConfig.Serialization.class)
    void sqllineWithOnlyItsJarAndTheClientJarPrintsAQueryResult(ProxyConfig.Serialization serialization)
            throws Exception {
        Path sqlline = Path.of(sqlline.SqlLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-cp",
                sqlline + java.io.File.pathSeparator + ClientProcess.CLIENT_JAR, "sqlline.SqlLine",
                "-d", "com.akkio.dbproxy.jdbc.Driver", "-u", server(serialization).clientUrl(),
                "-n", "acme", "-p", "acme-secret", "--outputformat=csv", "--maxWidth=160",
                "-e", "SELECT tenant_tag, count(*) AS n FROM orders GROUP BY tenant_tag;"));
        ClientProcess.Result result = ClientProcess.run(command, Map.of(), Duration.ofSeconds(120));
        assertThat(result.finished()).as("sqlline finished in time").isTrue();
        assertThat(result.output()).contains("'tenant_tag','n'", "'acme','1000'");
        assertThat(result.exitCode()).isZero();
    }

    @SlowTest
    @Test
    void jayDeBeApiLoadsTheJarAsItLoadsAnyDriverWithBothSerializations() throws Exception {
        Path jaydebeapi = Path.of("../../shared/clients/jaydebeapi");
        assumeTrue(Files.isDirectory(jaydebeapi), "JayDeBeApi is not at " + jaydebeapi.toAbsolutePath());
        assumeTrue(ClientProcess.pythonHas("jpype"), "python3-jpype not installed");
        ClientProcess.Result result = ClientProcess.run(List.of(ClientProcess.PYTHON.toString(),
                        "src/test/python/jaydebeapi_check.py", ClientProcess.CLIENT_JAR.toAbsolutePath().toString(),
                        Integer.toString(PROTOBUF.get().server.port()), Integer.toString(JSON.get().server.port())),
                Map.of("PYTHONPATH", jaydebeapi.toAbsolutePath().normalize().toString()), Duration.ofSeconds(180));
        assertThat(result.finished()).as("python finished in time").isTrue();
        assertThat(result.output()).contains("jaydebeapi: 2 passed, 0 failed");
        assertThat(result.exitCode()).isZero();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

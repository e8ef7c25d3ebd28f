package com.akkio.dbproxy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class AkkioUrlTest {
    @Test
    void translatesToAvaticaWithCredentialsAsPropertiesOnly() throws Exception {
        AkkioUrl url = AkkioUrl.parse("jdbc:akkio://127.0.0.1:8765");
        assertThat(url.avaticaUrl()).isEqualTo(
                "jdbc:avatica:remote:url=http://127.0.0.1:8765;serialization=protobuf;authentication=BASIC");
        Properties info = new Properties();
        info.setProperty("user", "acme");
        info.setProperty("password", "s3cret");
        Properties p = url.avaticaProperties(info);
        assertThat(p.getProperty("avatica_user")).isEqualTo("acme");
        assertThat(p.getProperty("avatica_password")).isEqualTo("s3cret");
        assertThat(url.avaticaUrl()).doesNotContain("s3cret").doesNotContain("acme");
    }

    @Test
    void parametersSelectTlsSerializationAndTrust() throws Exception {
        AkkioUrl url = AkkioUrl.parse("jdbc:akkio://proxy.example:443/?tls=true&serialization=JSON"
                + "&truststore=/etc/t.p12&truststore_password=pw&timeout_ms=5000");
        assertThat(url.avaticaUrl()).isEqualTo(
                "jdbc:avatica:remote:url=https://proxy.example:443;serialization=json;authentication=BASIC");
        Properties p = url.avaticaProperties(new Properties());
        assertThat(p.getProperty("truststore")).isEqualTo("/etc/t.p12");
        assertThat(p.getProperty("http_response_timeout")).isEqualTo("5000");
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> AkkioUrl.parse("jdbc:akkio://h:1?user=x")).isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
                .hasMessageContaining("unknown URL parameter 'user'");
        assertThatThrownBy(() -> AkkioUrl.parse("jdbc:akkio://h")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> AkkioUrl.parse("jdbc:akkio://h:x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> AkkioUrl.parse("jdbc:akkio://h:1?serialization=xml")).hasMessageContaining("protobuf");
    }

    @Test
    void registeredAndOnlyForItsOwnUrls() throws Exception {
        assertThat(DriverManager.getDriver("jdbc:akkio://127.0.0.1:1")).isInstanceOf(Driver.class);
        Driver d = new Driver();
        assertThat(d.acceptsURL("jdbc:avatica:remote:url=http://x")).isFalse();
        assertThat(d.connect("jdbc:postgresql://x/y", new Properties())).isNull();
    }

    @Test
    void nothingListeningFailsPromptlyWithAConnectionError() {
        Properties info = new Properties();
        info.setProperty("user", "acme");
        info.setProperty("password", "x");
        long start = System.nanoTime();
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:akkio://127.0.0.1:1?timeout_ms=2000", info))
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("08001");
                    assertThat(e.getMessage()).contains("127.0.0.1:1").doesNotContain("x\"");
                });
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(20_000);
    }

    @Test
    void theUserAgentNamesTheDriverAndTheApplication() throws Exception {
        String driver = "akkio-jdbc/" + ClientVersion.get();
        assertThat(AkkioUrl.parse("jdbc:akkio://h:1").userAgent(new Properties())).isEqualTo(driver);
        assertThat(AkkioUrl.parse("jdbc:akkio://h:1?application_name=sqlline").userAgent(new Properties()))
                .isEqualTo(driver + " (sqlline)");
        Properties named = new Properties();
        named.setProperty("application_name", "Metabase (prod)\n\u00e9x");
        assertThat(AkkioUrl.parse("jdbc:akkio://h:1").userAgent(named)).isEqualTo(driver + " (Metabase prodx)");
        assertThat(AkkioUrl.parse("jdbc:akkio://h:1?application_name=" + "a".repeat(100)).userAgent(null))
                .isEqualTo(driver + " (" + "a".repeat(64) + ")");
        assertThat(ClientVersion.get()).as("the build's version, filtered into the jar").matches("\\d+\\.\\d+.*");
    }

    @Test
    void theUrlShownToToolsKeepsEverythingButTheTrustStorePassword() throws Exception {
        assertThat(AkkioUrl.parse("jdbc:akkio://proxy.example:443?tls=true&truststore=/etc/t.p12"
                + "&truststore_password=pw&application_name=BI%20tool").withoutSecrets())
                .isEqualTo("jdbc:akkio://proxy.example:443?tls=true&truststore=/etc/t.p12"
                        + "&application_name=BI%20tool");
    }
}

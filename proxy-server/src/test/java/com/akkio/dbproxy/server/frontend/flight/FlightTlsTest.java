package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SelfSigned;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flight SQL front end serves TLS from the keystore the other front ends use (server.tls). */
@LiveServerTest
class FlightTlsTest {
    @Test
    void flightServesTlsWithTheConfiguredKeystoreAndAnUntrustingClientIsRefused(@TempDir Path dir) throws Exception {
        SelfSigned cert = SelfSigned.create(dir);
        ProxyConfig.Tls tls = new ProxyConfig.Tls(cert.keystore(), cert.keystorePassword());
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(
                Files.readAllBytes(dir.resolve("server.crt"))) + "\n-----END CERTIFICATE-----\n";
        try (DemoProxy proxy = DemoProxy.builder().server(s -> new ProxyConfig.Server(s.host(), s.port(),
                s.serialization(), tls, s.maxRequestBytes(), s.idleConnectionTimeout(), s.maxConnectionsPerTenant(),
                s.adminPort(), s.postgres(), s.failedLogins(), s.admin(), s.flight())).start(dir.resolve("proxy"));
             BufferAllocator allocator = new RootAllocator()) {
            Location location = Location.forGrpcTls("127.0.0.1", proxy.flightPort());
            try (FlightClient client = FlightClient.builder(allocator, location).useTls()
                    .trustedCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).build()) {
                CallOption acme = client.authenticateBasicToken("acme", "acme-secret").orElseThrow();
                FlightSqlClient sql = new FlightSqlClient(client);
                try (FlightStream s = sql.getStream(sql.execute("SELECT count(*) FROM orders", acme)
                        .getEndpoints().get(0).getTicket(), acme)) {
                    assertThat(s.next()).isTrue();
                    assertThat(((Number) s.getRoot().getVector(0).getObject(0)).longValue()).isEqualTo(1000);
                }
            }
            try (FlightClient untrusting = FlightClient.builder(allocator, location).useTls().build()) {
                assertThatThrownBy(() -> untrusting.authenticateBasicToken("acme", "acme-secret"))
                        .isInstanceOf(FlightRuntimeException.class);
            }
        }
    }
}

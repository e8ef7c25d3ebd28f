package com.akkio.dbproxy.server.frontend.flight;

import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.rowCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.audit.Sha256;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.google.protobuf.Any;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tickets and prepared-statement handles are bound to the tenant that created them (another tenant's, a made-up one,
 * or one presented without a login is unknown or refused), and what Flight clients run is governed like everything
 * else: the row cap holds, a cancel stops the backend statement, each statement is audited with the client's agent.
 * With Arrow's own Flight SQL client, as ADBC and pyarrow speak the protocol.
 */
@LiveServerTest
class FlightTicketsTest {
    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private FlightFixture flight;
    private FlightClient client;
    private FlightSqlClient sql;

    @BeforeEach
    void connect() {
        flight = FlightFixture.connect(PROXY.get());
        client = flight.client;
        sql = flight.sql;
    }

    @AfterEach
    void close() throws Exception {
        flight.close();
    }

    @Test
    void aQueryTicketPresentedByAnotherTenantIsUnknownAndStaysTheOwners() throws Exception {
        CallOption acme = flight.login("acme");
        CallOption globex = flight.login("globex");
        FlightInfo info = sql.execute("SELECT order_id FROM orders WHERE order_id <= 7", acme);
        Ticket ticket = info.getEndpoints().get(0).getTicket();
        assertThatThrownBy(() -> rowCount(sql.getStream(ticket, globex))).isInstanceOfSatisfying(
                FlightRuntimeException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("UNKNOWN_HANDLE");
                });
        assertThat(rowCount(sql.getStream(ticket, acme))).isEqualTo(7);
        // a ticket is good for one stream
        assertThatThrownBy(() -> rowCount(sql.getStream(ticket, acme))).isInstanceOf(FlightRuntimeException.class)
                .hasMessageContaining("UNKNOWN_HANDLE");
    }

    @Test
    void aPreparedHandlePresentedByAnotherTenantIsUnknown() throws Exception {
        CallOption acme = flight.login("acme");
        CallOption globex = flight.login("globex");
        Result created = client.doAction(new Action("CreatePreparedStatement", Any.pack(
                FlightSql.ActionCreatePreparedStatementRequest.newBuilder()
                        .setQuery("SELECT count(*) FROM orders").build()).toByteArray()), acme).next();
        FlightSql.ActionCreatePreparedStatementResult prepared = Any.parseFrom(created.getBody())
                .unpack(FlightSql.ActionCreatePreparedStatementResult.class);
        FlightDescriptor execute = FlightDescriptor.command(Any.pack(FlightSql.CommandPreparedStatementQuery
                .newBuilder().setPreparedStatementHandle(prepared.getPreparedStatementHandle()).build())
                .toByteArray());
        assertThatThrownBy(() -> client.getInfo(execute, globex)).isInstanceOfSatisfying(
                FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
        FlightInfo info = client.getInfo(execute, acme);
        assertThat(rowCount(client.getStream(info.getEndpoints().get(0).getTicket(), acme))).isEqualTo(1);
        // closing it is the owner's alone as well
        Action close = new Action("ClosePreparedStatement", Any.pack(FlightSql.ActionClosePreparedStatementRequest
                .newBuilder().setPreparedStatementHandle(prepared.getPreparedStatementHandle()).build())
                .toByteArray());
        assertThatThrownBy(() -> client.doAction(close, globex).hasNext()).isInstanceOf(FlightRuntimeException.class);
        client.doAction(close, acme).hasNext();
        assertThatThrownBy(() -> client.getInfo(execute, acme)).isInstanceOf(FlightRuntimeException.class)
                .hasMessageContaining("UNKNOWN_HANDLE");
    }

    @Test
    void aCallWithoutALoginOrWithAMadeUpTokenIsUnauthenticated() {
        FlightDescriptor catalogs = FlightDescriptor.command(Any.pack(FlightSql.CommandGetCatalogs.getDefaultInstance())
                .toByteArray());
        assertThatThrownBy(() -> client.getInfo(catalogs)).isInstanceOfSatisfying(FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        CallOption forged = new CredentialCallOption(headers -> headers.insert("authorization",
                "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assertThatThrownBy(() -> client.getInfo(catalogs, forged)).isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }

    @Test
    void theTenantsRowCapHoldsOverFlight() throws Exception {
        CallOption acme = flight.login("acme");
        FlightInfo info = sql.execute("SELECT a.order_id FROM orders a, orders b", acme);
        assertThat(rowCount(sql.getStream(info.getEndpoints().get(0).getTicket(), acme))).isEqualTo(10_000);
    }

    @Test
    void cancelFlightInfoStopsTheBackendStatement() throws Exception {
        CallOption acme = flight.login("acme");
        String slow = "SELECT count(*) FROM orders a, orders b, orders c, orders d";
        FlightInfo info = sql.execute(slow, acme);
        CompletableFuture<Long> stream = CompletableFuture.supplyAsync(() -> {
            try {
                return rowCount(sql.getStream(info.getEndpoints().get(0).getTicket(), acme));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // wait until the statement runs in the backend (its forward record is written), then cancel it
        while (Files.readAllLines(PROXY.get().auditLog).stream().noneMatch(l -> l.contains(Sha256.hex(slow))
                && l.contains("\"event\":\"forward\""))) {
            Thread.sleep(20);
        }
        client.cancelFlightInfo(new CancelFlightInfoRequest(info), acme);
        assertThatThrownBy(() -> stream.get(60, TimeUnit.SECONDS)).hasMessageContaining("QUERY_CANCELLED");
    }

    @Test
    void aBatchOverTheStreamMemoryLimitEndsItsStreamWith54000AndNothingElse(@TempDir Path dir) throws Exception {
        try (DemoProxy small = DemoProxy.builder().unthrottled().server(s -> s.withFlight(
                new ProxyConfig.Flight(true, 0, s.flight().tokenTtl(), 1 << 20))).start(dir);
             FlightFixture own = FlightFixture.connect(small)) {
            FlightSqlClient ownSql = own.sql;
            CallOption acme = own.login("acme");
            FlightInfo wide = ownSql.execute("SELECT repeat('x', 2000) AS wide FROM orders", acme);
            assertThatThrownBy(() -> rowCount(ownSql.getStream(wide.getEndpoints().get(0).getTicket(), acme)))
                    .isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
                        assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
                        assertThat(e.getMessage()).contains("STREAM_MEMORY_EXCEEDED");
                    });
            FlightInfo narrow = ownSql.execute("SELECT order_id FROM orders", acme);
            assertThat(rowCount(ownSql.getStream(narrow.getEndpoints().get(0).getTicket(), acme))).isEqualTo(1000);
        }
    }

    @Test
    void aTenantRemovedByAReloadLosesItsTokensAtOnce(@TempDir Path dir) throws Exception {
        Path config = DemoConfig.copy(dir.resolve("conf"));
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().config(d -> config).start(dir);
             FlightFixture own = FlightFixture.connect(proxy)) {
            CallOption globex = own.login("globex");
            CallOption acme = own.login("acme");
            FlightSqlClient ownSql = own.sql;
            assertThat(rowCount(ownSql.getStream(ownSql.execute("SELECT 1", globex).getEndpoints().get(0)
                    .getTicket(), globex))).isEqualTo(1);
            String yaml = Files.readString(config);
            Files.writeString(config, yaml.substring(0, yaml.indexOf("  globex:")));
            proxy.server.reload();
            assertThatThrownBy(() -> ownSql.execute("SELECT 1", globex)).isInstanceOfSatisfying(
                    FlightRuntimeException.class,
                    e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
            assertThat(rowCount(ownSql.getStream(ownSql.execute("SELECT 1", acme).getEndpoints().get(0).getTicket(),
                    acme))).isEqualTo(1);
        }
    }

    @Test
    void everyStatementIsAuditedWithTheClientsUserAgent() throws Exception {
        CallOption acme = flight.login("acme");
        String query = "SELECT order_id FROM orders WHERE order_id <= 3";
        FlightInfo info = sql.execute(query, acme);
        assertThat(rowCount(sql.getStream(info.getEndpoints().get(0).getTicket(), acme))).isEqualTo(3);
        List<String> lines = Files.readAllLines(PROXY.get().auditLog).stream()
                .filter(l -> l.contains(Sha256.hex(query))).toList();
        assertThat(lines).as(String.join("\n", lines)).anyMatch(l -> l.contains("\"event\":\"forward\""))
                .anyMatch(l -> l.contains("\"event\":\"complete\"") && l.contains("\"rows\":3"))
                .allMatch(l -> l.contains("\"user_agent\":\"grpc-java"));
    }
}

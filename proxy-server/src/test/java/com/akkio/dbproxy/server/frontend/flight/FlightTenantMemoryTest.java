package com.akkio.dbproxy.server.frontend.flight;

import static com.akkio.dbproxy.server.Queries.scalar;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.CREATE;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.demoWithPolicyLine;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.labelled;
import static com.akkio.dbproxy.server.frontend.flight.FlightFixture.rowCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.flight.tenant_memory_mb} end to end through Arrow Java's FlightSqlClient: all of a tenant's Flight
 * streams and ingests share one allocator limit. Here the stream and the tenant limit are both 30 MB, and a batch of
 * {@link #WIDE} (47,104 rows of about 190 bytes, BatchSize's 2 MiB estimate) holds about 8.5 MB: one stream alone
 * holds at most three batches (one being sent, one in its root, one imported), fine; a stream whose client stops
 * reading keeps at least one; so two of acme's streams at once need more than acme's 30 MB, and a 25 MB ingest
 * beside a paused stream does too. What does not fit fails with {@code 54000 TENANT_MEMORY_EXCEEDED}, audited, the
 * ingest writing nothing; globex's streams meanwhile are untouched, and acme's next ones work again.
 */
@LiveServerTest
class FlightTenantMemoryTest {
    private static final long LIMIT = 30L << 20;
    private static final int ROWS = 1_000_000;
    private static final String WIDE = "SELECT i, repeat('x', 170) || i AS pad FROM range(" + ROWS + ") t(i)";

    /** The demo with acme's and globex's row caps above {@link #ROWS}. */
    private static DemoProxy start(Path dir) throws Exception {
        return DemoProxy.builder().unthrottled()
                .config(d -> demoWithPolicyLine(d, "max_rows", "max_rows: 2000000", "acme", "globex"))
                .server(s -> s.withFlight(new ProxyConfig.Flight(true, 0, s.flight().tokenTtl(), LIMIT, LIMIT)))
                .start(dir);
    }

    /** The rows of the rest of the stream, or the code of the error it ended with. */
    private static String outcome(FlightStream stream) {
        try {
            return "rows " + rowCount(stream);
        } catch (FlightRuntimeException e) {
            assertThat(e.status().code()).as(e.getMessage()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("rule: server.flight.tenant_memory_mb").contains("30 MB");
            return e.getMessage().substring(0, e.getMessage().indexOf(':'));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void twoOfATenantsStreamsOverItsLimitTogetherEndOneWith54000WhileAnotherTenantStreamsInFull(@TempDir Path dir)
            throws Exception {
        try (DemoProxy proxy = start(dir);
             FlightFixture flight = FlightFixture.connect(proxy)) {
            CallOption acme = flight.login("acme");
            CallOption globex = flight.login("globex");
            // the first stream: one batch read, then its client reads no more while the stream stays open
            FlightStream paused = flight.stream(acme, WIDE);
            assertThat(paused.next()).isTrue();
            long first = paused.getRoot().getRowCount();
            CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> outcome(flight.stream(globex,
                    WIDE)));
            List<String> acmes = new ArrayList<>();
            acmes.add(outcome(flight.stream(acme, WIDE)));
            acmes.add(outcome(paused));
            assertThat(acmes).as("one of acme's streams fails, the other reads every row")
                    .contains("TENANT_MEMORY_EXCEEDED").allMatch(o -> o.equals("TENANT_MEMORY_EXCEEDED")
                            || o.equals("rows " + ROWS) || o.equals("rows " + (ROWS - first)));
            assertThat(other.get(120, TimeUnit.SECONDS)).isEqualTo("rows " + ROWS);
            // the tenant's memory is back: its next stream reads in full
            assertThat(outcome(flight.stream(acme, WIDE))).isEqualTo("rows " + ROWS);
            assertThat(Files.readAllLines(proxy.auditLog)).anyMatch(l -> l.contains("\"tenant\":\"acme\"")
                    && l.contains("\"event\":\"complete\"") && l.contains("\"decision\":\"error\"")
                    && l.contains("\"code\":\"TENANT_MEMORY_EXCEEDED\""));
        }
    }

    @Test
    void anIngestBatchBesideAPausedStreamOverTheTenantLimitWritesNothingAndFitsOnceTheStreamEnds(@TempDir Path dir)
            throws Exception {
        try (DemoProxy proxy = start(dir);
             FlightFixture flight = FlightFixture.connect(proxy);
             // label "row i" padded to 250 characters: about 25 MB
             VectorSchemaRoot batch = labelled(flight.allocator, 90_000, i -> String.format("row %-246d", i));
             Connection jdbc = proxy.acme()) {
            CallOption acme = flight.login("acme");
            CallOption globex = flight.login("globex");
            try (FlightStream paused = flight.stream(acme, WIDE)) {
                assertThat(paused.next()).isTrue();
                assertThatThrownBy(() -> flight.ingest(acme, batch, "wide", CREATE)).isInstanceOfSatisfying(
                        FlightRuntimeException.class, e -> {
                            assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
                            assertThat(e.getMessage()).contains("TENANT_MEMORY_EXCEEDED")
                                    .contains("a batch of the ingest (90000 rows")
                                    .contains("rule: server.flight.tenant_memory_mb");
                        });
                // another tenant streams meanwhile
                assertThat(outcome(flight.stream(globex, WIDE))).isEqualTo("rows " + ROWS);
            }
            try (ResultSet tables = jdbc.getMetaData().getTables("main", "akkio_out", "wide", null)) {
                assertThat(tables.next()).as("nothing written, not even the table").isFalse();
            }
            assertThat(Files.readAllLines(proxy.auditLog)).anyMatch(l -> l.contains("\"tenant\":\"acme\"")
                    && l.contains("\"statement_type\":\"insert\"") && l.contains("\"decision\":\"error\"")
                    && l.contains("\"code\":\"54000\""));
            // with the stream closed the same batch fits
            assertThat(flight.ingest(acme, batch, "wide", CREATE)).isEqualTo(90_000);
            assertThat(scalar(jdbc, "SELECT count(*) FROM main.akkio_out.wide")).isEqualTo(90_000);
        }
    }
}

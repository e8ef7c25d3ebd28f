package com.akkio.dbproxy.server.frontend.flight;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableExistsOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableNotExistOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
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
    private static final Schema INGEST = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("label", ArrowType.Utf8.INSTANCE)));
    private static final TableDefinitionOptions CREATE = TableDefinitionOptions.newBuilder()
            .setIfNotExist(TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE)
            .setIfExists(TableExistsOption.TABLE_EXISTS_OPTION_FAIL).build();

    /** The demo with acme's and globex's row caps above {@link #ROWS}. */
    private static Path config(Path dir) throws java.io.IOException {
        Path config = DemoConfig.copy(dir.resolve("conf"));
        for (String tenant : List.of("acme", "globex")) {
            Path policy = config.resolveSibling("policies/" + tenant + ".yaml");
            Files.writeString(policy, Files.readString(policy).replaceFirst("(?m)^max_rows: .*$", "max_rows: 2000000"));
        }
        return config;
    }

    private static DemoProxy start(Path dir) throws Exception {
        return DemoProxy.builder().unthrottled().config(FlightTenantMemoryTest::config)
                .server(s -> s.withFlight(new ProxyConfig.Flight(true, 0, s.flight().tokenTtl(), LIMIT, LIMIT)))
                .start(dir);
    }

    private static FlightStream stream(FlightSqlClient sql, CallOption login, String query) {
        return sql.getStream(sql.execute(query, login).getEndpoints().get(0).getTicket(), login);
    }

    /** The rows of the rest of the stream, or the code of the error it ended with. */
    private static String outcome(FlightStream stream) {
        long n = 0;
        try (stream) {
            while (stream.next()) {
                n += stream.getRoot().getRowCount();
            }
            return "rows " + n;
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
             BufferAllocator allocator = new RootAllocator();
             FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1",
                     proxy.flightPort())).build()) {
            FlightSqlClient sql = new FlightSqlClient(client);
            CallOption acme = client.authenticateBasicToken("acme", "acme-secret").orElseThrow();
            CallOption globex = client.authenticateBasicToken("globex", "globex-secret").orElseThrow();
            // the first stream: one batch read, then its client reads no more while the stream stays open
            FlightStream paused = stream(sql, acme, WIDE);
            assertThat(paused.next()).isTrue();
            long first = paused.getRoot().getRowCount();
            CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> outcome(stream(sql, globex, WIDE)));
            List<String> acmes = new ArrayList<>();
            acmes.add(outcome(stream(sql, acme, WIDE)));
            acmes.add(outcome(paused));
            assertThat(acmes).as("one of acme's streams fails, the other reads every row")
                    .contains("TENANT_MEMORY_EXCEEDED").allMatch(o -> o.equals("TENANT_MEMORY_EXCEEDED")
                            || o.equals("rows " + ROWS) || o.equals("rows " + (ROWS - first)));
            assertThat(other.get(120, TimeUnit.SECONDS)).isEqualTo("rows " + ROWS);
            // the tenant's memory is back: its next stream reads in full
            assertThat(outcome(stream(sql, acme, WIDE))).isEqualTo("rows " + ROWS);
            assertThat(Files.readAllLines(proxy.auditLog)).anyMatch(l -> l.contains("\"tenant\":\"acme\"")
                    && l.contains("\"event\":\"complete\"") && l.contains("\"decision\":\"error\"")
                    && l.contains("\"code\":\"TENANT_MEMORY_EXCEEDED\""));
        }
    }

    /** {@code rows} rows: id i, label "row i" padded to 250 characters (about 25 MB at 90,000 rows). */
    private static VectorSchemaRoot wideRows(BufferAllocator allocator, int rows) {
        VectorSchemaRoot root = VectorSchemaRoot.create(INGEST, allocator);
        root.allocateNew();
        for (int i = 0; i < rows; i++) {
            ((BigIntVector) root.getVector("id")).setSafe(i, i);
            ((VarCharVector) root.getVector("label")).setSafe(i, String.format("row %-246d", i)
                    .getBytes(StandardCharsets.UTF_8));
        }
        root.setRowCount(rows);
        return root;
    }

    @Test
    void anIngestBatchBesideAPausedStreamOverTheTenantLimitWritesNothingAndFitsOnceTheStreamEnds(@TempDir Path dir)
            throws Exception {
        try (DemoProxy proxy = start(dir);
             BufferAllocator allocator = new RootAllocator();
             FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1",
                     proxy.flightPort())).build();
             VectorSchemaRoot batch = wideRows(allocator, 90_000);
             Connection jdbc = proxy.acme()) {
            FlightSqlClient sql = new FlightSqlClient(client);
            CallOption acme = client.authenticateBasicToken("acme", "acme-secret").orElseThrow();
            CallOption globex = client.authenticateBasicToken("globex", "globex-secret").orElseThrow();
            FlightSqlClient.ExecuteIngestOptions into = new FlightSqlClient.ExecuteIngestOptions("wide", CREATE,
                    "main", "akkio_out", Map.of());
            try (FlightStream paused = stream(sql, acme, WIDE)) {
                assertThat(paused.next()).isTrue();
                assertThatThrownBy(() -> sql.executeIngest(batch, into, acme)).isInstanceOfSatisfying(
                        FlightRuntimeException.class, e -> {
                            assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
                            assertThat(e.getMessage()).contains("TENANT_MEMORY_EXCEEDED")
                                    .contains("a batch of the ingest (90000 rows")
                                    .contains("rule: server.flight.tenant_memory_mb");
                        });
                // another tenant streams meanwhile
                assertThat(outcome(stream(sql, globex, WIDE))).isEqualTo("rows " + ROWS);
            }
            try (ResultSet tables = jdbc.getMetaData().getTables("main", "akkio_out", "wide", null)) {
                assertThat(tables.next()).as("nothing written, not even the table").isFalse();
            }
            assertThat(Files.readAllLines(proxy.auditLog)).anyMatch(l -> l.contains("\"tenant\":\"acme\"")
                    && l.contains("\"statement_type\":\"insert\"") && l.contains("\"decision\":\"error\"")
                    && l.contains("\"code\":\"54000\""));
            // with the stream closed the same batch fits
            assertThat(sql.executeIngest(batch, into, acme)).isEqualTo(90_000);
            assertThat(scalar(jdbc, "SELECT count(*) FROM main.akkio_out.wide")).isEqualTo(90_000);
        }
    }
}

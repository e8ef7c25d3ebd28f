package com.akkio.dbproxy.server.frontend.flight;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableExistsOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableNotExistOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the Flight tests share: Arrow Java's Flight SQL client of one proxy on 127.0.0.1 (its allocator, FlightClient
 * and FlightSqlClient, closed together), logged in as a demo tenant; the rows they ingest and the ingest call into
 * the write-back schema; a stream read to its end; the demo's configuration with a line of tenants' policies changed.
 */
public final class FlightFixture implements AutoCloseable {
    public final BufferAllocator allocator = new RootAllocator();
    public final FlightClient client;
    public final FlightSqlClient sql;

    private FlightFixture(int port) {
        client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port)).build();
        sql = new FlightSqlClient(client);
    }

    /** A client of {@code proxy}'s Flight port. */
    public static FlightFixture connect(DemoProxy proxy) {
        return connect(proxy.flightPort());
    }

    /** A client of the Flight port {@code port} on 127.0.0.1. */
    public static FlightFixture connect(int port) {
        return new FlightFixture(port);
    }

    /** The bearer token of {@code tenant}, logged in with the demo's secret for it ({@code <tenant>-secret}). */
    public CallOption login(String tenant) {
        return client.authenticateBasicToken(tenant, tenant + "-secret").orElseThrow();
    }

    /** The result of {@code query} run as {@code login}, as the one stream of its one endpoint. */
    public FlightStream stream(CallOption login, String query) {
        return sql.getStream(sql.execute(query, login).getEndpoints().get(0).getTicket(), login);
    }

    /** Reads {@code stream} to its end, closes it, and returns how many rows it had. */
    public static long rowCount(FlightStream stream) throws Exception {
        long n = 0;
        try (stream) {
            while (stream.next()) {
                n += stream.getRoot().getRowCount();
            }
        }
        return n;
    }

    @Override
    public void close() throws Exception {
        sql.close(); // closes the FlightClient
        allocator.close();
    }

    // ------------------------------------------------------------------ ingest

    /** The columns of {@link #rows}. */
    public static final Schema SCHEMA = new Schema(List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("label", ArrowType.Utf8.INSTANCE),
            Field.nullable("happened_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
            Field.nullable("amount", new ArrowType.Decimal(12, 2, 128))));
    /** The columns of {@link #labelled}. */
    public static final Schema ID_AND_LABEL = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("label", ArrowType.Utf8.INSTANCE)));

    public static TableDefinitionOptions mode(TableNotExistOption missing, TableExistsOption existing) {
        return TableDefinitionOptions.newBuilder().setIfNotExist(missing).setIfExists(existing).build();
    }

    /** Creates the table; one that exists already is an error. */
    public static final TableDefinitionOptions CREATE = mode(TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE,
            TableExistsOption.TABLE_EXISTS_OPTION_FAIL);
    /** Appends to the table; one that does not exist is an error. */
    public static final TableDefinitionOptions APPEND = mode(TableNotExistOption.TABLE_NOT_EXIST_OPTION_FAIL,
            TableExistsOption.TABLE_EXISTS_OPTION_APPEND);
    /** Creates the table or replaces the one there is. */
    public static final TableDefinitionOptions REPLACE = mode(TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE,
            TableExistsOption.TABLE_EXISTS_OPTION_REPLACE);

    /** Ingest options for {@code table} in the demo's write-back schema, {@code main.akkio_out}. */
    public static FlightSqlClient.ExecuteIngestOptions into(String table, TableDefinitionOptions mode) {
        return new FlightSqlClient.ExecuteIngestOptions(table, mode, "main", "akkio_out", Map.of());
    }

    /** Ingests {@code root} into {@code main.akkio_out.table} as {@code login}; the rows the proxy says it wrote. */
    public long ingest(CallOption login, VectorSchemaRoot root, String table, TableDefinitionOptions mode) {
        return sql.executeIngest(root, into(table, mode), login);
    }

    /** {@code rows} rows: id i, label "row i", happened_at 2024-01-01 00:00:00 plus i microseconds, amount i / 100. */
    public static VectorSchemaRoot rows(BufferAllocator allocator, int rows) {
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        root.allocateNew();
        for (int i = 0; i < rows; i++) {
            ((BigIntVector) root.getVector("id")).setSafe(i, i);
            ((VarCharVector) root.getVector("label")).setSafe(i, ("row " + i).getBytes(StandardCharsets.UTF_8));
            ((TimeStampMicroVector) root.getVector("happened_at")).setSafe(i, 1_704_067_200_000_000L + i);
            ((DecimalVector) root.getVector("amount")).setSafe(i, BigDecimal.valueOf(i, 2));
        }
        root.setRowCount(rows);
        return root;
    }

    /** {@code rows} rows of {@link #ID_AND_LABEL}: id i, label {@code label(i)}. */
    public static VectorSchemaRoot labelled(BufferAllocator allocator, int rows, IntFunction<String> label) {
        VectorSchemaRoot root = VectorSchemaRoot.create(ID_AND_LABEL, allocator);
        root.allocateNew();
        for (int i = 0; i < rows; i++) {
            ((BigIntVector) root.getVector("id")).setSafe(i, i);
            ((VarCharVector) root.getVector("label")).setSafe(i, label.apply(i).getBytes(StandardCharsets.UTF_8));
        }
        root.setRowCount(rows);
        return root;
    }

    /** {@code batches} batches of {@link #rows} ({@code rowsEach} each) as one Arrow IPC stream. */
    public static ArrowStreamReader batches(BufferAllocator allocator, int batches, int rowsEach) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = rows(allocator, rowsEach);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            for (int i = 0; i < batches; i++) {
                writer.writeBatch();
            }
            writer.end();
        }
        return new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), allocator);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * A copy of the demo's configuration in {@code dir/conf} ({@link DemoConfig#copy}) where the line setting
     * {@code key} in each of {@code tenants}' policies reads {@code line}; returns its proxy.yaml.
     */
    public static Path demoWithPolicyLine(Path dir, String key, String line, String... tenants) throws IOException {
        Path config = DemoConfig.copy(dir.resolve("conf"));
        for (String tenant : tenants) {
            Path policy = config.resolveSibling("policies/" + tenant + ".yaml");
            String yaml = Files.readString(policy);
            String changed = yaml.replaceFirst("(?m)^" + key + ": .*$", line);
            if (changed.equals(yaml) && !yaml.contains(line)) {
                throw new IllegalStateException(tenant + "'s policy has no line setting " + key);
            }
            Files.writeString(policy, changed);
        }
        return config;
    }
}

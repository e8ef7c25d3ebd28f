package com.akkio.dbproxy.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Flight SQL bulk ingest ({@code CommandStatementIngest}, as ADBC's drivers send it) of N rows of four columns into
 * acme's write-back schema, timed after one warm-up ingest of the same rows: what {@code bench/python_dataframe.py}
 * compares with a COPY through the PostgreSQL front end. Prints {@code ingest_seconds=S}.
 *
 * <p>usage: {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.FlightIngestClient FLIGHT_PORT ROWS}
 */
public final class FlightIngestClient {
    private FlightIngestClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int rows = Integer.parseInt(args[1]);
        Schema schema = new Schema(List.of(Field.nullable("i", new ArrowType.Int(64, true)),
                Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("label", ArrowType.Utf8.INSTANCE),
                Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
        try (BufferAllocator allocator = new RootAllocator();
             FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port))
                     .build();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            root.allocateNew();
            for (int i = 0; i < rows; i++) {
                ((BigIntVector) root.getVector(0)).setSafe(i, i);
                ((Float8Vector) root.getVector(1)).setSafe(i, i * 0.25);
                ((VarCharVector) root.getVector(2)).setSafe(i, ("row " + i).getBytes(StandardCharsets.UTF_8));
                ((TimeStampMicroVector) root.getVector(3)).setSafe(i, 1_735_689_600_000_000L + i * 1_000_000L);
            }
            root.setRowCount(rows);
            FlightSqlClient sql = new FlightSqlClient(client);
            CallOption acme = client.authenticateBasicToken("acme", "acme-secret").orElseThrow();
            TableDefinitionOptions create = TableDefinitionOptions.newBuilder()
                    .setIfNotExist(TableDefinitionOptions.TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE)
                    .setIfExists(TableDefinitionOptions.TableExistsOption.TABLE_EXISTS_OPTION_REPLACE).build();
            ingest(sql, acme, root, "flight_ingest_warm", create, rows);
            long start = System.nanoTime();
            ingest(sql, acme, root, "flight_ingest", create, rows);
            System.out.printf("ingest_seconds=%.3f%n", (System.nanoTime() - start) / 1e9);
        }
    }

    private static void ingest(FlightSqlClient sql, CallOption login, VectorSchemaRoot root, String table,
                               TableDefinitionOptions mode, int rows) {
        long written = sql.executeIngest(root, new FlightSqlClient.ExecuteIngestOptions(table, mode, "main",
                "akkio_out", Map.of()), login);
        if (written != rows) {
            throw new IllegalStateException("ingested " + written + " rows of " + rows);
        }
    }
}

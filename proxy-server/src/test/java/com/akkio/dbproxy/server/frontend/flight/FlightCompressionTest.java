package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IPC compression is negotiated per call ({@code x-akkio-arrow-compression}: zstd or lz4, any case): a client that
 * asks gets compressed batches (fewer bytes on the wire, the same values), one that does not gets plain ones, an
 * unknown codec is refused by name. pyarrow reading compressed results: {@code flight_client_check.py}
 * ({@link PyarrowFlightClientTest}).
 */
@LiveServerTest
class FlightCompressionTest {
    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static CallOption compression(String codec) {
        CallHeaders headers = new FlightCallHeaders();
        headers.insert("x-akkio-arrow-compression", codec);
        return new HeaderCallOption(headers);
    }

    /** Every row's values as Java objects (Arrow's getObject), in order. */
    private static List<List<Object>> values(FlightStream stream) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (stream) {
            while (stream.next()) {
                VectorSchemaRoot root = stream.getRoot();
                for (int r = 0; r < root.getRowCount(); r++) {
                    List<Object> row = new ArrayList<>();
                    for (FieldVector v : root.getFieldVectors()) {
                        row.add(String.valueOf(v.getObject(r)));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** The body bytes of a result's batches, as they travel (gRPC's own stub: no Arrow decoding in between). */
    private static long bodyBytes(Ticket ticket, String codec) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", PROXY.get().flightPort()).usePlaintext()
                .build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Basic "
                    + Base64.getEncoder().encodeToString("acme:acme-secret".getBytes(StandardCharsets.UTF_8)));
            if (codec != null) {
                headers.put(Metadata.Key.of("x-akkio-arrow-compression", Metadata.ASCII_STRING_MARSHALLER), codec);
            }
            FlightServiceGrpc.FlightServiceBlockingStub stub = FlightServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            long bytes = 0;
            Iterator<Flight.FlightData> data = stub.doGet(Flight.Ticket.newBuilder()
                    .setTicket(ByteString.copyFrom(ticket.getBytes())).build());
            while (data.hasNext()) {
                bytes += data.next().getDataBody().size();
            }
            return bytes;
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void batchesAreCompressedWithZstdOrLz4OnlyForAClientThatAsksAndAnUnknownCodecIsRefused() throws Exception {
        try (FlightFixture flight = FlightFixture.connect(PROXY.get())) {
            FlightSqlClient sql = flight.sql;
            CallOption acme = flight.login("acme");
            String query = "SELECT order_id, tenant_tag, repeat('x', 100) AS filler FROM orders";
            long plain = bodyBytes(sql.execute(query, acme).getEndpoints().get(0).getTicket(), null);
            List<List<Object>> plainRows = values(sql.getStream(sql.execute(query, acme).getEndpoints().get(0)
                    .getTicket(), acme));
            assertThat(plainRows).hasSize(1000);
            for (String codec : new String[] {"zstd", "lz4", "LZ4", "lz4_frame"}) {
                long packed = bodyBytes(sql.execute(query, acme).getEndpoints().get(0).getTicket(), codec);
                assertThat(packed).as(codec + " against " + plain + " plain bytes").isLessThan(plain / 4);
                // and Arrow Java's client (with arrow-compression on its class path) reads the plain values
                assertThat(values(sql.getStream(sql.execute(query, acme).getEndpoints().get(0).getTicket(), acme,
                        compression(codec)))).as(codec).isEqualTo(plainRows);
            }
            assertThat(bodyBytes(sql.execute(query, acme).getEndpoints().get(0).getTicket(), "none"))
                    .isEqualTo(plain);
            for (String refused : new String[] {"gzip", "snappy", "lz4_raw"}) {
                assertThatThrownBy(() -> sql.execute(query, acme, compression(refused)))
                        .isInstanceOfSatisfying(FlightRuntimeException.class,
                                e -> assertThat(e.getMessage()).contains("INVALID_COMPRESSION").contains(refused));
            }
        }
    }
}

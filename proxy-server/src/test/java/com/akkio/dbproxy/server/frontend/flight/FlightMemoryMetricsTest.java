package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Flight SQL front end's Arrow memory as operators see it: the admin endpoint's {@code /metrics} after a result
 * streamed to the Arrow Flight SQL JDBC driver, beside the JVM's direct buffer pool.
 */
@LiveServerTest
class FlightMemoryMetricsTest {
    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
    private static final String RESULT = "SELECT i, 'row ' || i AS label FROM range(10000) t(i)";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aStreamedResultShowsInThePeakAndItsMemoryIsReleasedAfterIt() throws Exception {
        DemoProxy proxy = PROXY.get();
        assertThat(proxy.server.flightMemory().allocatedBytes()).as("nothing streamed yet").isZero();
        Properties p = DemoProxy.credentials("acme", "acme-secret");
        p.setProperty("useEncryption", "false");
        long rows = 0;
        try (Connection c = DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:" + proxy.flightPort(), p);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(RESULT)) {
            while (rs.next()) {
                rows++;
            }
        }
        assertThat(rows).isEqualTo(10_000);
        // a batch of the result was held at once: more than a thousand BIGINTs, whatever the batch size
        assertThat(gauge("akkio_flight_arrow_peak_bytes")).isGreaterThan(8 * 1000);
        // the server closes the stream's allocators once its last batch is out, which may be just after the client
        // read it: wait for that, and fail if the memory stays held
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gauge("akkio_flight_arrow_allocated_bytes") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(gauge("akkio_flight_arrow_allocated_bytes")).as("a finished stream's Arrow memory").isZero();
        assertThat(proxy.server.flightMemory().peakBytes()).isEqualTo((long) gauge("akkio_flight_arrow_peak_bytes"));
    }

    @Test
    void theJvmsDirectBufferPoolIsInTheMetrics() throws Exception {
        assertThat(scrape()).containsPattern("jvm_buffer_memory_used_bytes\\{id=\"direct\"\\} [0-9.E]+")
                .contains("jvm_memory_used_bytes{area=\"heap\"");
    }

    private String scrape() throws Exception {
        int admin = PROXY.get().server.adminPort();
        assertThat(admin).as("the demo proxy's admin port").isPositive();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of an untagged gauge in the Prometheus text. */
    private double gauge(String name) throws Exception {
        return scrape().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(name + " is not in /metrics"));
    }
}

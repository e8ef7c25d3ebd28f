package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.ClientProcess;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's pyarrow.flight (installed by .ci/run from the machine's wheel index; not a Debian package) against the
 * Flight SQL front end: login, a query into pandas, results compressed with zstd and lz4 equal to plain ones, an
 * ingest pyarrow compressed with lz4 (linked blocks) and zstd, a denial with its rule, a refused login, another
 * tenant's ticket.
 */
@LiveServerTest
@SlowTest
class PyarrowFlightClientTest {
    private static final Path SCRIPT = Path.of("src/test/python/flight_client_check.py");

    @Test
    void pyarrowFlightReadsIntoPandasThroughTheGovernedFrontEnd(@TempDir Path dir) throws Exception {
        boolean ready = ClientProcess.pythonHas("pyarrow.flight", "pandas");
        if (System.getenv("CI") != null) {
            assertThat(ready).as("CI must have pyarrow (installed by .ci/run) and python3-pandas").isTrue();
        }
        assumeTrue(ready, "pyarrow / pandas not installed for /usr/bin/python3");
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir)) {
            Process p = new ProcessBuilder(ClientProcess.PYTHON.toString(), SCRIPT.toString(),
                    Integer.toString(proxy.flightPort())).redirectErrorStream(true).start();
            boolean finished = p.waitFor(180, TimeUnit.SECONDS);
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!finished) {
                p.destroyForcibly();
            }
            System.out.println(output);
            assertThat(finished).as("python finished in time").isTrue();
            assertThat(output).contains("flight-client: 8 passed, 0 failed");
            assertThat(p.exitValue()).isZero();
        }
    }
}

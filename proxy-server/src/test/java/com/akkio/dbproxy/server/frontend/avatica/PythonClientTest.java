package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python through the shaded client jar: Debian's python3-jpype ({@code jpype.dbapi2}) and pandas.read_sql against a
 * real proxy. {@code .ci/run} installs the Debian packages; outside CI the test is skipped when they are missing.
 */
@LiveServerTest
@SlowTest
class PythonClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path JAR = Path.of("../driver-shim/target/akkio-jdbc.jar");
    private static final Path SCRIPT = Path.of("src/test/python/python_client_check.py");

    private static boolean pythonReady() throws Exception {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import jpype.dbapi2, pandas")
                .redirectErrorStream(true).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void jpypeAndPandasReadThroughTheProxy(@TempDir Path dir) throws Exception {
        boolean ready = pythonReady();
        if (System.getenv("CI") != null) {
            assertThat(ready).as("CI must have python3-jpype and python3-pandas (installed by .ci/run)").isTrue();
        }
        assumeTrue(ready, "python3-jpype / python3-pandas not installed");
        assertThat(JAR).as("the shaded client jar is built before the server's tests").exists();
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir)) {
            Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), JAR.toAbsolutePath().toString(),
                    Integer.toString(proxy.server.port())).redirectErrorStream(true).start();
            boolean finished = p.waitFor(180, TimeUnit.SECONDS);
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!finished) {
                p.destroyForcibly();
            }
            System.out.println(output);
            assertThat(finished).as("python finished in time").isTrue();
            assertThat(output).contains("python-client: 5 passed, 0 failed");
            assertThat(p.exitValue()).isZero();
        }
    }
}

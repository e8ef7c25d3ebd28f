package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client program run as its own process against a test server (sqlline, Python, psql): the tests use clients the
 * way their users do, each with its own class path or interpreter, so nothing of the test's class path helps them.
 */
public final class ClientProcess {
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** The shaded client jar, which the driver-shim module builds before the server's tests run. */
    public static final Path CLIENT_JAR = Path.of("../driver-shim/target/akkio-jdbc.jar");

    private ClientProcess() {
    }

    /** What a finished (or killed) client printed, output and errors interleaved. */
    public record Result(boolean finished, int exitCode, String output) {
    }

    public static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        // read while it runs: a client printing more than a pipe holds would otherwise block forever
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("(output lost: ").append(e).append(')');
            }
        });
        reader.start();
        boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        String output = out.toString();
        System.out.println(output);
        return new Result(finished, finished ? p.exitValue() : -1, output);
    }

    /** True when Debian's python3 can import {@code modules}; in CI (CI set) they must be there. */
    public static boolean pythonHas(String... modules) throws IOException, InterruptedException {
        boolean ready = Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c",
                "import " + String.join(", ", modules)), Map.of(), Duration.ofSeconds(60)).exitCode() == 0;
        if (System.getenv("CI") != null) {
            assertThat(ready).as("CI must have the Python modules %s (installed by .ci/run)", List.of(modules))
                    .isTrue();
        }
        return ready;
    }
}

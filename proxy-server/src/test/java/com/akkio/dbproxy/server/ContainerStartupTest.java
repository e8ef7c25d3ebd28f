package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The image started the way Docker runs the compose file, without a Docker engine: in a mount namespace of its own
 * (unshare, as root, like CI), the root file system read-only, the compose file's tmpfs mounts ({@code /tmp} among
 * them) with Docker's noexec default and their own options, the log volume writable, and the JVM flags of the
 * Dockerfile's ENTRYPOINT. The container's paths live under {@link #ROOT} (a checkout may itself be under /tmp).
 * The proxy must become ready, answer a query and pass the compose health check; with {@code java.io.tmpdir} on the
 * container's noexec {@code /tmp} (the image before this test) it cannot load DuckDB, and says so in one line.
 */
@LiveServerTest
class ContainerStartupTest {
    private static final Path ROOT = Path.of("target/container").toAbsolutePath();
    private static final Pattern ADMIN = Pattern.compile("admin on port (\\d+)");
    private static final Pattern PORT = Pattern.compile("listening on http://[\\d.]+:(\\d+)");

    /** The Dockerfile's ENTRYPOINT, its /opt/akkio paths moved under {@link #ROOT}, and the jar the build made. */
    private static List<String> entrypoint() throws Exception {
        String dockerfile = Files.readString(Path.of("../Dockerfile"));
        Matcher m = Pattern.compile("(?m)^ENTRYPOINT (\\[.*])$").matcher(dockerfile);
        assertThat(m.find()).as("Dockerfile has an exec-form ENTRYPOINT").isTrue();
        List<String> command = new ArrayList<>();
        for (JsonNode arg : new ObjectMapper().readTree(m.group(1))) {
            String a = arg.asText();
            command.add(a.equals("/opt/akkio/akkio-proxy.jar") ? Path.of("target/akkio-proxy.jar").toAbsolutePath()
                    .toString() : a.replace("/opt/akkio", ROOT + "/opt/akkio"));
        }
        return command;
    }

    /** Mount commands for the compose file's tmpfs entries; Docker mounts tmpfs noexec,nosuid,nodev by default. */
    private static List<String> tmpfsMounts() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(Path.of("../docker-compose.yml").toFile());
        List<String> mounts = new ArrayList<>();
        for (JsonNode entry : compose.path("services").path("akkio-proxy").path("tmpfs")) {
            String[] parts = entry.asText().split(":", 2);
            String target = ROOT + parts[0];
            String options = "noexec,nosuid,nodev" + (parts.length > 1 ? "," + parts[1] : "");
            Files.createDirectories(Path.of(target)); // before the root is read-only
            mounts.add("mount -t tmpfs -o " + options + " tmpfs " + target);
        }
        return mounts;
    }

    private static Process startContained(List<String> command) throws Exception {
        Path config = DemoConfig.copy(ROOT.resolve("opt/akkio/conf"));
        Files.createDirectories(ROOT.resolve("opt/akkio/logs"));
        Files.createDirectories(ROOT.resolve("opt/akkio/tmp"));
        List<String> script = new ArrayList<>(List.of("set -e", "mount --make-rprivate /",
                "mount --rbind / /", "mount -o remount,bind,ro /"));
        script.addAll(tmpfsMounts());
        script.add("mount -t tmpfs tmpfs " + ROOT + "/opt/akkio/logs");
        script.add("cd " + ROOT + "/opt/akkio");
        script.add("exec " + String.join(" ", command) + " serve --config " + config + " --port 0");
        return new ProcessBuilder("unshare", "--mount", "sh", "-c", String.join("\n", script))
                .redirectErrorStream(true).start();
    }

    private static void assumeRootWithUnshare() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean unshare = new ProcessBuilder("unshare", "--mount", "true").start().waitFor() == 0;
        Assumptions.assumeTrue(root && unshare, "needs root and unshare (CI has both)");
    }

    @Test
    void theImageStartsOnAReadOnlyRootWithANoexecTmpAndPassesItsHealthCheck() throws Exception {
        assumeRootWithUnshare();
        Process proxy = startContained(entrypoint());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder log = new StringBuilder();
            int adminPort = -1;
            int port = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (adminPort < 0 && System.nanoTime() < deadline) {
                String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (java.io.IOException e) {
                        return null;
                    }
                }).get(90, TimeUnit.SECONDS);
                if (line == null) {
                    break;
                }
                log.append(line).append('\n');
                Matcher a = ADMIN.matcher(line);
                Matcher p = PORT.matcher(line);
                if (a.find() && p.find()) {
                    adminPort = Integer.parseInt(a.group(1));
                    port = Integer.parseInt(p.group(1));
                }
            }
            assertThat(adminPort).as("the proxy started:\n" + log).isPositive();
            JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(Path.of("../docker-compose.yml").toFile());
            String check = compose.path("services").path("akkio-proxy").path("healthcheck").path("test").get(3)
                    .asText().replace("127.0.0.1/8766", "127.0.0.1/" + adminPort);
            boolean healthy = false;
            while (!healthy && System.nanoTime() < deadline) {
                healthy = new ProcessBuilder("bash", "-c", check).start().waitFor() == 0;
                Thread.sleep(healthy ? 0 : 200);
            }
            assertThat(healthy).as("the compose health check passes").isTrue();
            try (Connection c = SqlStates.connect("jdbc:akkio://127.0.0.1:" + port,
                    DemoProxy.credentials("acme", "acme-secret"))) {
                assertThat(Queries.scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
        } finally {
            proxy.destroy();
            if (!proxy.waitFor(30, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
    }

    @Test
    void withTheTempDirectoryOnTheNoexecTmpDuckDbCannotLoadAndTheProxySaysWhyInOneLine() throws Exception {
        assumeRootWithUnshare();
        List<String> command = new ArrayList<>(entrypoint());
        command.replaceAll(a -> a.startsWith("-Djava.io.tmpdir=") ? "-Djava.io.tmpdir=" + ROOT + "/tmp" : a);
        Process proxy = startContained(command);
        assertThat(proxy.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String output = new String(proxy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proxy.exitValue()).isEqualTo(2);
        assertThat(output.lines().filter(l -> l.startsWith("error: "))).singleElement().satisfies(l -> assertThat(l)
                .contains("DuckDB's native library cannot be loaded from java.io.tmpdir (" + ROOT + "/tmp)")
                .contains("failed to map segment"));
        assertThat(output).doesNotContain("\tat ");
    }
}

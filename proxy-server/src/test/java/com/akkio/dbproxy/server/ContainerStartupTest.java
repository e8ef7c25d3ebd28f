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
 * Dockerfile's ENTRYPOINT, run by a JDK of the image's Java version, on the AOT cache the image's build makes (its
 * training run, with the ENTRYPOINT's options). The container's paths live under {@link #ROOT} (a checkout may
 * itself be under /tmp). The proxy must become ready on that cache without a word from the JVM about it, answer a
 * query and pass the compose health check; with {@code java.io.tmpdir} on the container's noexec {@code /tmp} (the
 * image before this test) it cannot load DuckDB, and says so in one line.
 */
@LiveServerTest
class ContainerStartupTest {
    private static final Path ROOT = Path.of("target/container").toAbsolutePath();
    private static final Pattern ADMIN = Pattern.compile("admin on port (\\d+)");
    private static final Pattern PORT = Pattern.compile("listening on http://[\\d.]+:(\\d+)");

    private static final String CACHE_OPTION = "-XX:AOTCache=";
    /** Whether this JVM made the cache: one left by an earlier build is of another jar, which the JVM would refuse. */
    private static boolean trained;

    /**
     * The Dockerfile's ENTRYPOINT, its /opt/akkio paths moved under {@link #ROOT}, the jar the build made, and the
     * image's Java ({@link #imageJava}); the first time, the image build's training run makes the AOT cache it names.
     */
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
        assertThat(command.get(0)).isEqualTo("java");
        command.set(0, imageJava(dockerfile).toString());
        train(command);
        return command;
    }

    /** A JDK of the version the Dockerfile's base image has ({@code -Dakkio.image.java}, else one in /usr/lib/jvm). */
    private static Path imageJava(String dockerfile) throws Exception {
        Matcher from = Pattern.compile("(?m)^FROM eclipse-temurin:(\\d+)-jre$").matcher(dockerfile);
        assertThat(from.find()).as("the Dockerfile's base image is Temurin's JRE").isTrue();
        String given = System.getProperty("akkio.image.java");
        if (given != null) {
            return Path.of(given);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (var homes = Files.list(jvms)) {
                for (Path home : homes.sorted().toList()) {
                    Path release = home.resolve("release");
                    if (Files.isRegularFile(release) && Files.isExecutable(home.resolve("bin/java"))
                            && Files.readString(release).contains("JAVA_VERSION=\"" + from.group(1) + ".")) {
                        return home.resolve("bin/java");
                    }
                }
            }
        }
        Assumptions.abort("no Java " + from.group(1) + " (the image's) here: set -Dakkio.image.java");
        return null;
    }

    /**
     * The image build's training run, once: the ENTRYPOINT's JVM with the AOT cache it names as its output, on the
     * training configuration the Dockerfile copies (the demo with the warm-up, stopped once ready).
     */
    private static synchronized void train(List<String> entrypoint) throws Exception {
        String cacheOption = entrypoint.stream().filter(a -> a.startsWith(CACHE_OPTION)).findFirst().orElseThrow();
        Path cache = Path.of(cacheOption.substring(CACHE_OPTION.length()));
        if (trained) {
            return;
        }
        Files.deleteIfExists(cache);
        Path config = DemoConfig.copy(ROOT.resolve("training")).resolveSibling("cds-training.yaml");
        List<String> command = new ArrayList<>(entrypoint);
        command.replaceAll(a -> a.equals(cacheOption) ? "-XX:AOTCacheOutput=" + cache : a);
        command.addAll(List.of("serve", "--config", config.toString(), "--exit-when-ready"));
        Files.createDirectories(cache.getParent());
        Files.createDirectories(ROOT.resolve("opt/akkio/tmp"));
        ProcessBuilder training = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ROOT.resolve("training.log").toFile());
        training.environment().put("AKKIO_TRAINING_AUDIT", ROOT.resolve("training/audit.jsonl").toString());
        Process p = training.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the training run ends").isTrue();
        assertThat(p.exitValue()).as("the training run: " + Files.readString(ROOT.resolve("training.log")))
                .isZero();
        assertThat(cache).as("the training run wrote the AOT cache").isNotEmptyFile();
        trained = true;
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
            assertThat(log.toString()).as("the JVM took the AOT cache without a word").doesNotContain("[aot]")
                    .doesNotContain("AOT cache");
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

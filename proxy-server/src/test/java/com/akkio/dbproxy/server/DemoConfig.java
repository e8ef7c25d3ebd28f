package com.akkio.dbproxy.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * A copy of the demo's conf/ for a test that starts the proxy from a configuration file (a {@code serve} process,
 * {@code ProxyServer.start}, the container): every listener on a free port, the audit log in {@code logs/} beside it,
 * files the test may edit. Tests of the demo itself start it with {@link DemoProxy#builder()}.
 */
public final class DemoConfig {
    private static final Path DEMO = Path.of("../conf");

    private DemoConfig() {
    }

    /** Copies conf/ into {@code dir} ({@code dir/proxy.yaml}, its policies and seed) and returns proxy.yaml. */
    public static Path copy(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.walk(DEMO)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = dir.resolve(DEMO.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path config = dir.resolve("proxy.yaml");
        return Files.writeString(config, Files.readString(config)
                .replace("  port: 8765\n", "  port: 0\n  admin_port: 0\n")
                .replace("postgres: { enabled: true, port: 5433 }", "postgres: { enabled: true, port: 0 }")
                .replace("flight: { enabled: true, port: 8815 }", "flight: { enabled: true, port: 0 }"));
    }

    /** The audit log of a configuration made by {@link #copy}. */
    public static Path auditLog(Path config) {
        return config.resolveSibling("../logs/audit.jsonl").normalize();
    }
}

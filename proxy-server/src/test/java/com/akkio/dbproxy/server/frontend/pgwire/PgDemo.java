package com.akkio.dbproxy.server.frontend.pgwire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.stream.Stream;

import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.DemoProxy;

/** The demo behind both front ends, with acme's row cap raised (a copy of conf/) so large results can stream. */
final class PgDemo {
    private PgDemo() {
    }

    /** A copy of the demo configuration in {@code dir} with acme's {@code max_rows} set to {@code maxRows}. */
    static Path configWithMaxRows(Path dir, long maxRows) throws IOException {
        Path conf = dir.resolve("conf");
        Path source = Path.of("../conf");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = conf.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path acme = conf.resolve("policies/acme.yaml");
        Files.writeString(acme, Files.readString(acme).replaceFirst("(?m)^max_rows: .*$", "max_rows: " + maxRows));
        return conf.resolve("proxy.yaml");
    }

    /** The demo unthrottled, acme's {@code max_rows} set to {@code acmeMaxRows} in a copy of conf/ in its directory. */
    static DemoProxy.Builder builder(long acmeMaxRows) {
        return DemoProxy.builder().unthrottled().config(dir -> configWithMaxRows(dir, acmeMaxRows));
    }

    static String url(DemoProxy proxy, String options) {
        String opts = options.contains("ApplicationName=") ? options
                : "ApplicationName=pg-e2e" + (options.isEmpty() ? "" : "&" + options);
        return "jdbc:postgresql://127.0.0.1:" + proxy.pgPort() + "/main?sslmode=disable&" + opts;
    }

    static Connection connect(DemoProxy proxy, String tenant, String secret, String options) throws SQLException {
        return SqlStates.connect(url(proxy, options), DemoProxy.credentials(tenant, secret));
    }
}

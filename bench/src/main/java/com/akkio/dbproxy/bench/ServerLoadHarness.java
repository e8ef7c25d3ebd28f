package com.akkio.dbproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.akkio.dbproxy.server.avatica.ProxyServer;
import com.akkio.dbproxy.server.backend.DuckDbBackends;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.remote.Driver;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.HttpServer;
import org.duckdb.DuckDBConnection;

/**
 * Side by side in one run, on the same demo data: this proxy (demo configuration, limits lifted and the tenant pool
 * sized for 32 clients so the harness measures the gateway, not the throttle) against a plain Avatica server ({@code JdbcMeta} over DuckDB, no policy,
 * no authentication), both over protobuf on 127.0.0.1. Prints a Markdown table with the
 * ratio proxy / plain Avatica and writes {@code bench/results/server-load.json}.
 *
 * <p>Usage: {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.ServerLoadHarness [seconds]}
 */
public final class ServerLoadHarness {
    static final String ANALYTICS = "SELECT c.country_code, count(*) AS n, sum(o.amount) AS total FROM"
            + " acme_prod.sales.orders o JOIN acme_prod.sales.customers c ON o.customer_id = c.customer_id"
            + " GROUP BY c.country_code ORDER BY total DESC";

    private ServerLoadHarness() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path work = Files.createTempDirectory("akkio-load");
        DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        DuckDbBackends.runScript(root, Path.of("conf/demo-seed.sql"));
        // plain JdbcMeta, given the same shared in-memory database the proxy's demo backend uses
        JdbcMeta plainMeta = new JdbcMeta("jdbc:duckdb:") {
            @Override
            protected Connection createConnection(String url, Properties info) throws SQLException {
                return root.duplicate();
            }
        };
        HttpServer plain = new HttpServer.Builder<>().withHandler(new LocalService(plainMeta),
                Driver.Serialization.PROTOBUF).withPort(0).build();
        plain.start();
        ProxyServer proxy = ProxyServer.start(unthrottled(work), 0);
        Map<String, Object> results = new LinkedHashMap<>();
        try {
            Target plainTarget = new Target("plain Avatica", "jdbc:avatica:remote:url=http://127.0.0.1:"
                    + plain.getPort() + ";serialization=protobuf", new Properties());
            Properties acme = new Properties();
            acme.setProperty("user", "acme");
            acme.setProperty("password", "acme-secret");
            Target proxyTarget = new Target("akkio proxy", "jdbc:akkio://127.0.0.1:" + proxy.port(), acme);
            List<String[]> rows = new ArrayList<>();
            for (Target t : List.of(plainTarget, proxyTarget)) {
                results.put(t.name, run(t, seconds));
            }
            compare(rows, results, "SELECT 1 p50 ms", "select1_p50");
            compare(rows, results, "SELECT 1 p99 ms", "select1_p99");
            compare(rows, results, "connect + first query ms", "connect_ms");
            for (int clients : new int[] {1, 8, 32}) {
                compare(rows, results, "analytics q/s, " + clients + " clients", "analytics_qps_" + clients);
                compare(rows, results, "analytics p99 ms, " + clients + " clients", "analytics_p99_" + clients);
            }
            System.out.println("| workload | plain Avatica | akkio proxy | proxy / plain |");
            System.out.println("|---|---:|---:|---:|");
            rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
            Files.createDirectories(Path.of("bench/results"));
            new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValue(Path.of("bench/results/server-load.json").toFile(), results);
        } finally {
            proxy.close();
            plain.stop();
            root.close();
        }
    }

    private static ProxyConfig unthrottled(Path work) throws Exception {
        ProxyConfig cfg = ConfigLoader.load(Path.of("conf/proxy.yaml"));
        Map<String, ProxyConfig.Tenant> tenants = new LinkedHashMap<>();
        cfg.tenants().forEach((name, t) -> tenants.put(name, new ProxyConfig.Tenant(name, t.secret(), t.scram(), t.backend(),
                t.policy(), new ProxyConfig.Limits(1_000_000, 1_000_000, 256, Duration.ofMinutes(5)),
                t.policyFile())));
        Map<String, ProxyConfig.Backend> backends = new LinkedHashMap<>();
        cfg.backends().forEach((name, b) -> backends.put(name, new ProxyConfig.Backend(name, b.type(), b.dialect(),
                b.path(), b.seed(), new ProxyConfig.Pool(64, Duration.ofSeconds(5), b.pool().idleTimeout(),
                b.pool().maxLifetime()), b.databricks())));
        ProxyConfig.Server s = cfg.server();
        return new ProxyConfig(cfg.source(), new ProxyConfig.Server("127.0.0.1", 0, s.serialization(), null,
                s.maxRequestBytes(), s.idleConnectionTimeout(), 1024, -1, new ProxyConfig.Postgres(false, 0, 1)),
                new ProxyConfig.Audit(work.resolve("audit.jsonl"), false, 1L << 30, 2), backends, tenants);
    }

    private record Target(String name, String url, Properties info) {
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, info);
        }
    }

    private static Map<String, Double> run(Target t, int seconds) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        try (Connection c = t.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < 1000; i++) {
                scalar(s, "SELECT 1");
            }
            long[] micros = new long[5000];
            for (int i = 0; i < micros.length; i++) {
                long start = System.nanoTime();
                scalar(s, "SELECT 1");
                micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            }
            Arrays.sort(micros);
            r.put("select1_p50", micros[micros.length / 2] / 1000.0);
            r.put("select1_p99", micros[micros.length * 99 / 100] / 1000.0);
        }
        long[] connect = new long[50];
        for (int i = 0; i < connect.length; i++) {
            long start = System.nanoTime();
            try (Connection c = t.connect(); Statement s = c.createStatement()) {
                scalar(s, "SELECT 1");
            }
            connect[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        }
        Arrays.sort(connect);
        r.put("connect_ms", connect[connect.length / 2] / 1000.0);
        for (int clients : new int[] {1, 8, 32}) {
            double[] qpsAndP99 = analytics(t, clients, seconds);
            r.put("analytics_qps_" + clients, qpsAndP99[0]);
            r.put("analytics_p99_" + clients, qpsAndP99[1]);
        }
        return r;
    }

    private static double[] analytics(Target t, int clients, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            futures.add(pool.submit(() -> {
                List<Long> micros = new ArrayList<>();
                try (Connection c = t.connect(); Statement s = c.createStatement()) {
                    while (running.get()) {
                        long start = System.nanoTime();
                        try (ResultSet rs = s.executeQuery(ANALYTICS)) {
                            while (rs.next()) {
                                rs.getString(1);
                            }
                        }
                        micros.add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
                    }
                }
                return micros;
            }));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        running.set(false);
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        all.sort(null);
        return new double[] {all.size() / (double) seconds, all.get(all.size() * 99 / 100) / 1000.0};
    }

    private static void scalar(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
        }
    }

    @SuppressWarnings("unchecked")
    private static void compare(List<String[]> rows, Map<String, Object> results, String label, String key) {
        double plain = ((Map<String, Double>) results.get("plain Avatica")).get(key);
        double proxy = ((Map<String, Double>) results.get("akkio proxy")).get(key);
        rows.add(new String[] {label, fmt(plain), fmt(proxy), String.format(Locale.ROOT, "%.2f", proxy / plain)});
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }
}

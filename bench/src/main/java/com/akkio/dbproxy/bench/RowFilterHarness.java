package com.akkio.dbproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.SecretHash;

/**
 * What a row filter costs a query through the proxy (issue 24): one proxy, one DuckDB, two tenants reading the same
 * tables, one with a row filter in its policy ({@code filtered}, whose statements read the table's view) and one
 * without, which writes the same filter by hand ({@code handwritten}). Both run the same workloads over the client
 * jar, alternating round by round in one run: the demo's analytics join (1,000 orders) and a scan of 2,000,000 rows.
 * Prints each workload's median latency per tenant and their ratio, after checking both get the same rows.
 *
 * <p>Usage, from the repository root: {@code java -cp bench/target/akkio-bench.jar
 * com.akkio.dbproxy.bench.RowFilterHarness [rounds]}
 */
public final class RowFilterHarness {
    private static final String FILTER = "amount >= 10 AND tenant_tag = 'acme'";
    private static final String EVENTS_FILTER = "region IN ('EU', 'US')";

    private record Workload(String name, String filtered, String handwritten, int perRound) {
    }

    private static final List<Workload> WORKLOADS = List.of(
            new Workload("analytics join (1,000 orders)",
                    "SELECT c.country_code, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customers c"
                            + " ON o.customer_id = c.customer_id GROUP BY c.country_code ORDER BY total DESC",
                    "SELECT c.country_code, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customers c"
                            + " ON o.customer_id = c.customer_id WHERE o." + FILTER.replace("AND ", "AND o.")
                            + " GROUP BY c.country_code ORDER BY total DESC", 200),
            new Workload("scan of 2,000,000 rows",
                    "SELECT region, count(*) AS n, sum(amount) AS total FROM events GROUP BY region ORDER BY region",
                    "SELECT region, count(*) AS n, sum(amount) AS total FROM events WHERE " + EVENTS_FILTER
                            + " GROUP BY region ORDER BY region", 20));

    private RowFilterHarness() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Files.createTempDirectory("akkio-rowfilter-bench");
        Path config = write(dir);
        try (ProxyServer server = ProxyServer.start(ConfigLoader.load(config), 0);
             Connection filtered = connect(server, "filtered");
             Connection handwritten = connect(server, "handwritten")) {
            System.out.println("| workload | filtered (view) median ms | hand-written median ms | ratio |");
            System.out.println("|---|---:|---:|---:|");
            for (Workload w : WORKLOADS) {
                if (!rows(filtered, w.filtered()).equals(rows(handwritten, w.handwritten()))) {
                    throw new IllegalStateException(w.name() + ": the two tenants got different rows");
                }
                for (int i = 0; i < w.perRound() * 2; i++) { // warm-up
                    rows(filtered, w.filtered());
                    rows(handwritten, w.handwritten());
                }
                List<Double> a = new ArrayList<>();
                List<Double> b = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    boolean filteredFirst = r % 2 == 0;
                    double first = median(filteredFirst ? filtered : handwritten,
                            filteredFirst ? w.filtered() : w.handwritten(), w.perRound());
                    double second = median(filteredFirst ? handwritten : filtered,
                            filteredFirst ? w.handwritten() : w.filtered(), w.perRound());
                    a.add(filteredFirst ? first : second);
                    b.add(filteredFirst ? second : first);
                }
                double fm = median(a);
                double hm = median(b);
                System.out.printf("| %s | %.3f | %.3f | %.2f |%n", w.name(), fm, hm, fm / hm);
            }
        }
    }

    private static Path write(Path dir) throws Exception {
        Path seed = Path.of("conf/demo-seed.sql").toAbsolutePath();
        Files.writeString(dir.resolve("seed.sql"), Files.readString(seed)
                + "\nCREATE TABLE acme_prod.sales.events AS SELECT i AS id, i % 100 AS customer_id,"
                + " CAST((i * 37) % 10000 / 100.0 AS DECIMAL(12, 2)) AS amount,"
                + " (['EU', 'US', 'APAC', 'LATAM'])[1 + i % 4] AS region, 'acme' AS tenant_tag"
                + " FROM range(2000000) AS t(i);\n");
        String common = """
                catalog: acme_prod
                default_schema: sales
                read: [acme_prod.sales.*]
                statements: [query]
                max_rows: 100000
                rate: { queries_per_second: 1000000, burst: 1000000, max_concurrent: 64 }
                """;
        Files.writeString(dir.resolve("handwritten.yaml"), common);
        Files.writeString(dir.resolve("filtered.yaml"), common + """
                row_filters:
                  - { table: acme_prod.sales.orders, filter: "%s" }
                  - { table: acme_prod.sales.events, filter: "%s" }
                """.formatted(FILTER, EVENTS_FILTER));
        String hash = SecretHash.create("bench").encoded();
        return Files.writeString(dir.resolve("proxy.yaml"), """
                server: { host: 127.0.0.1, port: 0, serialization: protobuf }
                audit: { path: audit.jsonl }
                backends: { demo: { type: duckdb, seed: seed.sql, pool: { max_size: 4 } } }
                tenants:
                  filtered: { secret_hash: "%s", backend: demo, policy: filtered.yaml }
                  handwritten: { secret_hash: "%s", backend: demo, policy: handwritten.yaml }
                """.formatted(hash, hash));
    }

    private static Connection connect(ProxyServer server, String tenant) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", tenant);
        p.setProperty("password", "bench");
        return DriverManager.getConnection("jdbc:akkio://127.0.0.1:" + server.port(), p);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    /** The median latency of {@code n} runs of {@code sql}, in milliseconds. */
    private static double median(Connection c, String sql, int n) throws SQLException {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            rows(c, sql);
            ms.add((System.nanoTime() - start) / 1e6);
        }
        return median(ms);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}

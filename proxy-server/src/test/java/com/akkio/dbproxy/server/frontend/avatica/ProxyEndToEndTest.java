package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Through the real client jar's driver against a real server on 127.0.0.1, on the demo world. */
@LiveServerTest
class ProxyEndToEndTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());


    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    @Test
    void eachTenantSeesItsOwnDemoDataUnderItsOwnNames() throws Exception {
        try (Connection acme = proxy.acme(); Connection globex = proxy.globex()) {
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
            assertThat(scalar(acme, "SELECT count(*) FROM main.sales.customers")).isEqualTo(100);
            assertThat(scalar(globex, "SELECT count(*) FROM orders")).isEqualTo(500);
            assertThat(scalar(globex, "SELECT count(*) FROM main.sales.customers")).isEqualTo(50);
            assertThat(column(acme, "SELECT DISTINCT tenant_tag FROM orders")).containsExactly("acme");
            assertThat(column(globex, "SELECT DISTINCT tenant_tag FROM customers")).containsExactly("globex");
            assertThat(scalar(acme, "SELECT count(*) FROM shared_ref.geo.countries")).isEqualTo(8);
        }
    }

    /** The policy engine decides these from one shape's template after the second: each must still get its rows. */
    @Test
    void statementsThatDifferOnlyInValuesEachGetTheirOwnRows() throws Exception {
        try (Connection acme = proxy.acme()) {
            List<Double> amounts = column(acme, "SELECT amount FROM orders").stream().map(Double::valueOf).toList();
            for (String threshold : List.of("10", "50", "90", "10.5", "99.99", "0", "1000")) {
                long expected = amounts.stream().filter(a -> a > Double.parseDouble(threshold)).count();
                assertThat(scalar(acme, "SELECT count(*) FROM orders WHERE amount > " + threshold))
                        .as("amount > %s", threshold).isEqualTo(expected);
            }
            List<String> countries = column(acme, "SELECT country_code FROM customers");
            for (String country : List.of("DE", "US", "FR", "GB", "XX", "it is -- not a /* comment")) {
                assertThat(scalar(acme, "SELECT count(*) FROM customers WHERE country_code = '" + country + "'"))
                        .as("country %s", country).isEqualTo(countries.stream().filter(country::equals).count());
            }
        }
    }

    /**
     * A result column's name is a slot of the statement's shape: once a template serves it, each statement still gets
     * its own column name and its rows, and a name the statement also uses for something else is not renamed.
     */
    @Test
    void statementsThatDifferOnlyInAColumnsNameEachGetTheirOwnLabel() throws Exception {
        try (Connection acme = proxy.acme(); Statement s = acme.createStatement()) {
            long orders = scalar(acme, "SELECT count(*) FROM orders");
            for (String name : List.of("n1", "n2", "orders_by_month", "N4", "acme_prod", "amount", "status", "n5")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) AS " + name + ", max(customer_id) AS biggest"
                        + " FROM orders")) {
                    assertThat(rs.getMetaData().getColumnLabel(1)).as(name).isEqualToIgnoringCase(name);
                    assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo("biggest");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).as(name).isEqualTo(orders);
                }
            }
            // the name also sorts: it stays in the key, and each text is decided and run as written
            for (String name : List.of("a1", "a2", "a3")) {
                List<String> sorted = column(acme, "SELECT CAST(order_id AS VARCHAR) AS " + name + " FROM orders"
                        + " ORDER BY " + name + " DESC");
                assertThat(sorted).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            }
        }
    }

    /**
     * DuckDB connections keep the plans of queries they run again ({@code KeptPlans}): every run must still
     * see the rows, the random draws and the clock as they are at that run.
     */
    @Test
    void aQueryRunAgainSeesTheDataAndTheClockAsTheyAreNow() throws Exception {
        try (Connection acme = proxy.acme(); Statement s = acme.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS akkio_out.e2e_reruns (n INTEGER)");
            String count = "SELECT count(*) FROM akkio_out.e2e_reruns";
            long before = scalar(acme, count);
            for (int i = 1; i <= 3; i++) {
                s.executeUpdate("INSERT INTO akkio_out.e2e_reruns VALUES (" + i + ")");
                assertThat(scalar(acme, count)).isEqualTo(before + i);
                try (ResultSet rs = s.executeQuery(count)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(before + i);
                }
            }
            Set<Double> draws = new HashSet<>();
            List<Timestamp> clock = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                try (ResultSet rs = s.executeQuery("SELECT random(), CAST(now() AS TIMESTAMP)")) {
                    assertThat(rs.next()).isTrue();
                    draws.add(rs.getDouble(1));
                    clock.add(rs.getTimestamp(2));
                }
                Thread.sleep(20);
            }
            assertThat(draws).hasSize(5);
            assertThat(clock).isSorted().doesNotHaveDuplicates();
        }
    }

    /** A kept plan is lent to one result at a time: a second result of the same text must not cut the first. */
    @Test
    void twoResultsOfOneTextStreamSideBySideOnOneConnection() throws Exception {
        String sql = "SELECT o.order_id, c.country_code FROM orders o CROSS JOIN shared_ref.geo.countries c"
                + " ORDER BY 1, 2";
        try (Connection acme = proxy.acme(); Statement a = acme.createStatement(); Statement b = acme.createStatement()) {
            List<String> first = new ArrayList<>();
            try (ResultSet ra = a.executeQuery(sql)) {
                while (first.size() < 150 && ra.next()) {
                    first.add(ra.getLong(1) + ":" + ra.getString(2));
                }
                List<String> second = rows(b.executeQuery(sql));
                while (ra.next()) {
                    first.add(ra.getLong(1) + ":" + ra.getString(2));
                }
                assertThat(second).hasSize(8000).isEqualTo(first);
            }
            assertThat(rows(a.executeQuery(sql))).isEqualTo(first);
            assertThat(rows(b.executeQuery(sql))).isEqualTo(first);
        }
    }

    /** Prepared statements of one text hold a kept plan each while open: their parameters and results stay apart. */
    @Test
    void preparedStatementsOfOneTextKeepTheirOwnParametersAndResults() throws Exception {
        String sql = "SELECT count(*) FROM orders WHERE amount >= ?";
        try (Connection acme = proxy.acme()) {
            List<Double> amounts = column(acme, "SELECT amount FROM orders").stream().map(Double::valueOf).toList();
            for (int round = 0; round < 3; round++) { // later rounds on the plans the first gave back
                try (PreparedStatement low = acme.prepareStatement(sql);
                     PreparedStatement high = acme.prepareStatement(sql)) {
                    low.setDouble(1, 10);
                    high.setDouble(1, 90);
                    for (int i = 0; i < 2; i++) {
                        assertThat(count(low)).isEqualTo(amounts.stream().filter(a -> a >= 10).count());
                        assertThat(count(high)).isEqualTo(amounts.stream().filter(a -> a >= 90).count());
                    }
                }
            }
        }
    }

    private static long count(PreparedStatement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static List<String> rows(ResultSet rs) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + ":" + rs.getString(2));
            }
        }
        return rows;
    }

    @Test
    void rowCapAppliesToResults() throws Exception {
        try (Connection globex = proxy.globex()) {
            assertThat(column(globex, "SELECT order_id FROM orders CROSS JOIN range(10)")).hasSize(1000);
        }
    }

    @Test
    void aSetOperationsOwnLimitWithinTheCapCapsTheWholeAndOneOverItIsCappedStill() throws Exception {
        // globex's max_rows is 1000; 2 x 10 x its orders are more rows than that
        String union = "SELECT order_id FROM orders CROSS JOIN range(10) UNION ALL"
                + " SELECT order_id FROM orders CROSS JOIN range(10)";
        try (Connection globex = proxy.globex()) {
            assertThat(column(globex, union + " LIMIT 7")).hasSize(7);
            assertThat(column(globex, union + " ORDER BY 1 LIMIT 1000")).hasSize(1000);
            assertThat(column(globex, union + " LIMIT 5000")).hasSize(1000);
            assertThat(column(globex, union)).hasSize(1000);
            assertThat(column(globex, "SELECT order_id FROM orders CROSS JOIN range(10) UNION ALL"
                    + " (SELECT order_id FROM orders LIMIT 5)")).hasSize(1000);
        }
    }

    @Test
    void deniedAndUnparseableStatementsFailWithTheirSqlStateAndRule() throws Exception {
        try (Connection acme = proxy.acme(); Statement s = acme.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM globex_prod.sales.orders"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("OBJECT_NOT_READABLE").contains("globex_prod.sales.orders");
                    });
            assertThatThrownBy(() -> s.executeQuery("SELEC 1")).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("42601"));
            assertThatThrownBy(() -> acme.prepareStatement("ATTACH 'x.db' AS x"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void backendFailureIsClearAndTheConnectionStaysUsable() throws Exception {
        try (Connection acme = proxy.acme(); Statement s = acme.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getMessage()).contains("BACKEND_ERROR").contains("no_such_table");
                        assertThat(e.getMessage()).doesNotContain("at org.").doesNotContain("Exception:");
                    });
            assertThatThrownBy(() -> s.executeQuery("SELECT 1 / 0 = 'x'")).isInstanceOf(SQLException.class);
            assertThat(scalar(acme, "SELECT count(*) FROM customers")).isEqualTo(100);
        }
    }

    @Test
    void oversizeRequestsAreRefusedBeforeBeingRead() throws Exception {
        String huge = "SELECT '" + "x".repeat(2 << 20) + "'";
        try (Connection acme = proxy.acme(); Statement s = acme.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(huge)).isInstanceOfSatisfying(SQLException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("54000");
                assertThat(e.getMessage()).contains("max_request_bytes");
            });
        }
        try (Connection acme = proxy.acme()) {
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void wrongOrMissingCredentialsGive28000() {
        assertThatThrownBy(() -> proxy.connect("acme", "globex-secret")).isInstanceOfSatisfying(SQLException.class,
                e -> {
                    assertThat(e.getSQLState()).isEqualTo("28000");
                    assertThat(e.getMessage()).doesNotContain("globex-secret");
                });
        assertThatThrownBy(() -> proxy.connect("nobody", "x")).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("28000"));
        assertThatThrownBy(() -> proxy.connect("acme", "")).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("28000"));
    }

    @Test
    void preparedStatementsAreDecidedOnceAndRunWithParameters() throws Exception {
        try (Connection acme = proxy.acme();
             PreparedStatement ps = acme.prepareStatement("SELECT count(*) FROM orders WHERE customer_id = ?")) {
            long total = 0;
            for (int customer = 1; customer <= 100; customer++) {
                ps.setLong(1, customer);
                try (ResultSet r = ps.executeQuery()) {
                    r.next();
                    total += r.getLong(1);
                }
            }
            assertThat(total).isEqualTo(1000);
        }
    }

    @Test
    void metadataShowsOnlyReadableObjectsUnderLogicalNames() throws Exception {
        try (Connection acme = proxy.acme(); Connection globex = proxy.globex()) {
            DatabaseMetaData a = acme.getMetaData();
            assertThat(rows(a.getCatalogs(), 1)).containsExactlyInAnyOrder("main", "shared_ref");
            assertThat(rows(a.getTables(null, null, "%", null), 3))
                    .containsExactlyInAnyOrder("customers", "orders", "type_zoo", "countries");
            assertThat(rows(a.getTables(null, null, "%", null), 1)).doesNotContain("globex_prod", "acme_prod");
            assertThat(rows(a.getColumns("main", "sales", "orders", "%"), 4))
                    .containsExactly("order_id", "customer_id", "amount", "ordered_at", "tenant_tag");
            assertThat(rows(a.getSchemas(), 1)).contains("sales", "geo").doesNotContain("information_schema");
            assertThat(acme.getCatalog()).isEqualTo("main");
            assertThat(acme.getSchema()).isEqualTo("sales");
            assertThat(rows(a.getTables(acme.getCatalog(), acme.getSchema(), "%", null), 3))
                    .containsExactlyInAnyOrder("customers", "orders", "type_zoo");
            DatabaseMetaData g = globex.getMetaData();
            assertThat(rows(g.getCatalogs(), 1)).containsExactly("main");
            assertThat(rows(g.getTables(null, null, "%", null), 3))
                    .containsExactlyInAnyOrder("customers", "orders", "type_zoo");
            assertThat(rows(g.getTables("shared_ref", null, "%", null), 3)).isEmpty();
            assertThat(rows(g.getColumns("acme_prod", null, "%", "%"), 4)).isEmpty();
        }
    }

    private static List<String> rows(ResultSet rs, int column) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getString(column));
            }
        }
        return out;
    }

    @Test
    void concurrentClientsOfBothTenantsGetOnlyTheirOwnRows() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            boolean acme = i % 2 == 0;
            results.add(pool.submit((Callable<String>) () -> {
                try (Connection c = acme ? proxy.acme() : proxy.connect("globex", "globex-secret")) {
                    for (int round = 0; round < 5; round++) {
                        List<String> tags = column(c, "SELECT tenant_tag FROM orders o JOIN customers USING"
                                + " (customer_id, tenant_tag)");
                        assertThat(tags).hasSize(acme ? 1000 : 500).containsOnly(acme ? "acme" : "globex");
                    }
                    return acme ? "acme" : "globex";
                }
            }));
        }
        for (Future<String> f : results) {
            assertThat(f.get()).isIn("acme", "globex");
        }
        pool.shutdown();
    }

    @Test
    void deniedWritesNeverReachTheBackend() throws Exception {
        try (Connection globex = proxy.globex(); Connection acme = proxy.acme(); Statement g = globex.createStatement()) {
            assertThatThrownBy(() -> g.executeUpdate("INSERT INTO orders SELECT * FROM orders")).isInstanceOf(
                    SQLException.class);
            assertThatThrownBy(() -> g.executeUpdate("DELETE FROM orders")).isInstanceOf(SQLException.class);
            assertThat(scalar(globex, "SELECT count(*) FROM orders")).isEqualTo(500);
            try (Statement a = acme.createStatement()) {
                a.executeUpdate("CREATE TABLE IF NOT EXISTS akkio_out.e2e_scores AS SELECT customer_id,"
                        + " sum(amount) AS total FROM orders GROUP BY customer_id");
                assertThat(scalar(acme, "SELECT count(*) FROM akkio_out.e2e_scores")).isEqualTo(100);
                assertThatThrownBy(() -> a.executeUpdate("INSERT INTO sales.orders SELECT * FROM orders"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage())
                                .contains("OBJECT_NOT_WRITABLE"));
            }
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void everyStatementIsAuditedWithItsHash() throws Exception {
        String sql = "SELECT count(*) FROM orders WHERE amount > 42";
        try (Connection acme = proxy.acme()) {
            scalar(acme, sql);
            assertThatThrownBy(() -> scalar(acme, "SELECT * FROM globex_prod.sales.orders"))
                    .isInstanceOf(SQLException.class);
        }
        String hash = com.akkio.dbproxy.server.audit.Sha256.hex(sql);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(proxy.auditLog())) {
            records.add(json.readTree(line));
        }
        assertThat(records).filteredOn(r -> hash.equals(r.get("sql_sha256").asText()))
                .extracting(r -> r.get("event").asText() + "/" + r.get("decision").asText())
                .containsExactly("forward/allow", "complete/allow");
        JsonNode complete = records.stream().filter(r -> hash.equals(r.get("sql_sha256").asText())
                && r.get("event").asText().equals("complete")).findFirst().orElseThrow();
        assertThat(complete.get("tenant").asText()).isEqualTo("acme");
        assertThat(complete.get("backend").asText()).isEqualTo("demo");
        assertThat(complete.get("rows").asLong()).isEqualTo(1);
        assertThat(complete.get("statement_type").asText()).isEqualTo("query");
        assertThat(records).anySatisfy(r -> {
            assertThat(r.get("decision").asText()).isEqualTo("deny");
            assertThat(r.get("code").asText()).isEqualTo("OBJECT_NOT_READABLE");
        });
        assertThat(Files.readString(proxy.auditLog())).doesNotContain("globex_prod.sales.orders").doesNotContain(sql);
    }

    @Test
    void executionsOfAPreparedStatementAreAuditedWithTheHashOfTheTextAsPrepared() throws Exception {
        String sql = "SELECT count(*) FROM orders WHERE amount > ?";
        try (Connection acme = proxy.acme(); PreparedStatement ps = acme.prepareStatement(sql)) {
            for (int threshold : new int[] {10, 20, 30}) {
                ps.setInt(1, threshold);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
        }
        String hash = com.akkio.dbproxy.server.audit.Sha256.hex(sql);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> executions = new ArrayList<>();
        for (String line : Files.readAllLines(proxy.auditLog())) {
            JsonNode r = json.readTree(line);
            if (hash.equals(r.get("sql_sha256").asText())) {
                executions.add(r);
            }
        }
        assertThat(executions).extracting(r -> r.get("event").asText())
                .containsExactly("forward", "complete", "forward", "complete", "forward", "complete");
        // forward and complete of one execution share a request id; executions do not
        List<String> ids = executions.stream().map(r -> r.get("request_id").asText()).toList();
        assertThat(ids).allSatisfy(id -> assertThat(java.util.UUID.fromString(id).version()).isEqualTo(4));
        assertThat(ids.stream().distinct()).hasSize(3);
    }
}

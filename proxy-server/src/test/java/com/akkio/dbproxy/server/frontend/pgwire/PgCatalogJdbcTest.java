package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * pgjdbc's DatabaseMetaData as DBeaver and other JDBC tools browse with it, answered from each tenant's governed
 * catalog; pgjdbc's CopyManager into a write-back table; and catalog queries that try to reach further than the
 * catalog, which are decided by the policy instead (and denied).
 */
@LiveServerTest
class PgCatalogJdbcTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static Connection connect(String tenant, String secret) throws SQLException {
        return PgDemo.connect(proxy.get(), tenant, secret, "");
    }

    private static List<String> column(ResultSet rs, String... names) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (String n : names) {
                    b.append(b.length() == 0 ? "" : "|").append(rs.getString(n));
                }
                out.add(b.toString());
            }
        }
        return out;
    }

    @Test
    void databaseMetaDataShowsTheTenantsTablesColumnsAndKeysUnderLogicalNames() throws Exception {
        try (Connection c = connect("acme", "acme-secret")) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(column(md.getSchemas(), "TABLE_SCHEM"))
                    .containsExactly("akkio_out", "information_schema", "pg_catalog", "sales");
            assertThat(column(md.getCatalogs(), "TABLE_CAT")).containsExactly("main", "shared_ref");
            assertThat(column(md.getTables(null, "sales", "%", new String[] {"TABLE", "VIEW"}), "TABLE_CAT",
                    "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"))
                    .containsExactly("main|sales|customers|TABLE", "main|sales|orders|TABLE",
                            "main|sales|type_zoo|TABLE");
            assertThat(column(md.getColumns(null, "sales", "orders", null), "COLUMN_NAME", "DATA_TYPE",
                    "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "IS_NULLABLE"))
                    .containsExactly("order_id|-5|int8|19|0|NO", "customer_id|-5|int8|19|0|YES",
                            "amount|2|numeric|12|2|YES", "ordered_at|93|timestamp|29|6|YES",
                            "tenant_tag|12|varchar|2147483647|0|YES");
            assertThat(column(md.getPrimaryKeys(null, "sales", "orders"), "COLUMN_NAME", "KEY_SEQ", "PK_NAME"))
                    .containsExactly("order_id|1|orders_pkey");
            assertThat(column(md.getIndexInfo(null, "sales", "customers", false, true), "INDEX_NAME",
                    "COLUMN_NAME", "NON_UNIQUE")).containsExactly("customers_pkey|customer_id|f");
            assertThat(column(md.getImportedKeys(null, "sales", "orders"), "FKTABLE_NAME")).isEmpty();
        }
    }

    @Test
    void eachTenantsCatalogHoldsOnlyItsOwnNames() throws Exception {
        try (Connection c = connect("globex", "globex-secret"); Statement s = c.createStatement()) {
            List<String> everything = new ArrayList<>();
            for (String q : List.of("SELECT relname FROM pg_catalog.pg_class",
                    "SELECT nspname FROM pg_catalog.pg_namespace", "SELECT datname FROM pg_catalog.pg_database",
                    "SELECT table_catalog || '.' || table_schema || '.' || table_name FROM information_schema.tables",
                    "SELECT table_name || '.' || column_name FROM information_schema.columns")) {
                try (ResultSet rs = s.executeQuery(q)) {
                    while (rs.next()) {
                        everything.add(rs.getString(1));
                    }
                }
            }
            assertThat(everything).contains("orders", "sales", "main", "main.sales.customers",
                    "type_zoo.c_hugeint");
            assertThat(String.join(" ", everything)).doesNotContain("acme", "akkio_out", "shared_ref", "_prod",
                    "countries");
        }
    }

    @Test
    void catalogQueriesThatReachForDataOrFilesAreDecidedByThePolicy() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "SELECT c.relname, o.order_id FROM pg_catalog.pg_class c JOIN orders o ON true",
                    "SELECT relname FROM pg_catalog.pg_class WHERE relname IN (SELECT tenant_tag FROM orders)",
                    "SELECT * FROM information_schema.tables, globex_prod.sales.orders",
                    "SELECT pg_read_file('/etc/passwd') FROM pg_catalog.pg_class",
                    "SELECT * FROM pg_catalog.pg_class, read_csv('/etc/passwd')",
                    "SELECT getenv('HOME') FROM pg_catalog.pg_namespace",
                    "SELECT * FROM duckdb_tables() JOIN pg_catalog.pg_class ON true")) {
                assertThatThrownBy(() -> s.executeQuery(sql)).as(sql)
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("42501");
                            assertThat(e.getMessage()).doesNotContain("root:");
                        });
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                assertThat(rs.next() && rs.getLong(1) == 1000).isTrue();
            }
        }
    }

    @Test
    void copyManagerWritesIntoTheWriteBackSchemaAsOneAuditedStatement() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE akkio_out.jdbc_copy (id BIGINT, label VARCHAR)");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < 2500; i++) {
                csv.append(i).append(",\"label ").append(i).append("\"\n");
            }
            long n = copy.copyIn("COPY akkio_out.jdbc_copy (id, label) FROM STDIN (FORMAT csv)",
                    new StringReader(csv.toString()));
            assertThat(n).isEqualTo(2500);
            try (ResultSet rs = s.executeQuery("SELECT count(*), max(label) FROM akkio_out.jdbc_copy")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(2500);
                assertThat(rs.getString(2)).isEqualTo("label 999");
            }
            assertThatThrownBy(() -> copy.copyIn("COPY sales.orders FROM STDIN", new StringReader("1\n")))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> copy.copyOut("COPY akkio_out.jdbc_copy TO STDOUT", new java.io.StringWriter()))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        List<String> copies = Files.readAllLines(proxy.get().auditLog).stream()
                .filter(l -> l.contains("\"event\":\"complete\"") && l.contains("\"rows\":2500")).toList();
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0)).contains("\"statement_type\":\"insert\"", "\"decision\":\"allow\"");
    }

    @Test
    void aReloadedPolicyChangesTheCatalogAtTheNextQuery(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path[] acme = new java.nio.file.Path[1];
        try (DemoProxy own = DemoProxy.builder().unthrottled().config(d -> {
            java.nio.file.Path config = com.akkio.dbproxy.server.DemoConfig.copy(d.resolve("conf"));
            acme[0] = config.resolveSibling("policies/acme.yaml");
            return config;
        }).start(dir); Connection c = PgDemo.connect(own, "acme", "acme-secret", "")) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(column(md.getCatalogs(), "TABLE_CAT")).containsExactly("main", "shared_ref");
            assertThat(column(md.getTables(null, "sales", "%", null), "TABLE_NAME")).contains("orders");
            Files.writeString(acme[0], Files.readString(acme[0]).replace("  - shared_ref.geo.*\n", "")
                    .replace("  - acme_prod.sales.*\n", "  - acme_prod.sales.customers\n"));
            own.server.reload();
            assertThat(column(md.getCatalogs(), "TABLE_CAT")).containsExactly("main");
            assertThat(column(md.getTables(null, "sales", "%", new String[] {"TABLE"}), "TABLE_NAME")).containsExactly("customers");
        }
    }

    @Test
    void aTableCreatedThroughTheProxyIsInTheCatalogAtOnce() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(column(md.getTables(null, "akkio_out", "fresh_table", null), "TABLE_NAME")).isEmpty();
            s.execute("CREATE TABLE akkio_out.fresh_table (k INTEGER PRIMARY KEY, v VARCHAR)");
            assertThat(column(md.getTables(null, "akkio_out", "fresh_table", null), "TABLE_NAME"))
                    .containsExactly("fresh_table");
            assertThat(column(md.getColumns(null, "akkio_out", "fresh_table", null), "COLUMN_NAME", "TYPE_NAME"))
                    .containsExactly("k|int4", "v|varchar");
        }
    }
}

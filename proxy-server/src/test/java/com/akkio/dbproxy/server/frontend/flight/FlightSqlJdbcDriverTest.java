package com.akkio.dbproxy.server.frontend.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.akkio.dbproxy.server.DemoConfig;
import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Arrow Flight SQL JDBC driver ({@code org.apache.arrow:flight-sql-jdbc-driver}, the self-contained jar a BI
 * tool loads) against the Flight SQL front end: log in, browse metadata, query, bind parameters, be refused.
 */
@LiveServerTest
class FlightSqlJdbcDriverTest {
    @RegisterExtension
    static final DemoProxyExtension PROXY = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static Connection connect(String tenant, String secret) throws SQLException {
        return connect(PROXY.get(), tenant, secret);
    }

    private static Connection connect(DemoProxy proxy, String tenant, String secret) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", tenant);
        p.setProperty("password", secret);
        p.setProperty("useEncryption", "false");
        return DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:" + proxy.flightPort(), p);
    }

    private static List<String> column(ResultSet rs, String name) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getString(name));
            }
        }
        return out;
    }

    @Test
    void aTenantQueriesItsOwnDataUnderItsLogicalNames() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tenant_tag, count(*) AS n, sum(amount) AS total"
                     + " FROM main.sales.orders GROUP BY tenant_tag")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("tenant_tag")).isEqualTo("acme");
            assertThat(rs.getLong("n")).isEqualTo(1000);
            assertThat(rs.getBigDecimal("total")).isInstanceOf(BigDecimal.class);
            assertThat(rs.next()).isFalse();
        }
    }

    /**
     * Driver 18.3.0 forgets, without closing, the server-side prepared statement of every query but the last that one
     * {@code Statement} runs (apache/arrow-java#1129). A prepared statement gives its backend connection back between
     * executions, so 40 queries on one Statement, five times the demo's pool of 8, all run: before, the ninth waited
     * for a pool connection the forgotten statements held and failed.
     */
    @Test
    void oneStatementRunsManyQueriesWithoutHoldingABackendConnectionForEachForgottenOne() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            for (int i = 0; i < 40; i++) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) + " + i + " AS n FROM main.sales.orders")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong("n")).isEqualTo(1000 + i);
                }
            }
        }
    }

    @Test
    void aPreparedStatementRunsAgainAndIsRefusedByNameOnceItsResultColumnsChanged() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE main.akkio_out.reprepared AS SELECT 1 AS id");
            try (PreparedStatement p = c.prepareStatement("SELECT * FROM main.akkio_out.reprepared")) {
                for (int run = 0; run < 3; run++) {
                    try (ResultSet rs = p.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt("id")).isEqualTo(1);
                    }
                }
                s.executeUpdate("CREATE OR REPLACE TABLE main.akkio_out.reprepared AS SELECT 1 AS id, 'x' AS label");
                assertThatThrownBy(p::executeQuery).isInstanceOf(SQLException.class)
                        .hasMessageContaining("PREPARED_RESULT_CHANGED");
            }
            try (PreparedStatement p = c.prepareStatement("SELECT * FROM main.akkio_out.reprepared");
                 ResultSet rs = p.executeQuery()) {
                assertThat(rs.getMetaData().getColumnCount()).as("prepared anew").isEqualTo(2);
            }
        }
    }

    @Test
    void aDeniedStatementIsRefusedWithTheRuleThatDeniedIt() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM globex_prod.sales.orders"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("OBJECT_NOT_READABLE")
                    .hasMessageContaining("rule: read [acme_prod.sales.*, shared_ref.geo.*]");
        }
    }

    @Test
    void aWrongSecretIsRefusedAndTheRefusalIsAudited(@TempDir Path dir) throws Exception {
        DemoProxy own = DemoProxy.builder().start(dir);
        try (own) {
            assertThatThrownBy(() -> connect(own, "acme", "not-the-secret")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("AUTHENTICATION_FAILED");
        }
        // the refusal log is written when its interval ends or the server stops
        assertThat(Files.readString(own.refusalLog())).contains("\"tenant\":\"acme\"")
                .contains("AUTHENTICATION_FAILED");
    }

    @Test
    void metadataShowsOnlyWhatTheTenantMayReadUnderLogicalNames() throws Exception {
        try (Connection c = connect("acme", "acme-secret")) {
            DatabaseMetaData md = c.getMetaData();
            assertThat(column(md.getCatalogs(), "TABLE_CAT")).containsExactlyInAnyOrder("main", "shared_ref");
            List<String> tables = column(md.getTables(null, null, "%", null), "TABLE_NAME");
            assertThat(tables).contains("orders", "customers", "countries").doesNotContain("duckdb_tables");
            assertThat(column(md.getTables(null, null, "%", null), "TABLE_CAT")).doesNotContain("acme_prod",
                    "globex_prod");
            assertThat(column(md.getColumns("main", "sales", "orders", "%"), "COLUMN_NAME"))
                    .containsExactly("order_id", "customer_id", "amount", "ordered_at", "tenant_tag");
            assertThat(column(md.getTableTypes(), "TABLE_TYPE")).contains("TABLE", "VIEW");
        }
        try (Connection c = connect("globex", "globex-secret")) {
            assertThat(column(c.getMetaData().getCatalogs(), "TABLE_CAT")).containsExactly("main");
        }
    }

    @Test
    void primaryAndForeignKeysAreListedForTablesTheTenantMayReadAndNoOthers(@TempDir Path dir) throws Exception {
        Path config = DemoConfig.copy(dir.resolve("conf"));
        // a key between two of acme's write-back tables, made in the backend (the seed): DuckDB makes foreign keys
        // only within the current database
        Path seed = config.resolveSibling("demo-seed.sql");
        Files.writeString(seed, Files.readString(seed) + "\nUSE acme_prod;\nCREATE TABLE akkio_out.fk_parent (id"
                + " INTEGER PRIMARY KEY);\nCREATE TABLE akkio_out.fk_child (parent_id INTEGER REFERENCES"
                + " akkio_out.fk_parent (id));\nUSE memory;\n");
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().config(d -> config).start(dir)) {
            try (Connection c = connect(proxy, "acme", "acme-secret")) {
                DatabaseMetaData md = c.getMetaData();
                try (ResultSet rs = md.getPrimaryKeys("main", "sales", "orders")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("TABLE_CAT")).isEqualTo("main");
                    assertThat(rs.getString("COLUMN_NAME")).isEqualTo("order_id");
                    assertThat(rs.getInt("KEY_SEQ")).isEqualTo(1);
                    assertThat(rs.next()).isFalse();
                }
                for (ResultSet keys : List.of(md.getImportedKeys("main", "akkio_out", "fk_child"),
                        md.getExportedKeys("main", "akkio_out", "fk_parent"),
                        md.getCrossReference("main", "akkio_out", "fk_parent", "main", "akkio_out", "fk_child"))) {
                    try (keys) {
                        assertThat(keys.next()).isTrue();
                        assertThat(List.of(keys.getString("PKTABLE_CAT"), keys.getString("PKTABLE_NAME"),
                                keys.getString("PKCOLUMN_NAME"), keys.getString("FKTABLE_CAT"),
                                keys.getString("FKTABLE_NAME"), keys.getString("FKCOLUMN_NAME")))
                                .containsExactly("main", "fk_parent", "id", "main", "fk_child", "parent_id");
                        assertThat(keys.next()).isFalse();
                    }
                }
            }
            try (Connection c = connect(proxy, "globex", "globex-secret")) {
                DatabaseMetaData md = c.getMetaData();
                // acme's tables, by their physical catalog or under globex's own logical one: not there
                assertThat(column(md.getPrimaryKeys("acme_prod", "sales", "orders"), "COLUMN_NAME")).isEmpty();
                assertThat(column(md.getImportedKeys("acme_prod", "akkio_out", "fk_child"), "PKTABLE_NAME"))
                        .isEmpty();
                assertThat(column(md.getExportedKeys("main", "akkio_out", "fk_parent"), "FKTABLE_NAME")).isEmpty();
                assertThat(column(md.getPrimaryKeys("main", "sales", "orders"), "COLUMN_NAME"))
                        .containsExactly("order_id");
            }
        }
    }

    @Test
    void aPreparedStatementBindsParametersAndIsGovernedOnce() throws Exception {
        try (Connection c = connect("acme", "acme-secret");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) AS n FROM orders WHERE order_id <= ?")) {
            for (int limit : new int[] {10, 250}) {
                ps.setLong(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(limit);
                }
            }
        }
    }

    @Test
    void writesGoToTheWriteBackSchemaOnly() throws Exception {
        try (Connection c = connect("acme", "acme-secret"); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE main.akkio_out.flight_scores AS SELECT order_id, amount FROM orders"
                    + " WHERE order_id <= 5");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM main.akkio_out.flight_scores")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(5);
            }
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO orders VALUES (9999, 1, 1.00, NULL, 'x')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("rule:");
        }
    }
}

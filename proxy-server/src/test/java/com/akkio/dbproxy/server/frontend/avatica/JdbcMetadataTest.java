package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.config.ProxyVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Metadata as JDBC tools (sqlline, DBeaver, IntelliJ) ask for it, through the client jar: table types, the product
 * and driver, identifier case, primary keys; only what the tenant may read, under logical names.
 */
@LiveServerTest
class JdbcMetadataTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static List<String> column(ResultSet rs, String column) throws SQLException {
        List<String> values = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                values.add(rs.getString(column));
            }
        }
        return values;
    }

    @Test
    void tableTypesAreTheStandardOnesAndTablesAreFoundByThem() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            DatabaseMetaData md = acme.getMetaData();
            assertThat(column(md.getTableTypes(), "TABLE_TYPE")).containsExactly("TABLE", "VIEW");
            assertThat(column(md.getTables(null, "sales", "%", new String[] {"TABLE", "VIEW"}), "TABLE_NAME"))
                    .contains("orders", "customers");
            assertThat(column(md.getTables(null, "sales", "orders", new String[] {"TABLE"}), "TABLE_TYPE"))
                    .containsExactly("TABLE");
            assertThat(column(md.getTables(null, "sales", "%", new String[] {"VIEW"}), "TABLE_NAME")).isEmpty();
            assertThat(column(md.getTables(null, null, "%", new String[] {"TABLE"}), "TABLE_CAT"))
                    .isNotEmpty().allMatch(c -> c.equals("main") || c.equals("shared_ref"));
            // the statement behind a metadata answer is the connection's own: it can be read again after
            assertThat(column(md.getTableTypes(), "TABLE_TYPE")).hasSize(2);
        }
    }

    @Test
    void theDatabaseIsTheProxyWithItsVersionAndItsBackendsAndTheDriverIsOurs() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            DatabaseMetaData md = acme.getMetaData();
            assertThat(md.getDatabaseProductName()).isEqualTo("akkio-dbproxy");
            String duckdb;
            try (Connection direct = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
                duckdb = direct.getMetaData().getDatabaseProductVersion();
            }
            assertThat(md.getDatabaseProductVersion()).isEqualTo(ProxyVersion.get() + " (DuckDB " + duckdb + ")")
                    .matches("\\d+\\.\\d+\\.\\d+.* \\(DuckDB v1\\..+\\)");
            assertThat(md.getDatabaseMajorVersion()).isEqualTo(ProxyVersion.part(0));
            assertThat(md.getDatabaseMinorVersion()).isEqualTo(ProxyVersion.part(1));
            assertThat(md.getDriverName()).isEqualTo("akkio-dbproxy JDBC driver");
            assertThat(md.getDriverVersion()).isEqualTo(ProxyVersion.get());
            assertThat(md.getURL()).isEqualTo(proxy.get().clientUrl());
            assertThat(md.getUserName()).isEqualTo("acme");
            assertThat(md.supportsTransactions()).isTrue();
        }
        String url = proxy.get().url() + "?truststore_password=hunter2&timeout_ms=9000";
        try (Connection c = java.sql.DriverManager.getConnection(url, DemoProxy.credentials("acme", "acme-secret"))) {
            assertThat(c.getMetaData().getURL()).isEqualTo(proxy.get().url() + "?timeout_ms=9000");
            assertThat(c.getMetaData().getConnection()).as("the connection the tool holds").isSameAs(c);
        }
    }

    @Test
    void namesAreCaseInsensitiveAsInTheBackendAndCapitalsFindTheLowerCaseTable() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            DatabaseMetaData md = acme.getMetaData();
            assertThat(md.storesLowerCaseIdentifiers()).isTrue();
            assertThat(md.storesUpperCaseIdentifiers()).isFalse();
            assertThat(md.storesMixedCaseIdentifiers()).isFalse();
            assertThat(md.supportsMixedCaseIdentifiers()).isFalse();
            assertThat(md.supportsMixedCaseQuotedIdentifiers()).isFalse();
            assertThat(column(md.getColumns(null, null, "ORDERS", null), "COLUMN_NAME"))
                    .containsExactly("order_id", "customer_id", "amount", "ordered_at", "tenant_tag");
            assertThat(column(md.getColumns("MAIN", "SALES", "Orders", "ORDER_ID"), "COLUMN_NAME"))
                    .containsExactly("order_id");
            assertThat(column(md.getTables(null, "SALES", "ORDERS", null), "TABLE_NAME")).containsExactly("orders");
            // the tenant's rules hold in any case: another tenant's table is not there
            assertThat(column(md.getTables(null, null, "%", null), "TABLE_CAT")).doesNotContain("globex_prod");
            assertThat(column(md.getColumns("GLOBEX_PROD", "SALES", "ORDERS", null), "COLUMN_NAME")).isEmpty();
        }
    }

    @Test
    void primaryKeysOfTheTenantsTablesAndNoneOfOthers() throws Exception {
        try (Connection acme = proxy.get().acme(); Connection globex = proxy.get().globex()) {
            DatabaseMetaData md = acme.getMetaData();
            try (ResultSet rs = md.getPrimaryKeys(null, "sales", "orders")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("TABLE_CAT")).isEqualTo("main");
                assertThat(rs.getString("TABLE_SCHEM")).isEqualTo("sales");
                assertThat(rs.getString("TABLE_NAME")).isEqualTo("orders");
                assertThat(rs.getString("COLUMN_NAME")).isEqualTo("order_id");
                assertThat(rs.getShort("KEY_SEQ")).isEqualTo((short) 1);
                assertThat(rs.next()).isFalse();
            }
            assertThat(column(md.getPrimaryKeys("shared_ref", "geo", "COUNTRIES"), "COLUMN_NAME"))
                    .containsExactly("country_code");
            assertThat(column(md.getPrimaryKeys("globex_prod", "sales", "orders"), "COLUMN_NAME")).isEmpty();
            assertThat(column(globex.getMetaData().getPrimaryKeys(null, null, "countries"), "COLUMN_NAME"))
                    .as("globex may not read shared_ref").isEmpty();
            assertThat(column(globex.getMetaData().getPrimaryKeys(null, null, "orders"), "TABLE_CAT"))
                    .containsExactly("main");
        }
    }

    @Test
    void resultColumnsNameTheirTableAndNullabilityWhenTheyArePlainColumns() throws Exception {
        try (Connection acme = proxy.get().acme(); java.sql.Statement s = acme.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id, tenant_tag AS t, amount * 2 AS doubled FROM orders")) {
            java.sql.ResultSetMetaData md = rs.getMetaData();
            assertThat(md.getCatalogName(1)).isEqualTo("main");
            assertThat(md.getSchemaName(1)).isEqualTo("sales");
            assertThat(md.getTableName(1)).isEqualTo("orders");
            assertThat(md.isNullable(1)).as("the primary key").isEqualTo(java.sql.ResultSetMetaData.columnNoNulls);
            assertThat(md.getColumnLabel(2)).isEqualTo("t");
            assertThat(md.getColumnName(2)).isEqualTo("tenant_tag");
            assertThat(md.getTableName(2)).isEqualTo("orders");
            assertThat(md.isNullable(2)).isEqualTo(java.sql.ResultSetMetaData.columnNullable);
            assertThat(md.getTableName(3)).as("computed: no table is claimed").isNullOrEmpty();
        }
        try (Connection acme = proxy.get().acme();
             java.sql.PreparedStatement ps = acme.prepareStatement("SELECT * FROM shared_ref.geo.countries"
                     + " WHERE country_code = ?")) {
            java.sql.ResultSetMetaData before = ps.getMetaData();
            assertThat(before.getCatalogName(1)).isEqualTo("shared_ref");
            assertThat(before.getTableName(1)).isEqualTo("countries");
            assertThat(before.isNullable(1)).isEqualTo(java.sql.ResultSetMetaData.columnNoNulls);
            ps.setString(1, "DE");
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.getMetaData().getSchemaName(2)).isEqualTo("geo");
                assertThat(rs.getMetaData().isNullable(2)).isEqualTo(java.sql.ResultSetMetaData.columnNullable);
            }
            try (java.sql.Statement s = acme.createStatement(); ResultSet joined = s.executeQuery(
                    "SELECT o.order_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id LIMIT 1")) {
                assertThat(joined.getMetaData().getTableName(1)).as("a join: not claimed").isNullOrEmpty();
            }
        }
    }
}

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Table types as JDBC tools (sqlline, DBeaver, IntelliJ) ask for them, through the client jar. */
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
}

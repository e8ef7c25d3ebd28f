package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tenant's first warehouse refuses connections: the proxy fails over to the next and audits which one ran. */
@LiveServerTest
class DatabricksFailoverTest {
    @Test
    void newConnectionsFailOverToTheNextWarehouse(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, "127.0.0.10", 3600)) {
            dbx.emulator.warehouse("wh-acme", false);
            try (Connection c = dbx.acme(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(250);
            }
            assertThat(dbx.emulator.requests()).anySatisfy(r ->
                    assertThat(r.path()).isEqualTo("/api/2.0/sql/warehouses/wh-backup/sessions"));
            String audit = Files.readString(dbx.auditLog);
            assertThat(audit).contains("\"warehouse_id\":\"wh-backup\"").doesNotContain("\"warehouse_id\":\"wh-acme\"");
        }
    }
}

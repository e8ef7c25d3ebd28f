package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import com.akkio.dbproxy.server.LiveServerTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maps inside arrays and structs reach clients of both front ends as JSON objects, as top-level maps do, not as the
 * entries ({@code [{"key":…,"value":…}]}) databricks-jdbc writes for them from Arrow results. Emulator on
 * 127.0.0.45:443.
 */
@LiveServerTest
class DatabricksNestedMapTest {
    @Test
    void mapsInsideArraysAndStructsReachBothFrontEndsAsObjects(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, "127.0.0.45", 3600, true, 30_000)) {
            dbx.emulator.setUp("CREATE TABLE acme_prod.sales.nested (id INTEGER, a MAP(VARCHAR, INTEGER)[],"
                    + " s STRUCT(n INTEGER, m MAP(INTEGER, VARCHAR)))");
            dbx.emulator.setUp("INSERT INTO acme_prod.sales.nested VALUES (1, [MAP {'x': 1, 'y': 2}, MAP {}],"
                    + " {'n': 5, 'm': MAP {7: 'seven'}})");
            ObjectMapper json = new ObjectMapper();
            for (Connection c : new Connection[] {dbx.acme(), dbx.acmeOverPostgres()}) {
                try (c; Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT a, s FROM nested WHERE id = 1")) {
                    assertThat(r.next()).isTrue();
                    assertThat(json.readTree(r.getString(1))).isEqualTo(json.readTree("[{\"x\":1,\"y\":2},{}]"));
                    assertThat(json.readTree(r.getString(2)))
                            .isEqualTo(json.readTree("{\"n\":5,\"m\":{\"7\":\"seven\"}}"));
                }
            }
        }
    }
}

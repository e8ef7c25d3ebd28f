package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workspace tokens that live two seconds: the driver fetches a new one when one expires, queries do not fail. */
@LiveServerTest
class DatabricksTokenExpiryTest {
    @Test
    void anExpiredTokenIsRefreshedTransparently(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, "127.0.0.9", 2); Connection c = dbx.acme();
             Statement s = c.createStatement()) {
            long tokens = 0;
            for (int round = 0; round < 3; round++) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
                    r.next();
                    assertThat(r.getLong(1)).isEqualTo(250);
                }
                long now = dbx.emulator.count("/oidc/v1/token");
                assertThat(now).as("round %d fetched a fresh token", round).isGreaterThan(tokens);
                tokens = now;
                Thread.sleep(2_500);
            }
        }
    }
}

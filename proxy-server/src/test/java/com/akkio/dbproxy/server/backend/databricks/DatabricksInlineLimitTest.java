package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse aborts a statement whose INLINE result is over 25 MiB (26,214,400 bytes); databricks-jdbc asks for
 * INLINE JSON only with cloud fetch off ({@code EnableQueryResultDownload=0}). Such a result reaches clients of both
 * front ends as {@code 54000 INLINE_RESULT_TOO_LARGE} saying what to change, and the connection goes on; with the
 * proxy's default (cloud fetch) the same result comes through links, never inline
 * ({@link DatabricksCloudFetchTest}). Emulator on 127.0.0.42:443.
 */
@LiveServerTest
class DatabricksInlineLimitTest {
    /** 100 rows (acme's max_rows) of 270,000 characters: 27 MB of JSON, over the limit. */
    static final String OVER_THE_LIMIT = "SELECT order_id, repeat('x', 270000) AS filler FROM orders";

    @Test
    void aResultOverTheInlineLimitIsAClearErrorOnBothFrontEndsAndTheConnectionGoesOn(@TempDir Path dir)
            throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, "127.0.0.42", 3600, true, 60,
                "    pool: { max_size: 4, connection_timeout_ms: 30000, max_lifetime_seconds: 60 }",
                Map.of("EnableQueryResultDownload", "0"));
             Connection jar = dbx.acme("?timeout_ms=120000"); Connection pg = dbx.acmeOverPostgres()) {
            for (Connection c : new Connection[] {jar, pg}) {
                assertThatThrownBy(() -> {
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(OVER_THE_LIMIT)) {
                        r.next();
                    }
                }).isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("54000");
                    assertThat(e.getMessage()).contains("INLINE_RESULT_TOO_LARGE").contains("25 MiB")
                            .contains("EnableQueryResultDownload").doesNotContain("acme_prod");
                });
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                        "SELECT order_id, repeat('x', 270000) AS filler FROM orders ORDER BY order_id LIMIT 5")) {
                    int rows = 0;
                    while (r.next()) {
                        assertThat(r.getString(2)).hasSize(270_000);
                        rows++;
                    }
                    assertThat(rows).as("a result under the limit comes inline").isEqualTo(5);
                }
                assertThat(scalar(c, "SELECT count(*) FROM orders")).as("the connection goes on").isEqualTo(250);
            }
            assertThat(dbx.emulator.requests()).filteredOn(r -> r.method().equals("POST")
                            && r.body().contains("270000"))
                    .isNotEmpty().allSatisfy(r -> assertThat(r.body()).contains("\"disposition\":\"INLINE\""));
        }
    }
}

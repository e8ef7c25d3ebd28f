package com.akkio.dbproxy.server.backend.databricks;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Databricks warehouse's refusal reaches the tenant in the tenant's own terms: databricks-jdbc appends the statement
 * it ran ("Statement execution failed ID -> SELECT … FROM `acme_prod`…") and the warehouse names tables by their
 * physical catalog; the client sees neither the rewrite nor the physical name, but the warehouse's reason, its own
 * SQLState, and the tenant's logical catalog. The emulator listens on 127.0.0.11:443.
 */
@LiveServerTest
class DatabricksErrorNamesTest {
    private static final String IP = "127.0.0.11";

    @Test
    void aWarehouseRefusalNamesTheLogicalCatalogAndNeverTheRewrittenStatement(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600); Connection c = dbx.acme()) {
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
            dbx.emulator.failStatements("TABLE_OR_VIEW_NOT_FOUND", "[TABLE_OR_VIEW_NOT_FOUND] The table or view"
                    + " `acme_prod`.`sales`.`orders` cannot be found. SQLSTATE: 42P01");
            try {
                assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM main.sales.orders"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("HY000");
                            assertThat(e.getMessage()).contains("BACKEND_ERROR")
                                    .contains("The table or view `main`.`sales`.`orders` cannot be found")
                                    .doesNotContainIgnoringCase("acme_prod")
                                    .doesNotContain("->").doesNotContain("LIMIT 100");
                        });
            } finally {
                dbx.emulator.failStatements(null, null);
            }
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(250);
        }
    }
}

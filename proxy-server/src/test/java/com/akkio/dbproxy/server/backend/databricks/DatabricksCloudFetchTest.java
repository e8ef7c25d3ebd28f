package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SqlStates;
import com.akkio.dbproxy.server.backend.databricks.emulator.DatabricksEmulator;
import com.akkio.dbproxy.server.backend.databricks.emulator.StorageHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Results too large to come inline, as a warehouse sends them: Arrow chunks behind presigned links to the workspace's
 * cloud storage, which the driver inside the proxy downloads itself, without the workspace token. Both front ends get
 * every row in order. The workspace listens on 127.0.0.21, its storage on 127.0.1.21.
 */
@LiveServerTest
class DatabricksCloudFetchTest {
    @TempDir
    static Path dir;
    static DatabricksFixture dbx;

    @BeforeAll
    static void start() throws Exception {
        dbx = new DatabricksFixture(dir, "127.0.0.21", 3600, true, 30_000);
        dbx.emulator.chunkRows(20);
        dbx.emulator.inlineLimitBytes(0);
    }

    @AfterAll
    static void stop() throws Exception {
        dbx.close();
    }

    @Test
    void theClientJarGetsAResultTheDriverDownloadedFromCloudStorage() throws Exception {
        try (Connection c = dbx.acme()) {
            assertCappedOrdersThroughLinks(c);
        }
    }

    @Test
    void pgjdbcGetsAResultTheDriverDownloadedFromCloudStorage() throws Exception {
        try (Connection c = SqlStates.connect("jdbc:postgresql://127.0.0.1:" + dbx.proxy.postgresPort()
                + "/main?sslmode=disable", DemoProxy.credentials("acme", "acme-secret"))) {
            assertCappedOrdersThroughLinks(c);
        }
    }

    /**
     * Azure's SAS links and GCS's signed URLs, and S3's, each with a customer key in the link's {@code http_headers}:
     * the driver inside the proxy sends each link's headers with its download, never the workspace token.
     */
    @ParameterizedTest
    @EnumSource(StorageHost.Cloud.class)
    void theDriverFetchesEachCloudsLinksWithTheHeadersTheyCarry(StorageHost.Cloud cloud) throws Exception {
        dbx.storage.cloud(cloud, true);
        try (Connection c = dbx.acme()) {
            int before = dbx.storage.requests().size();
            assertCappedOrdersThroughLinks(c);
            List<DatabricksEmulator.Recorded> downloads = dbx.storage.requests().subList(before,
                    dbx.storage.requests().size());
            assertThat(downloads).isNotEmpty().allSatisfy(d -> {
                assertThat(d.body()).as("the link's query").contains(switch (cloud) {
                    case AWS -> "X-Amz-Signature=";
                    case AZURE -> "sr=b&sp=r&sig=";
                    case GCP -> "X-Goog-Signature=";
                });
                assertThat(d.header(switch (cloud) {
                    case AWS -> "x-amz-server-side-encryption-customer-key";
                    case AZURE -> "x-ms-encryption-key";
                    case GCP -> "x-goog-encryption-key";
                })).as("the customer key the link's headers carry").isNotBlank();
            });
        } finally {
            dbx.storage.cloud(StorageHost.Cloud.AWS, false);
        }
    }

    /** The result a warehouse would refuse INLINE (over 25 MiB) comes whole through links: never hits that limit. */
    @Test
    void aResultOverTheInlineLimitComesThroughLinks() throws Exception {
        try (Connection c = dbx.acme("?timeout_ms=120000"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(DatabricksInlineLimitTest.OVER_THE_LIMIT)) {
            int rows = 0;
            long chars = 0;
            while (r.next()) {
                chars += r.getString(2).length();
                rows++;
            }
            assertThat(rows).isEqualTo(100);
            assertThat(chars).isGreaterThan(26_214_400L);
        }
        assertThat(dbx.emulator.resultsServed()).last().isEqualTo("ARROW_STREAM LINKS");
    }

    /** 250 orders in 13 chunks behind links; the tenant's cap (100 rows) in order, all downloaded token-free. */
    private static void assertCappedOrdersThroughLinks(Connection c) throws SQLException {
        int downloadsBefore = dbx.storage.requests().size();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT order_id, tenant_tag FROM orders ORDER BY order_id")) {
            int expected = 1;
            while (r.next()) {
                assertThat(r.getInt(1)).isEqualTo(expected++);
                assertThat(r.getString(2)).isEqualTo("acme");
            }
            assertThat(expected - 1).as("max_rows").isEqualTo(100);
        }
        assertThat(dbx.emulator.resultsServed()).last().isEqualTo("ARROW_STREAM LINKS");
        List<DatabricksEmulator.Recorded> downloads = dbx.storage.requests().subList(downloadsBefore,
                dbx.storage.requests().size());
        assertThat(downloads).isNotEmpty().allSatisfy(d -> {
            assertThat(d.header("Authorization")).isNull();
            assertThat(d.path()).startsWith("/results/");
        });
    }
}

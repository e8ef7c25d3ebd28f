package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.frontend.pgwire.PgRawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL clients' bound parameters ({@code $1}, the extended protocol) on a Databricks backend: the policy decides
 * and audits the client's text, and the warehouse receives Databricks SQL's {@code ?} markers with one bound value per
 * place, through the real databricks-jdbc driver. Emulator on 127.0.0.41:443.
 */
@LiveServerTest
class DatabricksPostgresParametersTest {
    private static final String IP = "127.0.0.41";
    private static final String POOL = "    pool: { max_size: 4, connection_timeout_ms: 30000, max_lifetime_seconds: 60 }";

    @Test
    void pgjdbcsBoundParametersReachTheWarehouseAsPositionalMarkers(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL);
             Connection pg = dbx.acmeOverPostgres()) {
            for (int run = 0; run < 2; run++) { // the second execution runs on the kept plan
                try (PreparedStatement p = pg.prepareStatement(
                        "SELECT count(*) FROM orders WHERE order_id <= ? AND tenant_tag = ?")) {
                    p.setInt(1, 10 + run);
                    p.setString(2, "acme");
                    try (ResultSet rs = p.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).isEqualTo(10 + run);
                    }
                }
            }
            assertThat(statements(dbx, "order_id <= ")).hasSize(2).allSatisfy(body -> assertThat(body)
                    .contains("order_id <= ? AND tenant_tag = ?").doesNotContain("$1")
                    .contains("{\"type\":\"STRING\",\"value\":\"acme\",\"ordinal\":2}"));
            assertThat(statements(dbx, "order_id <= ").get(0))
                    .contains("{\"type\":\"INT\",\"value\":\"10\",\"ordinal\":1}");
            assertThat(Files.readString(dbx.auditLog)).as("the audit has the client's statement, allowed")
                    .contains("\"decision\":\"allow\"");
        }
    }

    /**
     * What libpq's {@code PQexecParams} sends: a Parse whose parameter types are left to the server, one number used
     * twice and the numbers out of order.
     */
    @Test
    void aNumberUsedTwiceAndUntypedParametersAreBoundToEachOfTheirPlaces(@TempDir Path dir) throws Exception {
        try (DatabricksFixture dbx = new DatabricksFixture(dir, IP, 3600, true, 20, POOL);
             PgRawClient c = new PgRawClient(dbx.proxy.postgresPort())) {
            c.login("acme", "acme-secret");
            String sql = "SELECT count(*) FROM orders WHERE (tenant_tag = $2 OR tenant_tag = upper($2))"
                    + " AND order_id >= CAST($1 AS INT) AND order_id < CAST($1 AS INT) + 5";
            c.send('P', concat(PgRawClient.cstrings("", sql), new byte[2]));
            c.send('D', concat(new byte[] {'S'}, PgRawClient.cstrings("")));
            c.send('B', bind("7", "acme"));
            c.send('E', concat(PgRawClient.cstrings(""), new byte[4]));
            c.send('S', new byte[0]);
            PgRawClient.Reply description = c.until('t');
            assertThat(description.type()).as(description.text()).isEqualTo('t');
            assertThat(ByteBuffer.wrap(description.body()).getShort()).as("two parameters to bind").isEqualTo((short) 2);
            PgRawClient.Reply row = c.until('D');
            assertThat(row.type()).as(row.text()).isEqualTo('D');
            assertThat(row.text()).endsWith("5");
            assertThat(c.until('Z').type()).isEqualTo('Z');
        }
    }

    private static List<String> statements(DatabricksFixture dbx, String containing) {
        return dbx.emulator.requests().stream().filter(r -> r.path().startsWith("/api/2.0/sql/statements")).map(r -> r.body())
                .filter(b -> b.startsWith("{\"statement\":\"SELECT") && b.contains(containing)).toList();
    }

    /** A Bind of the unnamed statement to the unnamed portal, with text values. */
    private static byte[] bind(String... values) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.put(PgRawClient.cstrings("", ""));
        b.putShort((short) 0);
        b.putShort((short) values.length);
        for (String v : values) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            b.putInt(bytes.length).put(bytes);
        }
        b.putShort((short) 0);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A FOREIGN KEY between two write-back tables on the demo's DuckDB, through pgjdbc and the client jar: DuckDB refuses
 * every form the rewrite could send (a catalog-qualified reference is "cross-database" to its parser, an unqualified
 * one binds in the session's catalog), so the proxy denies it before the backend with its own code, audits the
 * denial, and the connection goes on; the same tables without the key are created.
 */
@LiveServerTest
class DuckDbForeignKeyTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static void assertDenied(Statement s, String sql) {
        assertThatThrownBy(() -> s.execute(sql)).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("0A000");
            assertThat(e.getErrorCode()).isIn(0, 1104); // pgjdbc has no vendor code
            assertThat(e.getMessage()).contains("FOREIGN_KEY_NOT_SUPPORTED: a FOREIGN KEY",
                    "rule: DuckDB foreign keys").doesNotContain("acme_prod", "cross-database");
        });
    }

    @Test
    void aForeignKeyBetweenWriteBackTablesIsDeniedUpFrontAndTheTablesWithoutItAreCreated() throws Exception {
        long before = denialsAudited();
        try (Connection c = PgDemo.connect(proxy.get(), "acme", "acme-secret", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE akkio_out.fk_parent (id INT PRIMARY KEY)");
            for (String sql : List.of(
                    "CREATE TABLE akkio_out.fk_child (id INT, pid INT REFERENCES akkio_out.fk_parent (id))",
                    "CREATE TABLE main.akkio_out.fk_child (id INT, pid INT,"
                            + " FOREIGN KEY (pid) REFERENCES main.akkio_out.fk_parent (id))")) {
                assertDenied(s, sql);
            }
            s.execute("CREATE TABLE akkio_out.fk_child (id INT, pid INT)");
            s.execute("INSERT INTO akkio_out.fk_parent VALUES (1)");
            s.execute("INSERT INTO akkio_out.fk_child VALUES (10, 1)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM akkio_out.fk_child c"
                    + " JOIN akkio_out.fk_parent p ON p.id = c.pid")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        assertThat(denialsAudited()).isEqualTo(before + 2);
    }

    private static long denialsAudited() throws java.io.IOException {
        return Files.readAllLines(proxy.get().auditLog).stream()
                .filter(l -> l.contains("\"code\":\"FOREIGN_KEY_NOT_SUPPORTED\"") && l.contains("\"decision\":\"deny\""))
                .count();
    }

    @Test
    void theClientJarSeesTheSameDenialWithItsVendorCode() throws Exception {
        try (Connection c = proxy.get().acme(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE akkio_out.fk_parent2 (id INT PRIMARY KEY)");
            assertThatThrownBy(() -> s.execute("CREATE TABLE akkio_out.fk_child2 (pid INT REFERENCES fk_parent2 (id))"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getErrorCode()).isEqualTo(1104);
                    });
        }
    }
}

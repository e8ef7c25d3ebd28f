package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PostgreSQL front end end to end, through the PostgreSQL JDBC driver (extended query protocol, text and binary
 * formats, portals with fetch sizes, cancel) against a real server on 127.0.0.1 with the demo world.
 */
@LiveServerTest
class PgWireEndToEndTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(PgDemo.builder(200_000));

    private static Connection acme(String options) throws SQLException {
        return PgDemo.connect(proxy.get(), "acme", "acme-secret", options);
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    @Test
    void eachTenantSeesItsOwnRows() throws Exception {
        try (Connection acme = acme("");
             Connection globex = PgDemo.connect(proxy.get(), "globex", "globex-secret", "")) {
            assertThat(scalar(acme, "SELECT count(*) FROM main.sales.orders WHERE tenant_tag = 'acme'"))
                    .isEqualTo(1000);
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
            assertThat(scalar(globex, "SELECT count(*) FROM orders")).isEqualTo(500);
            assertThat(scalar(globex, "SELECT count(*) FROM orders WHERE tenant_tag <> 'globex'")).isZero();
        }
    }

    @Test
    void concurrentClientsOfBothTenantsEachSeeTheirOwnRows() throws Exception {
        List<CompletableFuture<Void>> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean acme = i % 2 == 0;
            clients.add(CompletableFuture.runAsync(() -> {
                try (Connection c = acme ? acme("") : PgDemo.connect(proxy.get(), "globex", "globex-secret", "")) {
                    for (int q = 0; q < 20; q++) {
                        assertThat(scalar(c, "SELECT count(*) FROM orders WHERE tenant_tag = '"
                                + (acme ? "acme" : "globex") + "'")).isEqualTo(acme ? 1000 : 500);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(clients.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    }

    @Test
    void denialsCarryTheAvaticaSideSqlStatesAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = acme("")) {
            assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM globex_prod.sales.orders"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("OBJECT_NOT_READABLE").contains("rule: read");
                    });
            assertThatThrownBy(() -> scalar(c, "SELEC nonsense FROM"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42601"));
            // a catalog query alone is answered from the governed catalog; one that reaches for data is the policy's
            assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM pg_catalog.pg_class JOIN orders ON true"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> scalar(c, "SELECT no_such_column FROM orders"))
                    .isInstanceOfSatisfying(SQLException.class, e ->
                            assertThat(e.getMessage()).contains("BACKEND_ERROR").doesNotContain("at com."));
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void wrongPasswordIsRefusedWith28P01AndAudited() throws Exception {
        assertThatThrownBy(() -> PgDemo.connect(proxy.get(), "acme", "not-the-secret", ""))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThatThrownBy(() -> PgDemo.connect(proxy.get(), "nobody", "acme-secret", ""))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThat(Files.readString(proxy.refusalLog())).contains("\"tenant\":\"acme\"").contains(
                "\"decision\":\"unauthenticated\"").contains("\"tenant\":\"nobody\"");
    }

    @ParameterizedTest(name = "binary transfer {0}")
    @ValueSource(booleans = {false, true})
    void typesRoundTripInTextAndBinary(boolean binary) throws Exception {
        // prepareThreshold=-1 makes the driver use named server statements (and binary results) from the first run
        String options = binary ? "prepareThreshold=-1&binaryTransfer=true" : "prepareThreshold=0&binaryTransfer=false";
        try (Connection c = acme(options); PreparedStatement ps = c.prepareStatement(
                "SELECT CAST(? AS SMALLINT) AS s, CAST(? AS INTEGER) AS i, CAST(? AS BIGINT) AS b,"
                        + " CAST(? AS DECIMAL(12,2)) AS d, CAST(? AS REAL) AS r, CAST(? AS DOUBLE) AS f,"
                        + " CAST(? AS VARCHAR) AS t, CAST(? AS BOOLEAN) AS z, CAST(? AS DATE) AS dt,"
                        + " CAST(? AS TIMESTAMP) AS ts, CAST(NULL AS INTEGER) AS n")) {
            for (int round = 0; round < 2; round++) {
                ps.setShort(1, (short) -7);
                ps.setInt(2, 123456);
                ps.setLong(3, 9_000_000_000L);
                ps.setBigDecimal(4, new BigDecimal("-1234.50"));
                ps.setFloat(5, 1.5f);
                ps.setDouble(6, 2.25);
                ps.setString(7, "héllo");
                ps.setBoolean(8, true);
                ps.setObject(9, LocalDate.of(2025, 3, 4));
                ps.setObject(10, LocalDateTime.of(2025, 3, 4, 5, 6, 7));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getShort("s")).isEqualTo((short) -7);
                    assertThat(rs.getInt("i")).isEqualTo(123456);
                    assertThat(rs.getLong("b")).isEqualTo(9_000_000_000L);
                    assertThat(rs.getBigDecimal("d")).isEqualByComparingTo("-1234.50");
                    assertThat(rs.getFloat("r")).isEqualTo(1.5f);
                    assertThat(rs.getDouble("f")).isEqualTo(2.25);
                    assertThat(rs.getString("t")).isEqualTo("héllo");
                    assertThat(rs.getBoolean("z")).isTrue();
                    assertThat(rs.getObject("dt", LocalDate.class)).isEqualTo(LocalDate.of(2025, 3, 4));
                    assertThat(rs.getObject("ts", LocalDateTime.class)).isEqualTo(LocalDateTime.of(2025, 3, 4, 5, 6, 7));
                    rs.getInt("n");
                    assertThat(rs.wasNull()).isTrue();
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(List.of(md.getColumnType(1), md.getColumnType(2), md.getColumnType(3),
                            md.getColumnType(4), md.getColumnType(8), md.getColumnType(9), md.getColumnType(10)))
                            .containsExactly(Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.BIT,
                                    Types.DATE, Types.TIMESTAMP);
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    @Test
    void demoColumnsComeBackTyped() throws Exception {
        try (Connection c = acme("prepareThreshold=-1&binaryTransfer=true");
             PreparedStatement ps = c.prepareStatement("SELECT order_id, amount, ordered_at, tenant_tag FROM orders"
                     + " WHERE order_id = ?")) {
            ps.setLong(1, 5);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(5);
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("2.85");
                assertThat(rs.getObject(3, LocalDateTime.class)).isEqualTo(LocalDateTime.of(2025, 1, 1, 15, 0));
                assertThat(rs.getString(4)).isEqualTo("acme");
            }
        }
    }

    @Test
    void aLargeResultStreamsThroughPortalsWithAFetchSize() throws Exception {
        try (Connection c = acme("")) {
            c.setAutoCommit(false); // the driver uses a portal with a row limit (PortalSuspended) only in a transaction
            try (Statement s = c.createStatement()) {
                s.setFetchSize(5000);
                long rows = 0;
                long sum = 0;
                try (ResultSet rs = s.executeQuery("SELECT * FROM range(100000)")) {
                    while (rs.next()) {
                        rows++;
                        sum += rs.getLong(1);
                    }
                }
                assertThat(rows).isEqualTo(100_000);
                assertThat(sum).isEqualTo(99_999L * 100_000 / 2);
            }
            c.commit();
            // and without a fetch size: one Execute, the whole result in frames
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM range(100000)")) {
                long rows = 0;
                while (rs.next()) {
                    rows++;
                }
                assertThat(rows).isEqualTo(100_000);
            }
        }
    }

    @Test
    void theTenantsRowCapStillApplies() throws Exception {
        try (Connection c = PgDemo.connect(proxy.get(), "globex", "globex-secret", "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM range(100000)")) {
            long rows = 0;
            while (rs.next()) {
                rows++;
            }
            assertThat(rows).isEqualTo(1000); // globex's max_rows
        }
    }

    @Test
    void aRunningQueryIsCancelledWith57014() throws Exception {
        try (Connection c = acme("prepareThreshold=-1"); Statement s = c.createStatement();
             PreparedStatement other = c.prepareStatement("SELECT count(*) FROM orders WHERE order_id > ?")) {
            other.setLong(1, 990);
            try (ResultSet rs = other.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(10);
            }
            for (int round = 0; round < 2; round++) { // the second on the plan the connection kept from the first
                CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(1500);
                        s.cancel();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                long start = System.nanoTime();
                assertThatThrownBy(() -> s.executeQuery("SELECT count(*) FROM range(100000000) a, range(100000) b"))
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("57014"));
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(60);
                cancel.get(10, TimeUnit.SECONDS);
                assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            }
            // the session's other prepared statement was not running and survives the cancel
            try (ResultSet rs = other.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(10);
            }
        }
        assertThat(Files.readString(proxy.auditLog())).contains("\"code\":\"57014\"");
    }

    @Test
    void sessionStatementsAreAnsweredByTheFrontEnd() throws Exception {
        try (Connection c = acme(""); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW transaction isolation level")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("read committed");
            }
            try (ResultSet rs = s.executeQuery("select current_schema()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("sales");
            }
            try (ResultSet rs = s.executeQuery("select pg_catalog.version()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).startsWith("PostgreSQL 14.0");
            }
            s.execute("SET application_name = 'renamed'");
            assertThatThrownBy(() -> s.execute("SET search_path = globex_prod"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));
            assertThatThrownBy(() -> s.execute("SET client_encoding = 'LATIN1'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"));
            // transactions: the driver's BEGIN/COMMIT are answered here, and the status follows
            c.setAutoCommit(false);
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM globex_prod.sales.orders"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> scalar(c, "SELECT count(*) FROM orders"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            c.rollback();
            assertThat(scalar(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
            c.commit();
        }
    }

    @Test
    void everyStatementIsAuditedWithTheApplicationName() throws Exception {
        // the audit's user agent is the application_name of the startup message (pgjdbc sends it there only when
        // told the server is at least 9.0; otherwise it SETs it later, which does not change the audited identity)
        try (Connection c = acme("ApplicationName=audit-probe&assumeMinServerVersion=9.0")) {
            assertThat(scalar(c, "SELECT count(*) FROM orders WHERE order_id < 11")).isEqualTo(10);
        }
        List<String> lines = Files.readAllLines(proxy.auditLog()).stream()
                .filter(l -> l.contains("\"user_agent\":\"audit-probe\"")).toList();
        assertThat(lines).as(Files.readString(proxy.auditLog())).anyMatch(l -> l.contains("\"event\":\"forward\""));
        assertThat(lines).anyMatch(l -> l.contains("\"event\":\"complete\"") && l.contains("\"rows\":1"));
    }

    @Test
    void anOversizeMessageEndsTheConnectionWith54000() throws Exception {
        try (Connection c = acme(""); Statement s = c.createStatement()) {
            String huge = "SELECT '" + "x".repeat(2 << 20) + "'";
            assertThatThrownBy(() -> s.executeQuery(huge)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isIn("54000", "08006"));
            assertThat(c.isValid(2)).isFalse();
        }
    }

    @Test
    void throttlingAnswers53400(@TempDir Path own) throws Exception {
        // the demo as configured: globex may run 5 statements/s with a burst of 10
        try (DemoProxy throttled = DemoProxy.builder().start(own);
             Connection c = PgDemo.connect(throttled, "globex", "globex-secret", "")) {
            SQLException refused = null;
            for (int i = 0; i < 40 && refused == null; i++) {
                try {
                    scalar(c, "SELECT count(*) FROM orders");
                } catch (SQLException e) {
                    refused = e;
                }
            }
            assertThat((Object) refused).isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("53400");
        }
    }
}

package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Statements as IDEs, BI tools and the Python DB-API bridges use them, through the client jar: a row limit, a
 * denial on every path (JayDeBeApi and jpype.dbapi2 prepare every statement), parameters in the SELECT list.
 */
@LiveServerTest
class JdbcStatementSemanticsTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static int count(ResultSet rs) throws SQLException {
        int n = 0;
        try (rs) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void setMaxRowsReturnsThatManyRowsFromAStatementAndAPreparedStatement() throws Exception {
        try (Connection acme = proxy.get().acme(); Statement s = acme.createStatement();
             PreparedStatement ps = acme.prepareStatement("SELECT * FROM orders WHERE order_id > ?")) {
            s.setMaxRows(7);
            assertThat(count(s.executeQuery("SELECT * FROM orders"))).isEqualTo(7);
            assertThat(s.getMaxRows()).isEqualTo(7);
            ps.setMaxRows(7);
            ps.setLong(1, 0);
            assertThat(count(ps.executeQuery())).isEqualTo(7);
            // the limit spans frames: with 10 rows a frame, 25 rows come in three
            s.setFetchSize(10);
            s.setMaxRows(25);
            assertThat(count(s.executeQuery("SELECT * FROM orders"))).isEqualTo(25);
            ps.setFetchSize(10);
            ps.setMaxRows(25);
            assertThat(count(ps.executeQuery())).isEqualTo(25);
            // and none again: every row, in frames of the fetch size
            s.setMaxRows(0);
            assertThat(count(s.executeQuery("SELECT * FROM orders"))).isEqualTo(1000);
            ps.setMaxRows(0);
            assertThat(count(ps.executeQuery())).isEqualTo(1000);
        }
    }

    @Test
    void aDenialReadsTheSameOnEveryPathWithItsCodeNameAndRule() throws Exception {
        String read = "SELECT * FROM globex_prod.sales.orders";
        String write = "INSERT INTO globex_prod.sales.orders (order_id) VALUES (1)";
        try (Connection acme = proxy.get().acme(); Statement s = acme.createStatement()) {
            SQLException statement = catchThrowableOfType(SQLException.class, () -> s.execute(read));
            SQLException prepared = catchThrowableOfType(SQLException.class, () -> acme.prepareStatement(read));
            assertThat(statement.getMessage()).isEqualTo("OBJECT_NOT_READABLE: object globex_prod.sales.orders is"
                    + " not readable by tenant 'acme' (rule: read [acme_prod.sales.*, shared_ref.geo.*])");
            for (SQLException e : List.of(statement, prepared)) {
                assertThat(e.getMessage()).isEqualTo(statement.getMessage());
                assertThat(e.getSQLState()).isEqualTo("42501");
                assertThat(e.getErrorCode()).isEqualTo(1201);
            }
            SQLException writeStatement = catchThrowableOfType(SQLException.class, () -> s.execute(write));
            SQLException writePrepared = catchThrowableOfType(SQLException.class, () -> acme.prepareStatement(write));
            s.addBatch(write);
            SQLException writeBatch = catchThrowableOfType(SQLException.class, s::executeBatch);
            assertThat(writeStatement.getMessage()).startsWith("OBJECT_NOT_WRITABLE: ")
                    .endsWith("(rule: write [acme_prod.akkio_out.*])");
            for (SQLException e : List.of(writeStatement, writePrepared, writeBatch)) {
                assertThat(e.getMessage()).isEqualTo(writeStatement.getMessage());
                assertThat(e.getSQLState()).isEqualTo("42501");
                assertThat(e.getErrorCode()).isEqualTo(1202);
            }
            // and the connection goes on
            assertThat(count(s.executeQuery("SELECT * FROM orders WHERE order_id <= 3"))).isEqualTo(3);
        }
    }

    /** {@code SELECT ? AS v} with {@code value} bound as {@code setter} does; the one row's value and type. */
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static Object selectParameter(Connection c, Binder binder, int expectedType) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ? AS v")) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getMetaData().getColumnType(1)).isEqualTo(expectedType);
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("v");
                return rs.getObject(1);
            }
        }
    }

    @Test
    void aParameterInTheSelectListComesBackWithItsTypeAndValue() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            assertThat(selectParameter(acme, ps -> ps.setInt(1, 7), Types.INTEGER)).isEqualTo(7);
            assertThat(selectParameter(acme, ps -> ps.setString(1, "x"), Types.VARCHAR)).isEqualTo("x");
            assertThat(selectParameter(acme, ps -> ps.setDate(1, Date.valueOf("2024-02-29")), Types.DATE))
                    .isEqualTo(Date.valueOf("2024-02-29"));
            assertThat(selectParameter(acme, ps -> ps.setTimestamp(1, Timestamp.valueOf("2024-02-29 12:34:56.123")),
                    Types.TIMESTAMP)).isEqualTo(Timestamp.valueOf("2024-02-29 12:34:56.123"));
            assertThat((BigDecimal) selectParameter(acme, ps -> ps.setBigDecimal(1, new BigDecimal("12.34")),
                    Types.DECIMAL)).isEqualByComparingTo("12.34");
        }
    }

    @Test
    void twoAndEightParametersInTheSelectListEachGetTheirColumn() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            try (PreparedStatement ps = acme.prepareStatement("SELECT ? AS a, ? AS b")) {
                ps.setInt(1, 1);
                ps.setString(2, "two");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt("a")).isEqualTo(1);
                    assertThat(rs.getString("b")).isEqualTo("two");
                }
            }
            try (PreparedStatement ps = acme.prepareStatement("SELECT ? AS c1, ? AS c2, ? AS c3, ? AS c4, ? AS c5,"
                    + " ? AS c6, ? AS c7, ? AS c8")) {
                for (int i = 1; i <= 8; i++) {
                    ps.setLong(i, i * 10L);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(md.getColumnCount()).isEqualTo(8);
                    assertThat(rs.next()).isTrue();
                    for (int i = 1; i <= 8; i++) {
                        assertThat(md.getColumnLabel(i)).isEqualTo("c" + i);
                        assertThat(rs.getLong(i)).isEqualTo(i * 10L);
                    }
                }
                // bound again with other types, the same statement describes its new result
                ps.setString(1, "text");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getMetaData().getColumnType(1)).isEqualTo(Types.VARCHAR);
                    assertThat(rs.getObject(1)).isEqualTo("text");
                }
            }
        }
    }
}

package com.akkio.dbproxy.server.frontend.pgwire;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A PostgreSQL client's transaction block is a transaction of the backend: what it wrote is visible to others only
 * once it commits, and a rollback (or a failed block) leaves nothing half-written. pgjdbc with auto-commit off
 * sends BEGIN itself, as psycopg2 and SQLAlchemy do.
 */
@LiveServerTest
class PgTransactionTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(PgDemo.builder(1000));

    private static Connection acme() throws SQLException {
        return PgDemo.connect(proxy.get(), "acme", "acme-secret", "");
    }

    @Test
    void aBlockIsSeenByOthersOnlyWhenItCommitsAndARollbackLeavesNothing() throws Exception {
        try (Connection writer = acme(); Connection reader = acme(); Statement w = writer.createStatement()) {
            w.execute("CREATE TABLE akkio_out.tx_probe (id INTEGER, note VARCHAR)");
            writer.setAutoCommit(false);
            w.execute("INSERT INTO akkio_out.tx_probe VALUES (1, 'kept'), (2, 'kept')");
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.tx_probe")).as("not committed yet").isZero();
            writer.commit();
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.tx_probe")).isEqualTo(2);
            w.execute("INSERT INTO akkio_out.tx_probe VALUES (3, 'rolled back')");
            writer.rollback();
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.tx_probe")).isEqualTo(2);
            writer.setAutoCommit(true);
            assertThat(scalar(writer, "SELECT count(*) FROM akkio_out.tx_probe WHERE note = 'rolled back'")).isZero();
        }
    }

    @Test
    void aFailedBlockWritesNothingOfWhatCameBeforeTheFailure() throws Exception {
        try (Connection writer = acme(); Connection reader = acme(); Statement w = writer.createStatement()) {
            w.execute("CREATE TABLE akkio_out.tx_failed (id INTEGER)");
            writer.setAutoCommit(false);
            w.execute("INSERT INTO akkio_out.tx_failed VALUES (1), (2), (3)");
            assertThatThrownBy(() -> w.execute("INSERT INTO akkio_out.tx_failed VALUES ('not a number')"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> w.execute("INSERT INTO akkio_out.tx_failed VALUES (4)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            writer.commit(); // a failed block's COMMIT rolls back
            writer.setAutoCommit(true);
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.tx_failed")).isZero();
        }
    }

    @Test
    void aConnectionThatDiesInABlockLeavesNothingBehind() throws Exception {
        try (Connection setup = acme(); Statement s = setup.createStatement()) {
            s.execute("CREATE TABLE akkio_out.tx_abandoned (id INTEGER)");
        }
        Connection writer = acme();
        writer.setAutoCommit(false);
        try (Statement w = writer.createStatement()) {
            w.execute("INSERT INTO akkio_out.tx_abandoned VALUES (1)");
        }
        writer.close(); // without COMMIT
        try (Connection reader = acme()) {
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.tx_abandoned")).isZero();
        }
    }
}

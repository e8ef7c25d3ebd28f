package com.akkio.dbproxy.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kept prepared queries of one backend connection, on a real DuckDB. */
class KeptPlansTest {
    private final KeptPlans.Counts counts = new KeptPlans.Counts();
    private DuckDBConnection root;
    private DuckDBConnection connection;

    @BeforeEach
    void open() throws SQLException {
        root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        connection = (DuckDBConnection) root.duplicate();
        run("ATTACH ':memory:' AS cat");
        run("CREATE TABLE cat.main.t AS SELECT 1 AS a");
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
        root.close();
    }

    private void run(String sql) throws SQLException {
        try (Statement s = root.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> rows(PreparedStatement statement) throws SQLException {
        statement.execute();
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = statement.getResultSet()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? "," : "").append(rs.getMetaData().getColumnName(i)).append('=')
                            .append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    @Test
    void aTextRunAgainGetsTheStatementGivenBackAndALentOneIsNeverShared() throws SQLException {
        KeptPlans queries = new KeptPlans(4, counts);
        PreparedStatement first = queries.lend(1, "SELECT 1", connection);
        PreparedStatement whileLent = queries.lend(2, "SELECT 1", connection);
        assertThat(whileLent).isNotSameAs(first);
        queries.giveBack(1);
        assertThat(queries.lend(3, "SELECT 1", connection)).isSameAs(first);
        assertThat(counts.planned().sum()).isEqualTo(2);
        assertThat(counts.kept().sum()).isEqualTo(1);
        queries.giveBack(2);
        queries.giveBack(3);
        assertThat(queries.waiting()).as("one statement waits per text; the other was closed").isEqualTo(1);
        assertThat(first.isClosed() != whileLent.isClosed()).isTrue();
        queries.giveBack(3); // nothing lent any more: no effect
        assertThat(queries.waiting()).isEqualTo(1);
    }

    @Test
    void aStatementLentAsAPreparedStatementsOwnGoesBackWhenItClosesAndRunsOnlyItsText() throws SQLException {
        KeptPlans queries = new KeptPlans(4, counts);
        PreparedStatement own = queries.lendAsOwn(1, "SELECT 42", connection);
        assertThat(queries.holdsAsOwn(1)).isTrue();
        assertThat(rows(own)).containsExactly("42=42");
        assertThatThrownBy(() -> own.execute("SELECT 43")).isInstanceOf(SQLException.class)
                .hasMessageContaining("runs the text it was prepared with");
        assertThatThrownBy(() -> own.executeQuery("SELECT 43")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> own.addBatch("SELECT 43")).isInstanceOf(SQLException.class);
        own.close();
        own.close();
        assertThat(own.isClosed()).isTrue();
        assertThatThrownBy(own::execute).isInstanceOf(SQLException.class).hasMessageContaining("closed");
        assertThat(queries.holdsAsOwn(1)).isFalse();
        assertThat(queries.waiting()).isEqualTo(1);
        PreparedStatement next = queries.lend(2, "SELECT 42", connection);
        assertThat(queries.waiting()).as("the kept statement was lent again").isZero();
        assertThat(rows(next)).containsExactly("42=42");
        assertThat(queries.holdsAsOwn(2)).isFalse();
    }

    /** Parameters bound by a prepared statement's holder do not stay with the kept statement. */
    @Test
    void aStatementGoesBackWithoutTheParameterValuesItWasGiven() throws SQLException {
        KeptPlans queries = new KeptPlans(4, counts);
        String sql = "SELECT CAST(? AS INTEGER) AS v";
        PreparedStatement own = queries.lendAsOwn(1, sql, connection);
        own.setInt(1, 5);
        assertThat(rows(own)).containsExactly("v=5");
        own.close();
        PreparedStatement again = queries.lend(2, sql, connection);
        assertThat(queries.waiting()).isZero();
        assertThatThrownBy(() -> rows(again)).as("run without a value, as a new statement would be")
                .isInstanceOf(SQLException.class);
    }

    @Test
    void theLeastRecentlyUsedIsClosedBeyondCapacity() throws SQLException {
        KeptPlans queries = new KeptPlans(2, counts);
        List<PreparedStatement> statements = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statements.add(queries.lend(i, "SELECT " + i, connection));
            queries.giveBack(i);
        }
        assertThat(queries.waiting()).isEqualTo(2);
        assertThat(statements.get(0).isClosed()).isTrue();
        assertThat(statements.get(1).isClosed()).isFalse();
        assertThat(queries.lend(7, "SELECT 1", connection)).isSameAs(statements.get(1));
    }

    @Test
    void closingClosesLentAndWaitingStatements() throws SQLException {
        KeptPlans queries = new KeptPlans(4, counts);
        PreparedStatement lent = queries.lend(1, "SELECT 1", connection);
        PreparedStatement waiting = queries.lend(2, "SELECT 2", connection);
        queries.giveBack(2);
        queries.close();
        assertThat(lent.isClosed()).isTrue();
        assertThat(waiting.isClosed()).isTrue();
        assertThat(queries.waiting()).isZero();
    }

    /** DuckDB closes a prepared statement whose query timed out: such a statement is never lent again. */
    @Test
    void aStatementClosedOrDiscardedAfterAFailureIsNotKept() throws SQLException {
        KeptPlans queries = new KeptPlans(4, counts);
        PreparedStatement slow = queries.lend(1, "SELECT count(*) FROM range(3000000000) t(i) WHERE i % 7 = 3",
                connection);
        slow.setQueryTimeout(1);
        assertThatThrownBy(slow::execute).isInstanceOf(SQLException.class);
        assertThat(slow.isClosed()).as("what DuckDB does to a statement that timed out").isTrue();
        queries.giveBack(1);
        assertThat(queries.waiting()).isZero();
        PreparedStatement failed = queries.lend(2, "SELECT 2", connection);
        queries.discard(2);
        assertThat(failed.isClosed()).isTrue();
        assertThat(queries.waiting()).isZero();
    }

    /** What makes keeping a plan safe: DuckDB binds a kept query again when its tables change. */
    @Test
    void aKeptQueryAnswersAsANewOneAfterItsTablesChange() throws SQLException {
        KeptPlans queries = new KeptPlans(4, counts);
        String star = "SELECT * FROM cat.main.t ORDER BY ALL";
        PreparedStatement kept = queries.lend(1, star, connection);
        assertThat(rows(kept)).containsExactly("a=1");
        queries.giveBack(1);
        run("INSERT INTO cat.main.t VALUES (2)");
        assertThat(rows(queries.lend(2, star, connection))).containsExactly("a=1", "a=2");
        queries.giveBack(2);
        run("DROP TABLE cat.main.t");
        run("CREATE TABLE cat.main.t AS SELECT 'x' AS b, 5 AS c");
        PreparedStatement again = queries.lend(3, star, connection);
        assertThat(again).isSameAs(kept);
        assertThat(rows(again)).containsExactly("b=x,c=5");
        queries.giveBack(3);
        run("DROP TABLE cat.main.t");
        assertThatThrownBy(() -> rows(queries.lend(4, star, connection))).isInstanceOf(SQLException.class)
                .hasMessageContaining("does not exist");
    }
}

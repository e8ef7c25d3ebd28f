package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.akkio.dbproxy.server.governed.ProxyError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which statements the front end answers itself: the ones drivers send, exactly; anything that merely resembles them
 * (a second statement, a subquery, a comment) goes to the governed path, where the policy decides.
 */
class LocalStatementTest {
    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "begin;", "START TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY",
            "BEGIN TRANSACTION READ WRITE", "COMMIT", "end transaction", "ROLLBACK", "abort", "SET client_encoding TO 'UTF8'",
            "set application_name = 'x y'", "SET TIME ZONE 'UTC'", "SHOW standard_conforming_strings",
            "show transaction isolation level", "SELECT version()", "select pg_catalog.version()",
            "select current_schema()", "SELECT current_database()",
            "SELECT t.oid, typarray\nFROM pg_type t JOIN pg_namespace ns\n    ON typnamespace = ns.oid\n"
                    + "WHERE typname = 'hstore';\n",
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"})
    void driverStatementsAreAnswered(String sql) {
        assertThat(LocalStatement.recognize(sql)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT version(), (SELECT count(*) FROM globex_prod.sales.orders)",
            "SELECT version() FROM globex_prod.sales.orders", "BEGIN; SELECT * FROM globex_prod.sales.orders",
            "SET x = 1; DROP TABLE y", "select version() -- comment", "SELECT /* */ version()",
            "SELECT t.oid, typarray FROM pg_type t JOIN pg_namespace ns ON typnamespace = ns.oid WHERE typname = 'x'",
            "SELECT * FROM pg_type", "ROLLBACK TO SAVEPOINT a", "SAVEPOINT a", "SELECT version", "COPY orders TO STDOUT",
            "SELECT 1", "SHOW TABLES; SELECT 1"})
    void anythingElseIsGoverned(String sql) {
        assertThat(LocalStatement.recognize(sql)).isNull();
    }

    @Test
    void cursorsAreKeptByTheFrontEndButTheirQueryIsGoverned() {
        assertThat(LocalStatement.recognize("DECLARE \"c_1\" CURSOR WITHOUT HOLD FOR SELECT * FROM orders"))
                .isEqualTo(new LocalStatement.Declare("c_1", "SELECT * FROM orders", false, false, false));
        assertThat(LocalStatement.recognize("declare _psql_cursor no scroll cursor for\nselect 1;"))
                .isEqualTo(new LocalStatement.Declare("_psql_cursor", "select 1", false, false, false));
        assertThat(LocalStatement.recognize("DECLARE c SCROLL CURSOR WITH HOLD FOR SELECT 1"))
                .isEqualTo(new LocalStatement.Declare("c", "SELECT 1", false, true, true));
        assertThat(LocalStatement.recognize("FETCH FORWARD 2000 FROM \"c_1\""))
                .isEqualTo(new LocalStatement.Fetch("c_1", 2000));
        assertThat(LocalStatement.recognize("fetch next from C")).isEqualTo(new LocalStatement.Fetch("c", 1));
        assertThat(LocalStatement.recognize("FETCH ALL IN c")).isEqualTo(new LocalStatement.Fetch("c", -1));
        assertThat(LocalStatement.recognize("CLOSE \"c_1\"")).isEqualTo(new LocalStatement.CloseCursor("c_1"));
        assertThat(LocalStatement.recognize("CLOSE ALL")).isEqualTo(new LocalStatement.CloseCursor(null));
        assertThat(LocalStatement.recognize("FETCH BACKWARD 5 FROM c")).isNull();
        assertThat(LocalStatement.recognize("FETCH 5 FROM c; DROP TABLE x")).isNull();
    }

    @Test
    void onlyCommentsAndSemicolonsAreAnEmptyQuery() {
        assertThat(LocalStatement.isEmpty(" ; -- nothing\n /* at all */ ;")).isTrue();
        assertThat(LocalStatement.isEmpty("-- x\nSELECT 1")).isFalse();
    }

    @Test
    void quotedTextKeepsItsCaseAndSpaces() {
        assertThat(LocalStatement.recognize("SET application_name = 'My  App'"))
                .isEqualTo(new LocalStatement.Set("application_name", "My  App"));
    }

    @Test
    void onlySettingsTheFrontEndHonoursAreAccepted() {
        assertThat(LocalStatement.checkSetting("client_encoding", "utf8")).isEqualTo("UTF8");
        assertThat(LocalStatement.checkSetting("timezone", "UTC")).isEqualTo("UTC");
        assertThatThrownBy(() -> LocalStatement.checkSetting("client_encoding", "LATIN1"))
                .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.getSqlState()).isEqualTo("22023"));
        assertThatThrownBy(() -> LocalStatement.checkSetting("timezone", "Europe/Berlin"))
                .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.getSqlState()).isEqualTo("22023"));
        assertThatThrownBy(() -> LocalStatement.checkSetting("search_path", "globex_prod"))
                .isInstanceOfSatisfying(ProxyError.class, e -> assertThat(e.getSqlState()).isEqualTo("0A000"));
    }
}

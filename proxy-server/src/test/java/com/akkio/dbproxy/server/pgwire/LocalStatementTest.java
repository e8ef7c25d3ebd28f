package com.akkio.dbproxy.server.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.akkio.dbproxy.server.avatica.ProxyError;
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

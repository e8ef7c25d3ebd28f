package com.akkio.dbproxy.server.frontend.avatica;

import static com.akkio.dbproxy.server.Queries.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What IDEs and BI tools do to a JDBC connection, through the client jar: set the catalog and schema (to the current
 * ones on connect), change the schema, go read-only. None of it poisons the connection, none of it reaches beyond
 * the tenant's policy.
 */
@LiveServerTest
class ConnectionSettingsTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    @Test
    void settingTheCurrentCatalogAndSchemaChangesNothing() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            acme.setCatalog("main");
            acme.setSchema("sales");
            assertThat(acme.getCatalog()).isEqualTo("main");
            assertThat(acme.getSchema()).isEqualTo("sales");
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void anotherSchemaThePolicyReachesBecomesTheDefaultForUnqualifiedNames() throws Exception {
        try (Connection acme = proxy.get().acme(); Statement s = acme.createStatement()) {
            acme.setSchema("akkio_out");
            assertThat(acme.getSchema()).isEqualTo("akkio_out");
            s.execute("CREATE TABLE settings_probe AS SELECT 42 AS answer");
            assertThat(scalar(acme, "SELECT answer FROM settings_probe")).isEqualTo(42);
            assertThat(scalar(acme, "SELECT answer FROM main.akkio_out.settings_probe")).isEqualTo(42);
            acme.setSchema("sales");
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
        }
    }

    @Test
    void aSchemaOrCatalogBeyondThePolicyIsRefusedAndTheConnectionStaysUsable() throws Exception {
        try (Connection acme = proxy.get().acme()) {
            for (Runnable refused : new Runnable[] {() -> set(acme, "schema", "no_such_schema"),
                    () -> set(acme, "catalog", "globex_prod"), () -> set(acme, "schema", "information_schema")}) {
                assertThatThrownBy(refused::run).hasCauseInstanceOf(SQLException.class)
                        .cause().satisfies(e -> {
                            assertThat(((SQLException) e).getSQLState()).isEqualTo("3F000");
                            assertThat(e.getMessage()).contains("SCHEMA_NOT_ALLOWED");
                        });
                assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
                assertThat(acme.getCatalog()).isEqualTo("main");
                assertThat(acme.getSchema()).isEqualTo("sales");
            }
        }
        try (Connection globex = proxy.get().globex()) {
            assertThatThrownBy(() -> globex.setCatalog("acme_prod")).isInstanceOf(SQLException.class);
            assertThat(scalar(globex, "SELECT min(tenant_tag) = 'globex' FROM orders")).isEqualTo(1);
        }
    }

    @Test
    void aReadOnlyConnectionRunsQueriesAndNoWrites() throws Exception {
        try (Connection acme = proxy.get().acme(); Statement s = acme.createStatement()) {
            acme.setReadOnly(true);
            assertThat(acme.isReadOnly()).isTrue();
            assertThat(scalar(acme, "SELECT count(*) FROM orders")).isEqualTo(1000);
            assertThatThrownBy(() -> s.execute("CREATE TABLE akkio_out.read_only_probe AS SELECT 1 AS x"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("STATEMENT_KIND_DENIED");
                    });
            acme.setReadOnly(false);
            s.execute("CREATE TABLE akkio_out.read_only_probe AS SELECT 1 AS x");
            assertThat(scalar(acme, "SELECT x FROM akkio_out.read_only_probe")).isEqualTo(1);
        }
    }

    @Test
    void withAutoCommitOffWritesAreSeenOnlyOnceCommittedAndARollbackLeavesNothing() throws Exception {
        try (Connection writer = proxy.get().acme(); Connection reader = proxy.get().acme();
             Statement w = writer.createStatement()) {
            w.execute("CREATE TABLE akkio_out.jdbc_tx (id INTEGER)");
            writer.setAutoCommit(false);
            assertThat(writer.getAutoCommit()).isFalse();
            w.execute("INSERT INTO akkio_out.jdbc_tx VALUES (1), (2)");
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.jdbc_tx")).as("not committed yet").isZero();
            writer.commit();
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.jdbc_tx")).isEqualTo(2);
            w.execute("INSERT INTO akkio_out.jdbc_tx VALUES (3)");
            writer.rollback();
            writer.setAutoCommit(true);
            assertThat(scalar(reader, "SELECT count(*) FROM akkio_out.jdbc_tx")).isEqualTo(2);
        }
    }

    private static void set(Connection c, String what, String value) {
        try {
            if (what.equals("schema")) {
                c.setSchema(value);
            } else {
                c.setCatalog(value);
            }
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }
}

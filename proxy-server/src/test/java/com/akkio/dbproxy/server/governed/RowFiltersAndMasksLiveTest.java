package com.akkio.dbproxy.server.governed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.DemoProxyExtension;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.Queries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 24 end to end: the demo tenant acme_partner reads acme's CRM contacts through a row filter (EU and US) and
 * masks (email hashed, phone showing its last 4, name cut to 4 characters), over the client jar (Avatica) and pgjdbc
 * (PostgreSQL wire), and for the rows also the Arrow Flight SQL JDBC driver, which share the governed session. Every leak attempt must come back empty or masked.
 */
@LiveServerTest
class RowFiltersAndMasksLiveTest {
    @RegisterExtension
    static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());

    private static final String SALT = "demo-only-salt-acme-partner-0001";

    private interface FrontEnd {
        Connection open() throws SQLException;
    }

    private static List<FrontEnd> frontEnds() {
        DemoProxy p = proxy.get();
        return List.of(() -> p.connect("acme_partner", "partner-secret"),
                () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + p.pgPort()
                        + "/main?sslmode=disable", DemoProxy.credentials("acme_partner", "partner-secret")));
    }

    /** The two above and the Arrow Flight SQL JDBC driver (its errors carry no SQLState of ours: rows only). */
    private static List<FrontEnd> withFlight() {
        DemoProxy p = proxy.get();
        Properties props = DemoProxy.credentials("acme_partner", "partner-secret");
        props.setProperty("useEncryption", "false");
        List<FrontEnd> all = new ArrayList<>(frontEnds());
        all.add(() -> DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:" + p.flightPort(), props));
        return all;
    }

    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        return Queries.textRows(c, sql);
    }

    private static String one(Connection c, String sql) throws SQLException {
        return rows(c, sql).get(0).get(0);
    }

    @Test
    void everyFrontEndSeesOnlyTheFilteredRowsWithMaskedValues() throws SQLException {
        for (FrontEnd f : withFlight()) {
            try (Connection c = f.open()) {
                List<List<String>> all = rows(c, "SELECT * FROM contacts ORDER BY contact_id");
                assertThat(all).hasSize(50);
                for (List<String> row : all) {
                    assertThat(row).hasSize(7);
                    assertThat(row.get(2)).isEqualTo("Acme...");
                    assertThat(row.get(3)).matches("[0-9a-f]{64}");
                    assertThat(row.get(4)).matches("\\*{7}[0-9]{4}");
                    assertThat(row.get(5)).isIn("EU", "US");
                }
                assertThat(one(c, "SELECT count(*) FROM sales.orders")).isEqualTo("1000");
            }
        }
    }

    @Test
    void leakAttemptsThroughEveryClauseFindNothing() throws SQLException {
        for (FrontEnd f : withFlight()) {
            try (Connection c = f.open()) {
                for (String sql : List.of(
                        "SELECT count(*) FROM contacts WHERE email = 'contact1@acme.example'",
                        "SELECT count(*) FROM contacts WHERE phone LIKE '+1-555%' OR email LIKE '%@acme.example'",
                        "SELECT count(*) FROM contacts a JOIN main.crm.contacts b ON a.contact_id = b.contact_id"
                                + " WHERE b.email = 'contact2@acme.example' OR a.region IN ('APAC', 'LATAM')",
                        "SELECT count(*) FROM (SELECT substr(email, 1, 8) AS p FROM contacts GROUP BY 1) AS g"
                                + " WHERE p = 'contact1'",
                        "WITH c AS (SELECT * FROM contacts) SELECT count(*) FROM c WHERE region = 'APAC'",
                        "SELECT count(*) FROM sales.orders WHERE customer_id IN (SELECT customer_id FROM contacts"
                                + " WHERE region = 'LATAM')",
                        "SELECT count(*) FROM (SELECT region FROM contacts UNION SELECT region FROM contacts) AS u"
                                + " WHERE region NOT IN ('EU', 'US')")) {
                    assertThat(one(c, sql)).as(sql).isEqualTo("0");
                }
                assertThat(one(c, "SELECT count(*) FROM contacts WHERE CAST(CASE WHEN region = 'APAC' THEN 'x'"
                        + " ELSE '1' END AS INTEGER) = 1")).as("a predicate failing on hidden rows never sees them")
                        .isEqualTo("50");
                assertThat(rows(c, "SELECT phone, rank() OVER (ORDER BY phone) FROM contacts LIMIT 3"))
                        .allSatisfy(r -> assertThat(r.get(0)).startsWith("*******"));
            }
        }
    }

    @Test
    void aBackendErrorOverMaskedDataShowsNeitherValuesNorTheSalt() throws SQLException {
        for (FrontEnd f : frontEnds()) {
            try (Connection c = f.open()) {
                assertThatThrownBy(() -> rows(c, "SELECT CAST(email AS INTEGER) FROM contacts"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("@acme.example")
                                .doesNotContain(SALT).doesNotContain("acme_prod").doesNotContain("akkio_t"));
                assertThat(one(c, "SELECT 1")).isEqualTo("1");
            }
        }
    }

    @Test
    void explainAndWritesOfTheFilteredTableAreDeniedAndCopiesHoldMaskedValues() throws Exception {
        for (FrontEnd f : frontEnds()) {
            try (Connection c = f.open(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery("EXPLAIN SELECT * FROM contacts"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"))
                        .satisfies(e -> assertThat(e.getMessage()).contains("FILTER_OR_MASK"));
                assertThatThrownBy(() -> s.executeUpdate("DELETE FROM contacts"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
                s.execute("DROP TABLE IF EXISTS partner_out.copied");
                s.execute("CREATE TABLE partner_out.copied AS SELECT * FROM contacts");
                assertThat(rows(c, "SELECT email, phone, region FROM partner_out.copied")).hasSize(50)
                        .allSatisfy(r -> assertThat(r.get(0)).matches("[0-9a-f]{64}"))
                        .allSatisfy(r -> assertThat(r.get(1)).startsWith("*******"))
                        .allSatisfy(r -> assertThat(r.get(2)).isIn("EU", "US"));
                s.execute("DROP TABLE partner_out.copied");
            }
        }
    }

    @Test
    void theAuditRecordNamesTheFiltersAndMasksApplied() throws Exception {
        try (Connection c = proxy.get().connect("acme_partner", "partner-secret")) {
            rows(c, "SELECT email FROM contacts WHERE contact_id = 4242");
        }
        String audit = Files.readString(proxy.get().auditLog);
        assertThat(audit).contains("\"filters_and_masks\":[\"filter acme_prod.crm.contacts\","
                + "\"mask acme_prod.crm.contacts.email hash\",\"mask acme_prod.crm.contacts.phone show_last_4\","
                + "\"mask acme_prod.crm.contacts.name expression\"]");
        assertThat(audit).doesNotContain(SALT);
    }

    @Test
    void otherTenantsAreUntouchedAndCannotReadTheContacts() throws SQLException {
        try (Connection c = proxy.get().acme()) {
            assertThat(one(c, "SELECT count(*) FROM sales.orders")).isEqualTo("1000");
            assertThatThrownBy(() -> rows(c, "SELECT * FROM main.crm.contacts")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("OBJECT_NOT_READABLE");
        }
    }
}

package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.Queries;
import com.akkio.dbproxy.server.audit.Sha256;
import com.akkio.dbproxy.server.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 on a Databricks backend, end to end (client jar and pgjdbc → proxy → databricks-jdbc → the workspace
 * emulator): acme reads its CRM contacts through a row filter (EU and US) and masks (email hashed with Spark's
 * {@code sha2}, phone showing its last 4). The view's columns come from the warehouse through the driver's
 * {@code getColumns} ({@code SHOW COLUMNS IN CATALOG …}) and check a reload's masks; every leak attempt comes back
 * empty or masked, writes to the table and time travel on it are denied, and a copy made from it holds masked values.
 */
@LiveServerTest
class DatabricksRowFiltersAndMasksTest {
    private static final String SALT = "dbx-masks-test-salt-00000001";
    @TempDir
    static Path dir;
    static DatabricksFixture dbx;
    /** acme's policy with the row filter and masks. */
    static String policy;

    @BeforeAll
    static void start() throws Exception {
        dbx = new DatabricksFixture(dir, "127.0.0.54", 3600, true, 30_000);
        dbx.emulator.setUp("CREATE SCHEMA acme_prod.crm");
        dbx.emulator.setUp("CREATE SCHEMA acme_prod.partner_out");
        // 40 contacts, 10 in each of EU, US, APAC and LATAM; phones +1-555-0101 … +1-555-0140
        dbx.emulator.setUp("CREATE TABLE acme_prod.crm.contacts AS SELECT i AS contact_id, 'Contact ' || i AS name,"
                + " 'contact' || i || '@acme.example' AS email, '+1-555-01' || lpad(CAST(i AS VARCHAR), 2, '0')"
                + " AS phone, ['EU', 'US', 'APAC', 'LATAM'][(i % 4) + 1] AS region, 'acme' AS tenant_tag"
                + " FROM range(1, 41) t(i)");
        // contacts is writable and DELETE/UPDATE allowed: only its row filter and masks deny writing to it
        policy = dbx.acmePolicy("""
                read: [acme_prod.sales.*, acme_prod.crm.*]
                write: [acme_prod.partner_out.*, acme_prod.crm.*]
                statements: [query, insert, update, delete, create_table, drop]
                row_filters:
                  - table: acme_prod.crm.contacts
                    filter: "region IN ('EU', 'US') AND tenant_tag = 'acme'"
                masks:
                  - { table: acme_prod.crm.contacts, column: email, mask: hash }
                  - { table: acme_prod.crm.contacts, column: phone, mask: show_last_4 }
                mask_salt: %s
                """.formatted(SALT));
        dbx.proxy.reload();
    }

    @AfterAll
    static void stop() throws Exception {
        dbx.close();
    }

    private interface Client {
        Connection open() throws SQLException;
    }

    private static List<Client> clients() {
        return List.of(dbx::acme, dbx::acmeOverPostgres);
    }

    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        return Queries.textRows(c, sql);
    }

    private static String one(Connection c, String sql) throws SQLException {
        return rows(c, sql).get(0).get(0);
    }

    private static void assertDenied(Connection c, String sql, String code) {
        assertThatThrownBy(() -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }).as(sql).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains(code).doesNotContain(SALT);
        });
    }

    @Test
    void everyClientSeesOnlyTheFilteredRowsWithTheWarehousesMaskedValues() throws SQLException {
        for (Client client : clients()) {
            try (Connection c = client.open()) {
                List<List<String>> all = rows(c, "SELECT * FROM crm.contacts ORDER BY contact_id");
                assertThat(all).hasSize(20);
                for (List<String> row : all) {
                    assertThat(row).as("every column of the table, from the warehouse's metadata").hasSize(6);
                    int id = Integer.parseInt(row.get(0));
                    assertThat(row.get(1)).isEqualTo("Contact " + id);
                    assertThat(row.get(2)).as("Spark's sha2(salt || email, 256), lower-case hex")
                            .isEqualTo(Sha256.hex(SALT + "contact" + id + "@acme.example"));
                    assertThat(row.get(3)).isEqualTo("*******" + String.format("01%02d", id));
                    assertThat(row.get(4)).isIn("EU", "US");
                }
            }
        }
        assertThat(dbx.emulator.statementOutcomes()).as("the view's columns were asked of the warehouse")
                .anySatisfy(o -> {
                    assertThat(o.sql()).startsWith("SHOW COLUMNS IN CATALOG `acme_prod`");
                    assertThat(o.state()).isEqualTo("SUCCEEDED");
                });
        assertThat(dbx.emulator.statementOutcomes()).filteredOn(o -> o.sql().contains("akkio_t"))
                .isNotEmpty().allSatisfy(o -> assertThat(o.sql()).contains("sha2('" + SALT + "' || CAST(akkio_t."));
    }

    @Test
    void leakAttemptsThroughEveryClauseFindNothing() throws SQLException {
        for (Client client : clients()) {
            try (Connection c = client.open()) {
                for (String sql : List.of(
                        "SELECT count(*) FROM crm.contacts WHERE email = 'contact1@acme.example'",
                        "SELECT count(*) FROM crm.contacts WHERE phone LIKE '+1-555%' OR email LIKE '%@acme.example'",
                        "SELECT count(*) FROM crm.contacts a JOIN main.crm.contacts b ON a.contact_id = b.contact_id"
                                + " WHERE b.email = 'contact2@acme.example' OR a.region IN ('APAC', 'LATAM')",
                        "SELECT count(*) FROM crm.contacts a JOIN crm.contacts b ON a.email = b.email"
                                + " WHERE b.email LIKE 'contact%'",
                        "SELECT count(*) FROM (SELECT substr(email, 1, 8) AS p FROM crm.contacts GROUP BY 1) AS g"
                                + " WHERE p = 'contact1'",
                        "SELECT count(*) FROM crm.contacts WHERE substr(phone, 1, 3) = '+1-'",
                        "WITH c AS (SELECT * FROM crm.contacts) SELECT count(*) FROM c WHERE region = 'APAC'",
                        "SELECT count(*) FROM (SELECT region FROM crm.contacts UNION SELECT region FROM crm.contacts)"
                                + " AS u WHERE region NOT IN ('EU', 'US')",
                        "SELECT count(*) FROM crm.contacts WHERE contact_id IN (SELECT contact_id FROM crm.contacts"
                                + " WHERE region = 'LATAM')")) {
                    assertThat(one(c, sql)).as(sql).isEqualTo("0");
                }
                assertThat(rows(c, "SELECT region, count(*), min(contact_id), max(contact_id) FROM crm.contacts"
                        + " GROUP BY region ORDER BY region")).as("hidden rows are in no aggregate")
                        .containsExactly(List.of("EU", "10", "4", "40"), List.of("US", "10", "1", "37"));
                assertThat(one(c, "SELECT count(DISTINCT email) FROM crm.contacts")).isEqualTo("20");
                assertThat(rows(c, "SELECT phone, rank() OVER (ORDER BY phone) FROM crm.contacts LIMIT 3"))
                        .hasSize(3).allSatisfy(r -> assertThat(r.get(0)).startsWith("*******"));
            }
        }
    }

    @Test
    void writesToTheMaskedTableAndTimeTravelAreDeniedAndCopiesHoldMaskedValues() throws Exception {
        int n = 0;
        for (Client client : clients()) {
            try (Connection c = client.open(); Statement s = c.createStatement()) {
                assertDenied(c, "DELETE FROM crm.contacts", "FILTER_OR_MASK");
                assertDenied(c, "UPDATE crm.contacts SET region = 'EU'", "FILTER_OR_MASK");
                assertDenied(c, "INSERT INTO crm.contacts SELECT * FROM crm.contacts", "FILTER_OR_MASK");
                assertDenied(c, "SELECT * FROM crm.contacts VERSION AS OF 1", "FILTER_OR_MASK");
                assertDenied(c, "SELECT * FROM crm.contacts TIMESTAMP AS OF '2026-01-01'", "FILTER_OR_MASK");
                String copy = "partner_out.copied" + n++;
                s.execute("CREATE TABLE " + copy + " AS SELECT * FROM crm.contacts");
                s.execute("INSERT INTO " + copy + " SELECT * FROM crm.contacts WHERE region = 'EU'");
                assertThat(rows(c, "SELECT email, phone, region FROM " + copy)).hasSize(30)
                        .allSatisfy(r -> assertThat(r.get(0)).matches("[0-9a-f]{64}"))
                        .allSatisfy(r -> assertThat(r.get(1)).matches("\\*{7}01[0-9]{2}"))
                        .allSatisfy(r -> assertThat(r.get(2)).isIn("EU", "US"));
                assertThat(s.executeUpdate("DELETE FROM " + copy + " WHERE region = 'EU'"))
                        .as("DELETE is allowed where no filter or mask applies").isEqualTo(20);
                s.execute("DROP TABLE " + copy);
            }
        }
        assertThat(Files.readString(dbx.auditLog)).contains("\"filters_and_masks\":[\"filter acme_prod.crm.contacts\","
                + "\"mask acme_prod.crm.contacts.email hash\",\"mask acme_prod.crm.contacts.phone show_last_4\"]")
                .doesNotContain(SALT);
    }

    @Test
    void aReloadWhoseMaskNamesAColumnTheWarehouseLacksIsRefusedNamingIt() throws Exception {
        Path acme = dir.resolve("acme.yaml");
        try {
            Files.writeString(acme, policy.replace("column: phone, mask: show_last_4 }",
                    "column: phone, mask: show_last_4 }\n"
                            + "  - { table: acme_prod.crm.contacts, column: ssn, mask: redact }"));
            assertThatThrownBy(() -> dbx.proxy.reload()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("acme.yaml").hasMessageContaining("has no column ssn")
                    .hasMessageContaining("email").hasMessageNotContaining(SALT);
        } finally {
            Files.writeString(acme, policy);
            dbx.proxy.reload();
        }
        try (Connection c = dbx.acme()) {
            assertThat(one(c, "SELECT count(*) FROM crm.contacts")).as("the policy in force before").isEqualTo("20");
        }
    }
}

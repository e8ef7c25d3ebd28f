package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.policytest.PolicyTestSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped policy test corpus run for real through the proxy: every must-deny statement fails with a policy
 * SQLState before reaching the backend, and no result of a must-allow statement carries the other tenant's canary.
 */
@LiveServerTest
class AdversarialCorpusLiveTest {
    private static final Map<String, String> SECRETS = Map.of("acme", "acme-secret", "globex", "globex-secret");
    private static final Map<String, String> OTHER = Map.of("acme", "globex", "globex", "acme");
    private static final Set<String> POLICY_STATES = Set.of("42501", "42601", "54000");

    @Test
    void corpusAgainstTheRunningProxy(@TempDir Path dir) throws Exception {
        List<PolicyTestSuite.Case> cases = new ArrayList<>();
        for (String file : List.of("demo-allow.yaml", "demo-deny.yaml")) {
            cases.addAll(PolicyTestSuite.load(Path.of("../conf/policy-tests", file), null).cases());
        }
        assertThat(cases).hasSizeGreaterThan(200);
        int ran = 0;
        int rowsChecked = 0;
        try (DemoProxy proxy = DemoProxy.builder().unthrottled().start(dir);
             Connection acme = proxy.acme(); Connection globex = proxy.globex()) {
            for (PolicyTestSuite.Case c : cases) {
                Connection conn = c.tenant().equals("acme") ? acme : globex;
                try (Statement s = conn.createStatement()) {
                    boolean hasRows = s.execute(c.sql());
                    assertThat(c.expectAllow()).as("%s ran but must be denied", c.id()).isTrue();
                    if (hasRows) {
                        rowsChecked += assertNoCanary(s.getResultSet(), OTHER.get(c.tenant()), c.id());
                    }
                    ran++;
                } catch (SQLException e) {
                    if (!c.expectAllow()) {
                        assertThat(e.getSQLState()).as("%s: %s", c.id(), e.getMessage()).isIn(POLICY_STATES);
                    } else {
                        assertThat(e.getSQLState()).as("%s allowed by policy but refused: %s", c.id(), e.getMessage())
                                .isNotIn(POLICY_STATES);
                    }
                }
            }
        }
        assertThat(ran).as("allowed statements that ran").isGreaterThan(30);
        assertThat(rowsChecked).isGreaterThan(1000);
    }

    private static int assertNoCanary(ResultSet rs, String otherTenant, String id) throws SQLException {
        // the canaries: tenant_tag values and customer names of the other tenant (a literal naming it is no leak)
        String customerName = Character.toUpperCase(otherTenant.charAt(0)) + otherTenant.substring(1) + " customer";
        int rows = 0;
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            rows++;
            for (int i = 1; i <= columns; i++) {
                String value = String.valueOf(rs.getObject(i));
                assertThat(value).as("%s returned %s data", id, otherTenant)
                        .isNotEqualTo(otherTenant).doesNotStartWith(customerName);
            }
        }
        return rows;
    }
}

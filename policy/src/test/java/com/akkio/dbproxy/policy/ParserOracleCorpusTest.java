package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The parser differential oracle ({@link ParserDifferential}) over the shipped policy tests: every statement the
 * engine allows for a demo tenant is read by DuckDB's own parser, which must read the rewrite as it reads the
 * original and see exactly the tables and only the functions the engine checked; and the same statements, decided
 * for the demo tenants on Databricks SQL, by Spark's parser.
 */
class ParserOracleCorpusTest {
    private final PolicyEngine engine = new PolicyEngine();

    @Test
    void duckDbReadsEveryAllowedStatementOfThePolicyTestsAsTheEngineChecked() throws Exception {
        Map<String, TenantPolicy> tenants = Map.of("acme", DemoPolicies.acme(), "globex", DemoPolicies.globex());
        ParserDifferential.Tally tally = new ParserDifferential.Tally();
        int statements = run(tenants, Dialect.DUCKDB, tally);
        System.out.printf("DuckDB oracle, policy tests: %d statements, %s%n", statements, tally);
        assertThat(tally.differences).isEmpty();
        assertThat(tally.compared).isGreaterThan(45);
    }

    @Test
    void sparkReadsEveryStatementOfThePolicyTestsADatabricksTenantIsAllowedAsTheEngineChecked() throws Exception {
        Map<String, TenantPolicy> tenants = Map.of("acme", DemoPolicies.acme(Dialect.DATABRICKS), "globex",
                DemoPolicies.globex(Dialect.DATABRICKS));
        ParserDifferential.Tally tally = new ParserDifferential.Tally();
        int statements = run(tenants, Dialect.DATABRICKS, tally);
        System.out.printf("Spark oracle, policy tests as Databricks SQL: %d statements, %s%n", statements, tally);
        assertThat(tally.differences).isEmpty();
        assertThat(tally.compared).isGreaterThan(45);
    }

    /** Decides each statement of the policy tests for its tenant and compares it with the dialect's parser. */
    private int run(Map<String, TenantPolicy> tenants, Dialect dialect, ParserDifferential.Tally tally)
            throws Exception {
        int statements = 0;
        for (String file : List.of("demo-allow.yaml", "demo-deny.yaml")) {
            String tenant = null;
            for (String line : Files.readAllLines(Path.of("../conf/policy-tests", file))) {
                int t = line.indexOf("tenant: ");
                if (t >= 0) {
                    tenant = line.substring(t + 8, line.indexOf(',', t));
                }
                String sql = FuzzOracle.sqlOf(line);
                if (sql != null && tenant != null) {
                    TenantPolicy policy = tenants.get(tenant);
                    Decision d = engine.decide(policy, sql);
                    tally.add(dialect == Dialect.DUCKDB ? ParserDifferential.duckdb(policy, sql, d)
                            : ParserDifferential.databricks(policy, sql, d));
                    statements++;
                }
            }
        }
        return statements;
    }
}

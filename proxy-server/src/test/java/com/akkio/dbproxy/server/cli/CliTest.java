package com.akkio.dbproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    private static final Path CONFIG = Path.of("../conf/proxy.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = AkkioProxy.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void checkAllowedPrintsTheDecisionAsJson() throws Exception {
        int code = run("check", "--config", CONFIG.toString(), "--tenant", "acme", "--sql", "SELECT * FROM orders");
        assertThat(code).isZero();
        JsonNode d = JSON.readTree(out.toString());
        assertThat(d.get("decision").asText()).isEqualTo("allow");
        assertThat(d.get("code").asText()).isEqualTo("ALLOWED");
        assertThat(d.get("statement_type").asText()).isEqualTo("query");
        assertThat(d.get("tables").get(0).asText()).isEqualTo("acme_prod.sales.orders");
        assertThat(d.get("rewritten_sql").asText()).isEqualTo("SELECT * FROM \"acme_prod\".\"sales\".\"orders\" LIMIT 10000");
        assertThat(d.has("reason")).isTrue();
    }

    /** Issue 24: check opens the demo's DuckDB for the columns and shows the view, without the salt. */
    @Test
    void checkShowsTheViewOfAFilteredAndMaskedTableAndNamesWhatItApplies() throws Exception {
        int code = run("check", "--config", CONFIG.toString(), "--tenant", "acme_partner", "--sql",
                "SELECT email FROM contacts");
        assertThat(code).as(err.toString()).isZero();
        JsonNode d = JSON.readTree(out.toString());
        assertThat(d.get("rewritten_sql").asText()).startsWith("SELECT email FROM (SELECT akkio_t.\"contact_id\" AS"
                + " \"contact_id\", ").contains("sha256('<mask_salt>' || CAST(akkio_t.\"email\" AS VARCHAR)) AS"
                + " \"email\"").contains("FROM \"acme_prod\".\"crm\".\"contacts\" AS akkio_t WHERE"
                + " (akkio_t.\"region\" IN ('EU', 'US') AND akkio_t.\"tenant_tag\" = 'acme')) AS \"contacts\"")
                .doesNotContain("demo-only-salt");
        assertThat(d.get("filters_and_masks").toString()).contains("filter acme_prod.crm.contacts",
                "mask acme_prod.crm.contacts.email hash");
        assertThat(run("test-policy", "../conf/policy-tests/row-filters-masks.yaml")).as(out.toString()).isZero();
        assertThat(out.toString()).contains("policy-tests: 12 passed, 0 failed");
    }

    @Test
    void checkDeniedExitsOne() throws Exception {
        int code = run("check", "--config", CONFIG.toString(), "--tenant", "globex", "--sql",
                "SELECT * FROM acme_prod.sales.orders");
        assertThat(code).isEqualTo(1);
        JsonNode d = JSON.readTree(out.toString());
        assertThat(d.get("decision").asText()).isEqualTo("deny");
        assertThat(d.get("code").asText()).isEqualTo("OBJECT_NOT_READABLE");
        assertThat(d.get("sqlstate").asText()).isEqualTo("42501");
        assertThat(d.get("reason").asText()).contains("acme_prod.sales.orders");
        assertThat(d.get("rewritten_sql").isNull()).isTrue();
    }

    @Test
    void everyCommandExplainsItsOptionsWithHelp() {
        for (String command : new String[] {"serve", "check", "test-policy", "grants", "hash-secret"}) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--help")).as(command).isZero();
            assertThat(out.toString()).as(command).contains("Usage: akkio-proxy " + command).contains("--help");
        }
        out.getBuffer().setLength(0);
        run("check", "--help");
        assertThat(out.toString()).contains("--sql").contains("--tenant").contains("--config");
    }

    @Test
    void unknownTenantAndMissingArgumentsAreUsageErrors() {
        assertThat(run("check", "--config", CONFIG.toString(), "--tenant", "nobody", "--sql", "SELECT 1")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown tenant 'nobody'");
        assertThat(run("check", "--config", CONFIG.toString(), "--sql", "SELECT 1")).isEqualTo(2);
        assertThat(run("check", "--config", CONFIG.toString(), "--tenant", "acme")).isEqualTo(2);
    }

    @Test
    void badConfigIsAUsageErrorNamingTheKey(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("proxy.yaml");
        Files.writeString(bad, "server: { port: 99999 }\nbackends: {}\ntenants: {}\n");
        assertThat(run("check", "--config", bad.toString(), "--tenant", "acme", "--sql", "SELECT 1")).isEqualTo(2);
        assertThat(err.toString()).contains("server.port").contains("between 0 and 65535");
    }

    @Test
    void inputFileGivesOneLinePerStatement(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, """
                {"tenant": "acme", "sql": "SELECT count(*) FROM orders"}
                {"tenant": "globex", "sql": "SELECT count(*) FROM orders"}

                {"tenant": "globex", "sql": "DROP TABLE orders"}
                """);
        int code = run("check", "--config", CONFIG.toString(), "--input", input.toString());
        assertThat(code).isEqualTo(1);
        String[] lines = out.toString().strip().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(JSON.readTree(lines[0]).get("tables").get(0).asText()).isEqualTo("acme_prod.sales.orders");
        assertThat(JSON.readTree(lines[1]).get("tables").get(0).asText()).isEqualTo("globex_prod.sales.orders");
        assertThat(JSON.readTree(lines[2]).get("code").asText()).isEqualTo("STATEMENT_KIND_DENIED");
    }

    @Test
    void inputFileAllAllowedExitsZero(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, "{\"sql\": \"SELECT 1\"}\n");
        assertThat(run("check", "--config", CONFIG.toString(), "--tenant", "acme", "--input", input.toString()))
                .isZero();
    }

    @Test
    void shippedPolicyTestsPass() {
        int code = run("test-policy", "../conf/policy-tests/demo-allow.yaml", "../conf/policy-tests/demo-deny.yaml",
                "../conf/policy-tests/databricks-analyst.yaml");
        assertThat(out.toString()).doesNotContain("FAIL").containsPattern("policy-tests: \\d{3} passed, 0 failed");
        assertThat(code).isZero();
    }

    @Test
    void aResultThatDoesNotMatchFailsTheCaseAndOnlyQueriesAreRun(@TempDir Path dir) throws Exception {
        Path tests = dir.resolve("t.yaml");
        Files.writeString(tests, """
                cases:
                  - { id: wrong-count, tenant: acme_partner, sql: "SELECT count(*) FROM contacts", expect: allow,
                      result: [["100"]] }
                  - { id: no-writes, tenant: acme, sql: "CREATE TABLE akkio_out.r AS SELECT 1 AS x", expect: allow,
                      result: [] }
                """);
        assertThat(run("test-policy", "--config", CONFIG.toString(), tests.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL wrong-count").contains("expected result [[100]], got [[50]]")
                .contains("FAIL no-writes").contains("only an allowed query is run");
    }

    @Test
    void aFailingExpectationFailsTheRun(@TempDir Path dir) throws Exception {
        Path tests = dir.resolve("t.yaml");
        Files.writeString(tests, """
                cases:
                  - {id: wrong, tenant: acme, expect: allow, sql: "SELECT * FROM globex_prod.sales.orders"}
                  - {id: right, tenant: acme, expect: deny, code: OBJECT_NOT_READABLE,
                     sql: "SELECT * FROM globex_prod.sales.orders"}
                  - {id: wrong-rewrite, tenant: acme, expect: allow, sql: "SELECT 1", rewritten: "SELECT 2"}
                """);
        int code = run("test-policy", "--config", CONFIG.toString(), tests.toString());
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("FAIL wrong ").contains("FAIL wrong-rewrite")
                .doesNotContain("FAIL right").contains("policy-tests: 1 passed, 2 failed");
    }

    @Test
    void hashSecretReadsStandardInput() throws Exception {
        var stdin = System.in;
        var stdout = System.out;
        var captured = new java.io.ByteArrayOutputStream();
        try {
            System.setIn(new java.io.ByteArrayInputStream("s3cret\n".getBytes()));
            System.setOut(new java.io.PrintStream(captured));
            assertThat(run("hash-secret")).isZero();
        } finally {
            System.setIn(stdin);
            System.setOut(stdout);
        }
        java.util.List<String> lines = captured.toString().strip().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(captured.toString()).doesNotContain("s3cret");
        assertThat(lines.get(0)).startsWith("secret_hash: \"sha256:").endsWith("\"");
        assertThat(lines.get(1)).startsWith("scram_sha256: \"SCRAM-SHA-256$4096:").endsWith("\"");
        String hash = lines.get(0).substring("secret_hash: \"".length(), lines.get(0).length() - 1);
        com.akkio.dbproxy.server.config.ScramVerifier.parse(
                lines.get(1).substring("scram_sha256: \"".length(), lines.get(1).length() - 1));
        assertThat(com.akkio.dbproxy.server.config.SecretHash.parse(hash).matches("s3cret")).isTrue();
        assertThat(com.akkio.dbproxy.server.config.SecretHash.parse(hash).matches("s3cret ")).isFalse();
    }
}

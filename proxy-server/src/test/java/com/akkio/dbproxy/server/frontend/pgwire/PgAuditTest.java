package com.akkio.dbproxy.server.frontend.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.audit.Sha256;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every statement the PostgreSQL front end answers itself or refuses before the policy sees it has exactly one audit
 * record, like every statement it forwards (the live attack found SET, SHOW, version() and transaction statements
 * unaudited).
 */
@LiveServerTest
class PgAuditTest {

    @ParameterizedTest(name = "preferQueryMode={0}")
    @ValueSource(strings = {"simple", "extended"})
    void everyStatementTheFrontEndAnswersOrRefusesItselfIsAuditedOnce(String mode, @TempDir Path dir)
            throws Exception {
        Map<String, String> expected = new LinkedHashMap<>(); // text -> decision
        try (DemoProxy proxy = PgDemo.builder(1000).start(dir);
             Connection c = PgDemo.connect(proxy, "acme", "acme-secret", "preferQueryMode=" + mode);
             Statement s = c.createStatement()) {
            for (String sql : List.of("SET application_name = 'audit-" + mode + "'", "SHOW application_name",
                    "SELECT version()", "BEGIN", "COMMIT")) {
                s.execute(sql);
                expected.put(sql, "allow");
            }
            for (String sql : List.of("SET search_path = other_" + mode, "SET statement_timeout = 0")) {
                assertThatThrownBy(() -> s.execute(sql)).isInstanceOf(SQLException.class);
                expected.put(sql, "deny");
            }
            // a statement refused in a failed transaction block never reaches the policy, and is recorded too
            s.execute("begin");
            assertThatThrownBy(() -> s.execute("SET no_such_setting_" + mode + " = 1"))
                    .isInstanceOf(SQLException.class);
            String inFailedBlock = "SELECT count(*) FROM orders WHERE order_id > 7";
            assertThatThrownBy(() -> s.execute(inFailedBlock)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            expected.put(inFailedBlock, "error");
            s.execute("rollback");
            expected.put("begin", "allow");
            expected.put("rollback", "allow");
        }
        List<String> records = Files.readAllLines(dir.resolve("audit.jsonl"));
        expected.forEach((sql, decision) -> assertThat(records)
                .as(sql).filteredOn(r -> r.contains("\"sql_sha256\":\"" + Sha256.hex(sql) + "\""))
                .singleElement().satisfies(r -> assertThat(r).contains("\"decision\":\"" + decision + "\"",
                        "\"tenant\":\"acme\"", "\"event\":\"complete\"")));
    }
}

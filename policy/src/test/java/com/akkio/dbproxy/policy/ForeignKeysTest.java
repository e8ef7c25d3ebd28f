package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A FOREIGN KEY is denied up front on DuckDB, in every way it can be written (DuckDB refuses each form the rewrite
 * could send: see {@link ForeignKeys}), and left to the warehouse on Databricks.
 */
class ForeignKeysTest {
    private final PolicyEngine engine = new PolicyEngine();
    private final TenantPolicy duckdb = DemoPolicies.acmeBuilder(Dialect.DUCKDB).allow(StatementKind.ALTER).build();
    private final TenantPolicy databricks = DemoPolicies.acmeBuilder(Dialect.DATABRICKS).build();

    private static final List<String> FOREIGN_KEYS = List.of(
            "CREATE TABLE akkio_out.child (id INT, pid INT REFERENCES akkio_out.parent (id))",
            "CREATE TABLE main.akkio_out.child (id INT, pid INT REFERENCES main.akkio_out.parent(id) ON DELETE CASCADE)",
            "CREATE TABLE akkio_out.child (id INT, pid INT, FOREIGN KEY (pid) REFERENCES akkio_out.parent (id))",
            "CREATE TABLE akkio_out.child (id INT, pid INT, CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent (id))",
            "CREATE TABLE akkio_out.child (id INT, pid INT REFERENCES parent)",
            "ALTER TABLE akkio_out.child ADD FOREIGN KEY (pid) REFERENCES akkio_out.parent (id)",
            "ALTER TABLE akkio_out.child ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES akkio_out.parent (id)");

    @Test
    void everyFormOfForeignKeyIsDeniedOnDuckDbWithItsOwnCodeAndTheRule() {
        for (String sql : FOREIGN_KEYS) {
            Decision d = engine.decide(duckdb, sql);
            assertThat(d.isAllowed()).as(sql).isFalse();
            assertThat(d.code()).as(sql + ": " + d.reason()).isEqualTo(DenyCode.FOREIGN_KEY_NOT_SUPPORTED);
            assertThat(d.code().sqlState()).isEqualTo("0A000");
            assertThat(d.reason()).contains("FOREIGN KEY", "rule: DuckDB foreign keys");
        }
    }

    @Test
    void aForeignKeyToAnotherTenantsTableIsStillDeniedAsAnUnreadableObjectFirstOrAsAForeignKey() {
        Decision d = engine.decide(duckdb,
                "CREATE TABLE akkio_out.child (id INT, pid INT REFERENCES globex_prod.sales.orders (order_id))");
        assertThat(d.isAllowed()).isFalse();
        assertThat(d.code()).isIn(DenyCode.OBJECT_NOT_READABLE, DenyCode.FOREIGN_KEY_NOT_SUPPORTED);
    }

    @Test
    void tablesWithoutForeignKeysAndOtherConstraintsAreStillAllowedOnDuckDb() {
        for (String sql : List.of("CREATE TABLE akkio_out.parent (id INT PRIMARY KEY, name VARCHAR UNIQUE)",
                "CREATE TABLE akkio_out.child (id INT, pid INT NOT NULL, CHECK (pid > 0), PRIMARY KEY (id))")) {
            assertThat(engine.decide(duckdb, sql).isAllowed()).as(sql).isTrue();
        }
    }

    @Test
    void databricksKeepsItsInformationalForeignKeys() {
        Decision d = engine.decide(databricks,
                "CREATE TABLE akkio_out.child (id INT, pid INT, FOREIGN KEY (pid) REFERENCES akkio_out.parent (id))");
        assertThat(d.isAllowed()).as(d.toString()).isTrue();
        assertThat(d.rewrittenSql()).contains("REFERENCES `acme_prod`.`akkio_out`.`parent`");
    }
}

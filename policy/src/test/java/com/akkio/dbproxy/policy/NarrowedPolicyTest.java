package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A connection's narrowed policy (JDBC setCatalog, setSchema, setReadOnly) never grants more than its tenant's. */
class NarrowedPolicyTest {
    private static final TenantPolicy ACME = TenantPolicy.builder("acme").defaultCatalog("acme_prod")
            .defaultSchema("sales").mapCatalog("main", "acme_prod").read("acme_prod.sales.*")
            .read("shared_ref.geo.*").write("acme_prod.akkio_out.*")
            .allow(StatementKind.QUERY, StatementKind.DESCRIBE, StatementKind.INSERT, StatementKind.CREATE_TABLE)
            .build();
    private final PolicyEngine engine = new PolicyEngine();

    @Test
    void theCurrentDefaultsAreThePolicyItself() {
        assertThat(ACME.narrowed("main", "sales", false)).isSameAs(ACME);
        assertThat(ACME.narrowed("ACME_PROD", "Sales", false)).isSameAs(ACME);
    }

    @Test
    void anotherReachableSchemaResolvesUnqualifiedNamesThere() {
        TenantPolicy out = ACME.narrowed("main", "akkio_out", false);
        Decision d = engine.decide(out, "INSERT INTO results SELECT 1");
        assertThat(d.isAllowed()).isTrue();
        assertThat(d.writes()).extracting(Object::toString).containsExactly("acme_prod.akkio_out.results");
        assertThat(engine.decide(ACME.narrowed("shared_ref", "geo", false), "SELECT * FROM countries").reads())
                .extracting(Object::toString).containsExactly("shared_ref.geo.countries");
    }

    @Test
    void aSchemaOrCatalogThePatternsDoNotReachIsRefusedNamingTheRule() {
        for (String[] target : new String[][] {{"main", "other"}, {"globex_prod", "sales"}, {"main",
                "information_schema"}, {"system", "information_schema"}}) {
            assertThatThrownBy(() -> ACME.narrowed(target[0], target[1], false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read and write patterns");
        }
    }

    @Test
    void narrowingGrantsNothingNewAndReadOnlyLeavesQueriesAndDescribe() {
        TenantPolicy out = ACME.narrowed("main", "akkio_out", false);
        assertThat(engine.decide(out, "SELECT * FROM globex_prod.sales.orders").isAllowed()).isFalse();
        assertThat(engine.decide(out, "SELECT count(*) FROM main.sales.orders").isAllowed()).isTrue();
        TenantPolicy readOnly = ACME.narrowed("main", "sales", true);
        assertThat(readOnly.allowedKinds()).containsExactlyInAnyOrder(StatementKind.QUERY, StatementKind.DESCRIBE);
        Decision write = engine.decide(readOnly, "CREATE TABLE akkio_out.t AS SELECT 1 AS x");
        assertThat(write.isAllowed()).isFalse();
        assertThat(write.code()).isEqualTo(DenyCode.STATEMENT_KIND_DENIED);
        assertThat(readOnly.maxRows()).isEqualTo(ACME.maxRows());
    }
}

package com.akkio.dbproxy.server.backend.databricks;

import static org.assertj.core.api.Assertions.assertThat;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import org.junit.jupiter.api.Test;

class UnityCatalogGrantsTest {
    @Test
    void readOnlyTenantGetsUseAndSelectOnly() {
        TenantPolicy p = TenantPolicy.builder("globex").dialect(Dialect.DATABRICKS).defaultCatalog("globex_prod")
                .defaultSchema("sales").read("globex_prod.sales.*").allow(StatementKind.QUERY).build();
        UnityCatalogGrants.Plan plan = UnityCatalogGrants.plan(p, "1234-app-id");
        assertThat(plan.statements()).containsExactly(
                "GRANT USE CATALOG ON CATALOG `globex_prod` TO `1234-app-id`;",
                "GRANT USE SCHEMA ON SCHEMA `globex_prod`.`sales` TO `1234-app-id`;",
                "GRANT SELECT ON SCHEMA `globex_prod`.`sales` TO `1234-app-id`;");
        assertThat(plan.unexpressible()).isEmpty();
        assertThat(String.join("\n", plan.statements())).doesNotContain("MODIFY").doesNotContain("CREATE");
    }

    @Test
    void writeBackAddsModifyAndCreateOnTheWriteBackSchemaOnly() {
        TenantPolicy p = TenantPolicy.builder("acme").dialect(Dialect.DATABRICKS).defaultCatalog("acme_prod")
                .defaultSchema("sales").read("acme_prod.sales.*").read("shared_ref.geo.countries")
                .write("acme_prod.akkio_out.*").allow(StatementKind.QUERY, StatementKind.INSERT).build();
        UnityCatalogGrants.Plan plan = UnityCatalogGrants.plan(p, "acme-sp");
        assertThat(plan.statements()).containsExactly(
                "GRANT USE CATALOG ON CATALOG `acme_prod` TO `acme-sp`;",
                "GRANT USE SCHEMA ON SCHEMA `acme_prod`.`sales` TO `acme-sp`;",
                "GRANT SELECT ON SCHEMA `acme_prod`.`sales` TO `acme-sp`;",
                "GRANT USE CATALOG ON CATALOG `shared_ref` TO `acme-sp`;",
                "GRANT USE SCHEMA ON SCHEMA `shared_ref`.`geo` TO `acme-sp`;",
                "GRANT SELECT ON TABLE `shared_ref`.`geo`.`countries` TO `acme-sp`;",
                "GRANT USE SCHEMA ON SCHEMA `acme_prod`.`akkio_out` TO `acme-sp`;",
                "GRANT SELECT, MODIFY ON SCHEMA `acme_prod`.`akkio_out` TO `acme-sp`;",
                "GRANT CREATE TABLE ON SCHEMA `acme_prod`.`akkio_out` TO `acme-sp`;");
    }

    @Test
    void partialGlobsAreReportedNotWidened() {
        TenantPolicy p = TenantPolicy.builder("t").defaultCatalog("c").defaultSchema("s")
                .read("c.s.fact_*").read("c.*.*").read("c.*.t").allow(StatementKind.QUERY).build();
        UnityCatalogGrants.Plan plan = UnityCatalogGrants.plan(p, "sp`x");
        assertThat(plan.unexpressible()).containsExactly("c.s.fact_*", "c.*.t");
        assertThat(plan.statements()).contains("GRANT USE SCHEMA, SELECT ON CATALOG `c` TO `sp``x`;")
                .noneMatch(s -> s.contains("fact"));
    }
}

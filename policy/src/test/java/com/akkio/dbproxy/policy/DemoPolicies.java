package com.akkio.dbproxy.policy;

/** The demo tenants of DESIGN.md, built in code so the policy module's tests need no files. */
final class DemoPolicies {
    private DemoPolicies() {
    }

    static TenantPolicy acme(Dialect dialect) {
        return acmeBuilder(dialect).build();
    }

    static TenantPolicy.Builder acmeBuilder(Dialect dialect) {
        return TenantPolicy.builder("acme").dialect(dialect)
                .defaultCatalog("acme_prod").defaultSchema("sales").mapCatalog("main", "acme_prod")
                .read("acme_prod.sales.*").read("shared_ref.geo.*").write("acme_prod.akkio_out.*")
                .allow(StatementKind.QUERY, StatementKind.DESCRIBE, StatementKind.INSERT, StatementKind.CREATE_TABLE,
                        StatementKind.CREATE_VIEW)
                .maxRows(10_000);
    }

    static TenantPolicy acme() {
        return acme(Dialect.DUCKDB);
    }

    static TenantPolicy globex() {
        return globex(Dialect.DUCKDB);
    }

    static TenantPolicy globex(Dialect dialect) {
        return TenantPolicy.builder("globex").dialect(dialect)
                .defaultCatalog("globex_prod").defaultSchema("sales").mapCatalog("main", "globex_prod")
                .read("globex_prod.sales.*").allow(StatementKind.QUERY, StatementKind.DESCRIBE)
                .maxRows(1_000).build();
    }
}

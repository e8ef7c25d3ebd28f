package com.akkio.dbproxy.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.akkio.dbproxy.server.config.ConfigException;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.backend.databricks.UnityCatalogGrants;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints the Unity Catalog GRANT statements that mirror a tenant's policy, for the platform team to run. */
@Command(name = "grants", mixinStandardHelpOptions = true,
        description = "Print the Databricks GRANT statements matching a tenant's policy.")
final class GrantsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", defaultValue = "conf/proxy.yaml", description = "proxy configuration (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--tenant", required = true, description = "tenant whose policy to translate")
    String tenant;

    @Option(names = "--principal",
            description = "the tenant's service principal as Unity Catalog names it (default: the client id of the"
                    + " tenant's Databricks backend)")
    String principal;

    @Override
    public Integer call() throws ConfigException, UsageError {
        var out = spec.commandLine().getOut();
        ProxyConfig cfg = ConfigLoader.load(config);
        ProxyConfig.Tenant t = UsageError.tenant(cfg, tenant);
        ProxyConfig.Databricks dbx = cfg.backends().get(t.backend()).databricks();
        if (principal == null) {
            if (dbx == null) {
                throw new UsageError("tenant '" + tenant + "' is not on a Databricks backend; name the principal with"
                        + " --principal");
            }
            principal = dbx.clientId();
        }
        UnityCatalogGrants.Plan plan = UnityCatalogGrants.plan(t.policy(), principal);
        out.println("-- Unity Catalog privileges for tenant '" + tenant + "' (principal " + principal + "), from "
                + t.policyFile());
        out.println("-- Also give the principal CAN USE on the SQL warehouse"
                + (dbx == null ? "" : " " + dbx.warehouseId()) + " (warehouse permissions, not a SQL GRANT).");
        plan.statements().forEach(out::println);
        for (String pattern : plan.unexpressible()) {
            out.println("-- NOT GRANTED: pattern " + pattern + " has no Unity Catalog equivalent; grant its tables"
                    + " one by one");
        }
        out.flush();
        return plan.unexpressible().isEmpty() ? 0 : 1;
    }
}

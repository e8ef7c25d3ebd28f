package com.akkio.dbproxy.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.server.config.ConfigException;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Decides statements offline exactly as the server would, printing one JSON object per statement. Exit 0 when all
 * are allowed, 1 when any is denied, 2 for usage or configuration errors.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Decide SQL statements against a tenant's policy without running them.")
final class CheckCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "proxy configuration (default: ${DEFAULT-VALUE})",
            defaultValue = "conf/proxy.yaml")
    Path config;

    @Option(names = "--tenant", description = "tenant whose policy applies (required with --sql)")
    String tenant;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--sql", description = "one SQL statement", required = true)
        String sql;

        @Option(names = "--input", description = "JSON lines file of {\"tenant\": ..., \"sql\": ...}", required = true)
        Path file;
    }

    @Override
    public Integer call() throws IOException, ConfigException, UsageError {
        PrintWriter out = spec.commandLine().getOut();
        ProxyConfig cfg = ConfigLoader.load(config);
        try (java.io.Closeable columns = com.akkio.dbproxy.server.Backends.columnsFor(cfg)) {
            return decideAll(cfg, out);
        } catch (java.sql.SQLException e) {
            throw new ConfigException("cannot open a backend for the columns of filtered or masked tables: "
                    + e.getMessage());
        }
    }

    private int decideAll(ProxyConfig cfg, PrintWriter out) throws IOException, UsageError {
        PolicyEngine engine = new PolicyEngine();
        if (input.sql != null) {
            if (tenant == null) {
                throw new UsageError("--tenant is required with --sql");
            }
            ProxyConfig.Tenant t = UsageError.tenant(cfg, tenant);
            Decision d = engine.decide(t.policy(), input.sql);
            out.println(JSON.writeValueAsString(toJson(t, d)));
            out.flush();
            return d.isAllowed() ? 0 : 1;
        }
        boolean anyDenied = false;
        int lineNo = 0;
        try (BufferedReader reader = Files.newBufferedReader(input.file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode item;
                try {
                    item = JSON.readTree(line);
                } catch (IOException e) {
                    throw new UsageError(input.file + ":" + lineNo + ": not a JSON object");
                }
                if (!item.hasNonNull("sql")) {
                    throw new UsageError(input.file + ":" + lineNo + ": needs \"sql\"");
                }
                ProxyConfig.Tenant t;
                try {
                    t = UsageError.tenant(cfg, item.hasNonNull("tenant") ? item.get("tenant").asText() : tenant);
                } catch (UsageError e) {
                    throw new UsageError(input.file + ":" + lineNo + ": " + e.getMessage());
                }
                Decision d = engine.decide(t.policy(), item.get("sql").asText());
                anyDenied |= !d.isAllowed();
                out.println(JSON.writeValueAsString(toJson(t, d)));
            }
        }
        out.flush();
        return anyDenied ? 1 : 0;
    }

    static ObjectNode toJson(ProxyConfig.Tenant tenant, Decision d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("tenant", tenant.name());
        o.put("decision", d.isAllowed() ? "allow" : "deny");
        o.put("code", d.isAllowed() ? "ALLOWED" : d.code().name());
        o.put("sqlstate", d.isAllowed() ? "00000" : d.code().sqlState());
        if (d.isAllowed()) {
            o.putNull("reason");
        } else {
            o.put("reason", d.reason());
        }
        if (d.kind() == null) {
            o.putNull("statement_type");
        } else {
            o.put("statement_type", d.kind().configName());
        }
        ArrayNode tables = o.putArray("tables");
        ArrayNode reads = JSON.createArrayNode();
        ArrayNode writes = JSON.createArrayNode();
        for (QualifiedName q : d.reads()) {
            reads.add(q.toString());
            tables.add(q.toString());
        }
        for (QualifiedName q : d.writes()) {
            writes.add(q.toString());
            if (!d.reads().contains(q)) {
                tables.add(q.toString());
            }
        }
        o.set("reads", reads);
        o.set("writes", writes);
        if (d.isAllowed()) {
            // the views of filtered and masked tables are in it; a hash mask's salt is not shown
            o.put("rewritten_sql", tenant.policy().rowPolicies().redact(d.rewrittenSql()));
        } else {
            o.putNull("rewritten_sql");
        }
        o.put("row_cap_applied", d.rowCapApplied());
        ArrayNode applied = o.putArray("filters_and_masks");
        tenant.policy().rowPolicies().applied(d.reads()).forEach(applied::add);
        return o;
    }
}

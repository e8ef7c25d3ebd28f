package com.akkio.dbproxy.server.backend.databricks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.akkio.dbproxy.policy.ObjectPattern;
import com.akkio.dbproxy.policy.TenantPolicy;

/**
 * The Unity Catalog privileges a tenant's service principal needs for its proxy policy, and no more: defence in
 * depth, so that a bug in the proxy cannot reach what Unity Catalog itself refuses. Reads need {@code USE CATALOG},
 * {@code USE SCHEMA} and {@code SELECT}; write-back adds {@code CREATE TABLE} and {@code MODIFY} on the write-back
 * schema only. A pattern whose parts are partial globs ({@code fact_*}) has no Unity Catalog equivalent and is reported,
 * not widened.
 */
public final class UnityCatalogGrants {
    private UnityCatalogGrants() {
    }

    /** The statements to run, and the patterns that could not be expressed. */
    public record Plan(List<String> statements, List<String> unexpressible) {
    }

    public static Plan plan(TenantPolicy policy, String principal) {
        String who = quote(principal);
        Set<String> statements = new LinkedHashSet<>();
        List<String> unexpressible = new ArrayList<>();
        for (ObjectPattern p : policy.readable()) {
            grant(p, who, "SELECT", statements, unexpressible);
        }
        for (ObjectPattern p : policy.writable()) {
            grant(p, who, "SELECT, MODIFY", statements, unexpressible);
            if (p.literalCatalog() != null && p.literalSchema() != null) {
                statements.add("GRANT CREATE TABLE ON SCHEMA " + quote(p.literalCatalog()) + "."
                        + quote(p.literalSchema()) + " TO " + who + ";");
            }
        }
        return new Plan(List.copyOf(statements), List.copyOf(unexpressible));
    }

    private static void grant(ObjectPattern p, String who, String privileges, Set<String> out,
                              List<String> unexpressible) {
        String catalog = p.literalCatalog();
        String schema = p.literalSchema();
        String table = p.literalTable();
        if (catalog == null || (schema == null && !p.isAnySchema()) || (table == null && !p.isWholeSchema())) {
            unexpressible.add(p.toString());
            return;
        }
        out.add("GRANT USE CATALOG ON CATALOG " + quote(catalog) + " TO " + who + ";");
        if (schema == null) {
            if (table != null) {
                unexpressible.add(p.toString());
                return;
            }
            out.add("GRANT USE SCHEMA, " + privileges + " ON CATALOG " + quote(catalog) + " TO " + who + ";");
            return;
        }
        out.add("GRANT USE SCHEMA ON SCHEMA " + quote(catalog) + "." + quote(schema) + " TO " + who + ";");
        if (table == null) {
            out.add("GRANT " + privileges + " ON SCHEMA " + quote(catalog) + "." + quote(schema) + " TO " + who + ";");
        } else {
            out.add("GRANT " + privileges + " ON TABLE " + quote(catalog) + "." + quote(schema) + "." + quote(table)
                    + " TO " + who + ";");
        }
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}

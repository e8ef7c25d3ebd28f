package com.akkio.dbproxy.server.warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The statements the warm-up replays, packaged in the jar so that any installation has them: the 103 TPC-DS queries
 * in Spark SQL, the analyst corpus of Databricks SQL ({@code conf/policy-tests/databricks-analyst.yaml}), the demo's
 * must-allow and must-deny cases ({@code demo-allow.yaml}, {@code demo-deny.yaml}) and the demo seed.
 */
public final class WarmUpCorpus {
    private static final String BASE = "/com/akkio/dbproxy/server/warmup/";

    private WarmUpCorpus() {
    }

    /** The TPC-DS queries (Databricks dialect, unqualified TPC-DS table names). */
    public static List<String> tpcds() {
        List<String> out = new ArrayList<>();
        for (String name : read("tpcds/index.txt").split("\n")) {
            if (!name.isBlank()) {
                out.add(read("tpcds/" + name.strip()));
            }
        }
        return out;
    }

    /** Databricks SQL as analysts write it, allowed and denied, in the demo tenants' logical names. */
    public static List<String> analyst() {
        return cases("policy-tests/databricks-analyst.yaml", null);
    }

    /** The demo's must-allow and must-deny cases of {@code tenant} (DuckDB dialect, the demo's logical names). */
    public static List<String> demo(String tenant) {
        List<String> out = new ArrayList<>(cases("policy-tests/demo-allow.yaml", tenant));
        out.addAll(cases("policy-tests/demo-deny.yaml", tenant));
        return out;
    }

    /** The demo seed script: the shape the warm-up's private backend serves. */
    public static String seed() {
        return read("demo-seed.sql");
    }

    private static List<String> cases(String resource, String tenant) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(read(resource));
            List<String> out = new ArrayList<>();
            for (JsonNode c : root.path("cases")) {
                if (c.hasNonNull("sql") && (tenant == null || tenant.equals(c.path("tenant").asText()))) {
                    out.add(c.get("sql").asText());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": cannot read the warm-up corpus", e);
        }
    }

    private static String read(String resource) {
        try (InputStream in = WarmUpCorpus.class.getResourceAsStream(BASE + resource)) {
            if (in == null) {
                throw new IllegalStateException("warm-up corpus " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": cannot read the warm-up corpus", e);
        }
    }
}

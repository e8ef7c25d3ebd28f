package com.akkio.dbproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The server's packages follow the request path: front ends call the governed core, the core calls the policy,
 * limits, audit and backends, and nothing calls back up. Read from the sources' import lines (and fully qualified
 * names), so it needs no bytecode tool.
 */
class PackageGraphTest {
    private static final String ROOT = "com.akkio.dbproxy.server";
    private static final Path SOURCES = Path.of("src/main/java/com/akkio/dbproxy/server");
    private static final Pattern REFERENCE = Pattern.compile("\\b(com\\.akkio\\.dbproxy\\.server(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** Which packages each package may use, beyond itself, the policy module and libraries. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("errors", Set.of()),
            Map.entry("types", Set.of()),
            Map.entry("config", Set.of()),
            Map.entry("audit", Set.of()),
            Map.entry("admin", Set.of("config")),
            Map.entry("limits", Set.of("config", "errors")),
            Map.entry("backend", Set.of("config", "errors", "types")),
            Map.entry("backend.databricks", Set.of("backend", "config", "errors", "types")),
            Map.entry("governed", Set.of("backend", "limits", "audit", "admin", "config", "errors", "types")),
            Map.entry("frontend.avatica", Set.of("governed", "config", "errors", "types")),
            Map.entry("frontend.pgwire", Set.of("governed", "config", "errors", "types")),
            Map.entry("frontend.flight", Set.of("governed", "config", "errors", "types")),
            Map.entry("policytest", Set.of("config")),
            Map.entry("warmup", Set.of()),
            Map.entry("", Set.of("governed", "frontend.avatica", "frontend.pgwire", "frontend.flight", "backend", "backend.databricks",
                    "limits", "audit", "admin", "config", "errors", "warmup")),
            Map.entry("cli", Set.of("", "config", "backend.databricks", "policytest")));

    private static Map<String, Set<String>> imports() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
            Set<String> uses = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(Files.readString(file));
            while (m.find()) {
                String used = m.group(1).equals(ROOT) ? "" : m.group(1).substring(ROOT.length() + 1);
                if (!used.equals(pkg)) {
                    uses.add(used);
                }
            }
        }
        return graph;
    }

    @Test
    void everyPackageUsesOnlyThePackagesBelowItOnTheRequestPath() throws IOException {
        List<String> violations = new ArrayList<>();
        imports().forEach((pkg, uses) -> {
            Set<String> allowed = ALLOWED.get(pkg);
            if (allowed == null) {
                violations.add("package '" + pkg + "' has no place in the picture (add it to ALLOWED and README)");
                return;
            }
            for (String used : uses) {
                if (!allowed.contains(used)) {
                    violations.add("'" + pkg + "' uses '" + used + "'");
                }
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void thePackageGraphHasNoCycle() throws IOException {
        Map<String, Set<String>> graph = imports();
        Set<String> done = new TreeSet<>();
        for (String pkg : graph.keySet()) {
            assertThat(cycleFrom(pkg, graph, new ArrayList<>(), done)).as("cycle").isEmpty();
        }
    }

    private static List<String> cycleFrom(String pkg, Map<String, Set<String>> graph, List<String> path,
                                          Set<String> done) {
        if (path.contains(pkg)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(pkg), path.size()));
            cycle.add(pkg);
            return cycle;
        }
        if (done.contains(pkg)) {
            return List.of();
        }
        path.add(pkg);
        for (String next : graph.getOrDefault(pkg, Set.of())) {
            List<String> cycle = cycleFrom(next, graph, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        done.add(pkg);
        return List.of();
    }
}

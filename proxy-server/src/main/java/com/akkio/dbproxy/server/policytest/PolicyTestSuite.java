package com.akkio.dbproxy.server.policytest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.QualifiedName;
import com.akkio.dbproxy.server.config.ConfigException;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * A policy test file: statements with the decision a governance team expects for them, run against the policies of
 * a proxy configuration exactly as the server would decide them.
 *
 * <pre>
 * config: ../proxy.yaml          # relative to this file
 * cases:
 *   - id: acme-reads-globex
 *     tenant: acme
 *     sql: SELECT * FROM globex_prod.sales.orders
 *     expect: deny                # allow | deny
 *     code: OBJECT_NOT_READABLE   # optional: the denial code
 *     reads: [acme_prod.sales.orders]   # optional: exactly these physical objects
 *     writes: []                         # optional
 *     rewritten: SELECT ...              # optional: exactly this rewritten SQL
 *     why: the reason this case exists
 * </pre>
 */
public final class PolicyTestSuite {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> CASE_KEYS = Set.of("id", "tenant", "sql", "expect", "code", "reads", "writes",
            "rewritten", "why", "result");

    /** One expectation. Optional parts are null when not given. */
    public record Case(String id, String tenant, String sql, boolean expectAllow, String code, List<String> reads,
                       List<String> writes, String rewritten, String why, List<List<String>> result) {
    }

    /**
     * Runs an allowed query's rewritten text on its tenant's backend, for cases with a {@code result}: its rows in
     * order, each value as text (null for SQL NULL).
     */
    public interface Results {
        List<List<String>> query(String tenant, String rewrittenSql) throws java.sql.SQLException;
    }

    /** A case with the decision it got and what did not match; passed when there are no failures. */
    public record Result(Case testCase, Decision decision, List<String> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    private final Path file;
    private final ProxyConfig config;
    private final List<Case> cases;

    private PolicyTestSuite(Path file, ProxyConfig config, List<Case> cases) {
        this.file = file;
        this.config = config;
        this.cases = cases;
    }

    /** Reads a test file; {@code configOverride}, if not null, replaces the file's own {@code config}. */
    public static PolicyTestSuite load(Path file, Path configOverride) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("cases").isArray()) {
            throw new ConfigException(file + ": must be a mapping with a 'cases' list");
        }
        Path configPath = configOverride;
        if (configPath == null) {
            if (!root.hasNonNull("config")) {
                throw new ConfigException(file + ": config: is required (or pass --config)");
            }
            configPath = file.toAbsolutePath().getParent().resolve(root.get("config").asText()).normalize();
        }
        ProxyConfig config = ConfigLoader.load(configPath);
        List<Case> cases = new ArrayList<>();
        int index = 0;
        for (JsonNode c : root.get("cases")) {
            index++;
            cases.add(parseCase(file, index, c, config));
        }
        return new PolicyTestSuite(file, config, List.copyOf(cases));
    }

    private static Case parseCase(Path file, int index, JsonNode c, ProxyConfig config) throws ConfigException {
        String where = file + ": cases[" + index + "]";
        if (!c.isObject()) {
            throw new ConfigException(where + ": must be a mapping");
        }
        Iterator<String> names = c.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!CASE_KEYS.contains(name)) {
                throw new ConfigException(where + ": unknown key '" + name + "' (allowed: " + CASE_KEYS + ")");
            }
        }
        String id = c.hasNonNull("id") ? c.get("id").asText() : "case-" + index;
        String tenant = text(c, "tenant", where);
        if (!config.tenants().containsKey(tenant)) {
            throw new ConfigException(where + " (" + id + "): tenant '" + tenant + "' is not configured");
        }
        String expect = text(c, "expect", where);
        if (!expect.equals("allow") && !expect.equals("deny")) {
            throw new ConfigException(where + " (" + id + "): expect must be allow or deny");
        }
        return new Case(id, tenant, text(c, "sql", where), expect.equals("allow"),
                c.hasNonNull("code") ? c.get("code").asText() : null,
                list(c, "reads"), list(c, "writes"),
                c.hasNonNull("rewritten") ? c.get("rewritten").asText() : null,
                c.hasNonNull("why") ? c.get("why").asText() : null, rows(c, where));
    }

    /** {@code result}: a list of rows, each a list of values (null for SQL NULL); null when not given. */
    private static List<List<String>> rows(JsonNode c, String where) throws ConfigException {
        if (!c.has("result")) {
            return null;
        }
        if (!c.get("result").isArray()) {
            throw new ConfigException(where + ": result must be a list of rows");
        }
        List<List<String>> out = new ArrayList<>();
        for (JsonNode row : c.get("result")) {
            if (!row.isArray()) {
                throw new ConfigException(where + ": result must be a list of rows, each a list of values");
            }
            List<String> values = new ArrayList<>();
            row.forEach(v -> values.add(v.isNull() ? null : v.asText()));
            out.add(values);
        }
        return out;
    }

    private static String text(JsonNode c, String key, String where) throws ConfigException {
        if (!c.hasNonNull(key) || c.get(key).asText().isEmpty()) {
            throw new ConfigException(where + ": " + key + " is required");
        }
        return c.get(key).asText();
    }

    private static List<String> list(JsonNode c, String key) {
        if (!c.has(key)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        c.get(key).forEach(v -> out.add(v.asText()));
        return out;
    }

    /** The configuration whose policies the cases test. */
    public ProxyConfig config() {
        return config;
    }

    public Path file() {
        return file;
    }

    public List<Case> cases() {
        return cases;
    }

    public List<Result> run() {
        return run(null);
    }

    /** Runs the cases; a case's {@code result} is checked by running its query through {@code backend}. */
    public List<Result> run(Results backend) {
        PolicyEngine engine = new PolicyEngine();
        List<Result> results = new ArrayList<>(cases.size());
        for (Case c : cases) {
            Decision d = engine.decide(config.tenants().get(c.tenant()).policy(), c.sql());
            List<String> failures = compare(c, d);
            if (failures.isEmpty() && c.result() != null) {
                result(c, d, backend, failures);
            }
            results.add(new Result(c, d, failures));
        }
        return results;
    }

    /** Only queries are run (a policy test never writes), and only where a backend is given. */
    private static void result(Case c, Decision d, Results backend, List<String> failures) {
        if (!d.isAllowed() || d.kind() != com.akkio.dbproxy.policy.StatementKind.QUERY) {
            failures.add("result: only an allowed query is run for its result");
            return;
        }
        if (backend == null) {
            failures.add("result: no backend to run the query on");
            return;
        }
        try {
            List<List<String>> got = backend.query(c.tenant(), d.rewrittenSql());
            if (!got.equals(c.result())) {
                failures.add("expected result " + c.result() + ", got " + got);
            }
        } catch (java.sql.SQLException e) {
            failures.add("result: the backend refused the query: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static List<String> compare(Case c, Decision d) {
        List<String> failures = new ArrayList<>();
        if (c.expectAllow() != d.isAllowed()) {
            failures.add("expected " + (c.expectAllow() ? "allow" : "deny") + ", got " + d);
            return failures;
        }
        if (c.code() != null && (d.isAllowed() || !c.code().equals(d.code().name()))) {
            failures.add("expected code " + c.code() + ", got " + (d.isAllowed() ? "ALLOWED" : d.code().name()));
        }
        if (c.reads() != null && !names(d.reads()).equals(Set.copyOf(c.reads()))) {
            failures.add("expected reads " + c.reads() + ", got " + d.reads());
        }
        if (c.writes() != null && !names(d.writes()).equals(Set.copyOf(c.writes()))) {
            failures.add("expected writes " + c.writes() + ", got " + d.writes());
        }
        if (c.rewritten() != null && !c.rewritten().equals(d.rewrittenSql())) {
            failures.add("expected rewritten SQL\n      " + c.rewritten() + "\n    got\n      " + d.rewrittenSql());
        }
        return failures;
    }

    private static Set<String> names(List<QualifiedName> names) {
        Set<String> out = new java.util.HashSet<>();
        names.forEach(n -> out.add(n.toString()));
        return out;
    }
}

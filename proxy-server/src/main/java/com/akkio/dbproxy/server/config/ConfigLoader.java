package com.akkio.dbproxy.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads {@code proxy.yaml} and the policy files it names, validates every key, and builds an immutable
 * {@link ProxyConfig}. Relative paths are resolved against the directory of the file that names them.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The environment variable that turns the warm-up at start off where the file does not mention it. */
    public static final String WARMUP_ENV = "AKKIO_WARMUP";
    private final EnvExpander expander;

    public ConfigLoader(Map<String, String> environment) {
        this.expander = new EnvExpander(environment);
    }

    public static ProxyConfig load(Path file) throws ConfigException {
        return new ConfigLoader(System.getenv()).read(file);
    }

    public ProxyConfig read(Path file) throws ConfigException {
        Path source = file.toAbsolutePath().normalize();
        ConfigNode root = parse(source);
        root.allowOnly("server", "audit", "backends", "tenants", "cluster");
        Path dir = source.getParent();

        ProxyConfig.Server server = server(root.child("server"), dir, warmUpByDefault());
        ConfigNode auditNode = root.child("audit");
        auditNode.allowOnly("path", "raw_sql", "max_bytes", "keep_files", "unauthenticated_path");
        Path auditPath = dir.resolve(auditNode.optionalString("path", "../logs/audit.jsonl")).normalize();
        String unauthenticated = auditNode.optionalString("unauthenticated_path", null);
        ProxyConfig.Audit audit = new ProxyConfig.Audit(auditPath,
                auditNode.bool("raw_sql", false),
                auditNode.longValue("max_bytes", 64L << 20, 1024, Long.MAX_VALUE),
                auditNode.intValue("keep_files", 10, 1, 10_000),
                unauthenticated == null ? ProxyConfig.Audit.unauthenticatedBeside(auditPath)
                        : dir.resolve(unauthenticated).normalize());
        if (audit.unauthenticatedPath().equals(audit.path())) {
            throw auditNode.error("unauthenticated_path", "must not be the audit log itself (path)");
        }

        Map<String, ProxyConfig.Backend> backends = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : root.entries("backends").entrySet()) {
            backends.put(e.getKey(), backend(e.getKey(), e.getValue(), dir));
        }
        if (backends.isEmpty()) {
            throw root.error("backends", "at least one backend is required");
        }
        Map<String, ProxyConfig.Tenant> tenants = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : root.entries("tenants").entrySet()) {
            tenants.put(e.getKey(), tenant(e.getKey(), e.getValue(), dir, backends));
        }
        if (tenants.isEmpty()) {
            throw root.error("tenants", "at least one tenant is required");
        }
        return new ProxyConfig(source, server, audit, Map.copyOf(backends), Map.copyOf(tenants),
                root.has("cluster") ? cluster(root.child("cluster"), server) : ProxyConfig.Cluster.SINGLE_NODE);
    }

    private static ProxyConfig.Cluster cluster(ConfigNode n, ProxyConfig.Server server) throws ConfigException {
        n.allowOnly("replica_id", "replicas", "redis");
        String replicaId = n.optionalString("replica_id", null);
        if (replicaId == null) {
            replicaId = hostName() + ":" + server.port();
        } else if (!replicaId.matches("[A-Za-z0-9_.:-]{1,64}")) {
            throw n.error("replica_id", "must be 1 to 64 letters, digits or _.:- (it names keys in Redis)");
        }
        int replicas = n.intValue("replicas", 0, 1, 1000);
        if (replicas == 0) {
            throw n.error("replicas", "is required: how many replicas share the limits (each enforces 1/replicas"
                    + " of them alone while Redis is unreachable)");
        }
        ConfigNode r = n.child("redis");
        r.allowOnly("uri", "timeout_ms", "key_prefix");
        String uri = r.string("uri");
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw r.error("uri", "must start with redis:// or rediss://");
        }
        ProxyConfig.Redis redis = new ProxyConfig.Redis(uri,
                Duration.ofMillis(r.longValue("timeout_ms", 250, 10, 60_000)),
                r.optionalString("key_prefix", "akkio:"));
        return new ProxyConfig.Cluster(replicaId, replicas, redis);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private ConfigNode parse(Path file) throws ConfigException {
        JsonNode node;
        try {
            node = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ConfigException(file + ": must be a YAML mapping");
        }
        return new ConfigNode(file.toString(), "", node, expander);
    }

    /**
     * Whether {@code server.warmup.enabled} is true where the file does not say: yes, unless the environment variable
     * {@code AKKIO_WARMUP} is false (the test suites set it: they start many proxies and test the warm-up apart).
     */
    private boolean warmUpByDefault() throws ConfigException {
        String value = expander.apply("${" + WARMUP_ENV + ":-true}").strip().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException("environment variable " + WARMUP_ENV + " must be true or false, got '"
                    + value + "'");
        };
    }

    private static ProxyConfig.Server server(ConfigNode n, Path dir, boolean warmUpByDefault)
            throws ConfigException {
        n.allowOnly("host", "port", "serialization", "tls", "max_request_bytes", "idle_connection_timeout_seconds",
                "max_connections_per_tenant", "admin_port", "admin_host", "admin_token", "postgres", "failed_logins",
                "flight", "warmup");
        String serialization = n.optionalString("serialization", "protobuf");
        ProxyConfig.Serialization ser = switch (serialization.toLowerCase(java.util.Locale.ROOT)) {
            case "protobuf" -> ProxyConfig.Serialization.PROTOBUF;
            case "json" -> ProxyConfig.Serialization.JSON;
            default -> throw n.error("serialization", "must be protobuf or json, got '" + serialization + "'");
        };
        ProxyConfig.Tls tls = null;
        if (n.has("tls")) {
            ConfigNode t = n.child("tls");
            t.allowOnly("keystore", "password");
            Path keystore = dir.resolve(t.string("keystore")).normalize();
            if (!Files.isReadable(keystore)) {
                throw t.error("keystore", "file " + keystore + " is not readable");
            }
            tls = new ProxyConfig.Tls(keystore, t.string("password"));
        }
        String host = n.optionalString("host", "127.0.0.1");
        String adminToken = n.optionalString("admin_token", "");
        if (!adminToken.isEmpty() && adminToken.length() < 16) {
            throw n.error("admin_token", "must be at least 16 characters (or empty: admin writes refused)");
        }
        return new ProxyConfig.Server(
                host,
                n.intValue("port", 8765, 0, 65535),
                ser,
                tls,
                n.intValue("max_request_bytes", 1 << 20, 1024, 64 << 20),
                Duration.ofSeconds(n.longValue("idle_connection_timeout_seconds", 600, 1, 86_400)),
                n.intValue("max_connections_per_tenant", 256, 1, 100_000),
                n.intValue("admin_port", 8766, -1, 65535),
                postgres(n.child("postgres")),
                failedLogins(n.child("failed_logins")),
                new ProxyConfig.Admin(n.optionalString("admin_host", host), adminToken.isEmpty() ? null : adminToken),
                flight(n.child("flight")),
                warmUp(n.child("warmup"), warmUpByDefault));
    }

    private static ProxyConfig.WarmUp warmUp(ConfigNode n, boolean byDefault) throws ConfigException {
        n.allowOnly("enabled", "seconds", "max_seconds");
        ProxyConfig.WarmUp d = ProxyConfig.WarmUp.DEFAULT;
        boolean enabled = n.bool("enabled", byDefault);
        if (!n.has("seconds")) {
            // a file that bounds only max_seconds keeps what that key always meant: the warm-up's one bound
            int max = n.intValue("max_seconds", d.maxSeconds(), 1, 600);
            return new ProxyConfig.WarmUp(enabled, n.has("max_seconds") ? max : d.seconds(), max);
        }
        int seconds = n.intValue("seconds", d.seconds(), 1, 600);
        int max = n.intValue("max_seconds", Math.max(d.maxSeconds(), seconds), 1, 600);
        if (seconds > max) {
            throw n.error("seconds", "must not be more than server.warmup.max_seconds (" + max + "), got " + seconds);
        }
        return new ProxyConfig.WarmUp(enabled, seconds, max);
    }

    private static ProxyConfig.Flight flight(ConfigNode n) throws ConfigException {
        n.allowOnly("enabled", "port", "token_ttl_seconds", "stream_memory_mb", "tenant_memory_mb");
        ProxyConfig.Flight d = ProxyConfig.Flight.DISABLED;
        long streamMb = n.longValue("stream_memory_mb", d.streamMemoryBytes() >> 20, 1, 1 << 20);
        long tenantMb = n.longValue("tenant_memory_mb", Math.max(d.tenantMemoryBytes() >> 20, streamMb), 1, 1 << 20);
        if (tenantMb < streamMb) {
            // one stream could never reach its own limit: a configuration that cannot mean what it says
            throw n.error("tenant_memory_mb", "must be at least stream_memory_mb (" + streamMb + ")");
        }
        return new ProxyConfig.Flight(n.bool("enabled", d.enabled()), n.intValue("port", d.port(), 0, 65535),
                Duration.ofSeconds(n.longValue("token_ttl_seconds", d.tokenTtl().toSeconds(), 10, 86_400)),
                streamMb << 20, tenantMb << 20);
    }

    private static ProxyConfig.FailedLogins failedLogins(ConfigNode n) throws ConfigException {
        n.allowOnly("per_minute", "burst");
        ProxyConfig.FailedLogins d = ProxyConfig.FailedLogins.DEFAULT;
        return new ProxyConfig.FailedLogins(n.intValue("per_minute", d.perMinute(), 1, 1_000_000),
                n.intValue("burst", d.burst(), 1, 1_000_000));
    }

    private static ProxyConfig.Postgres postgres(ConfigNode n) throws ConfigException {
        n.allowOnly("enabled", "port", "worker_threads");
        ProxyConfig.Postgres d = ProxyConfig.Postgres.DISABLED;
        return new ProxyConfig.Postgres(n.bool("enabled", d.enabled()), n.intValue("port", d.port(), 0, 65535),
                n.intValue("worker_threads", d.workerThreads(), 1, 4096));
    }

    private static ProxyConfig.Backend backend(String name, ConfigNode n, Path dir) throws ConfigException {
        String type = n.string("type");
        ConfigNode p = n.child("pool");
        p.allowOnly("max_size", "connection_timeout_ms", "idle_timeout_seconds", "max_lifetime_seconds",
                "statement_cache_size");
        ProxyConfig.Pool pool = new ProxyConfig.Pool(
                p.intValue("max_size", 8, 1, 1024),
                Duration.ofMillis(p.longValue("connection_timeout_ms", 5_000, 250, 600_000)),
                Duration.ofSeconds(p.longValue("idle_timeout_seconds", 600, 10, 86_400)),
                Duration.ofSeconds(p.longValue("max_lifetime_seconds", 1_800, 30, 86_400)),
                // DuckDB plans a prepared query once; the Databricks driver sends the text again on every execution
                p.intValue("statement_cache_size", "duckdb".equals(type) ? 32 : 0, 0, 1024));
        switch (type) {
            case "duckdb" -> {
                n.allowOnly("type", "path", "seed", "pool", "threads", "memory_limit");
                String path = n.optionalString("path", null);
                String memoryLimit = n.optionalString("memory_limit", null);
                if (memoryLimit != null && !memoryLimit.matches("(?i)\\d+(\\.\\d+)?\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)")) {
                    throw n.error("memory_limit", "must be an amount such as 512MB or 2GiB, got '" + memoryLimit + "'");
                }
                ProxyConfig.DuckDb duckdb = new ProxyConfig.DuckDb(n.intValue("threads", 0, 0, 1024), memoryLimit);
                String seed = n.optionalString("seed", null);
                Path seedPath = seed == null ? null : dir.resolve(seed).normalize();
                if (seedPath != null && !Files.isReadable(seedPath)) {
                    throw n.error("seed", "file " + seedPath + " is not readable");
                }
                return new ProxyConfig.Backend(name, type, Dialect.DUCKDB,
                        path == null || path.equals(":memory:") ? null : dir.resolve(path).normalize(), seedPath, pool,
                        null, duckdb);
            }
            case "databricks" -> {
                n.allowOnly("type", "host", "port", "warehouse_id", "client_id", "client_secret",
                        "client_secret_file", "client_secret_expires", "user_agent_entry", "start_on_demand", "driver_options",
                        "pool", "warehouse_ids", "warehouse_start_timeout_seconds", "azure_tenant_id");
                java.util.List<String> warehouses = new java.util.ArrayList<>(n.strings("warehouse_ids"));
                if (warehouses.isEmpty() == !n.has("warehouse_id")) {
                    throw n.error("warehouse_id", "give exactly one of warehouse_id and warehouse_ids (failover order)");
                }
                if (warehouses.isEmpty()) {
                    warehouses.add(n.string("warehouse_id"));
                }
                String expires = n.optionalString("client_secret_expires", null);
                java.time.LocalDate expiry;
                try {
                    expiry = expires == null ? null : java.time.LocalDate.parse(expires);
                } catch (java.time.format.DateTimeParseException e) {
                    throw n.error("client_secret_expires", "must be a date like 2027-05-01");
                }
                String host = n.string("host").replaceFirst("^https://", "").replaceFirst("/+$", "");
                String secret = n.optionalString("client_secret", null);
                String secretFile = n.optionalString("client_secret_file", null);
                if ((secret == null) == (secretFile == null)) {
                    throw n.error("client_secret", "give exactly one of client_secret and client_secret_file");
                }
                Path secretPath = secretFile == null ? null : dir.resolve(secretFile).normalize();
                if (secretPath != null && !Files.isReadable(secretPath)) {
                    throw n.error("client_secret_file", "file " + secretPath + " is not readable");
                }
                Map<String, String> options = new LinkedHashMap<>();
                ConfigNode o = n.child("driver_options");
                for (java.util.Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (DRIVER_OPTIONS_OWNED.contains(key.toLowerCase(java.util.Locale.ROOT))) {
                        throw o.error(key, "is set by the proxy and cannot be overridden");
                    }
                    options.put(key, o.string(key));
                }
                return new ProxyConfig.Backend(name, type, Dialect.DATABRICKS, null, null, pool,
                        new ProxyConfig.Databricks(host, n.intValue("port", 443, 1, 65535), List.copyOf(warehouses),
                                n.string("client_id"), secret, n.optionalString("azure_tenant_id", null), secretPath,
                                expiry,
                                n.optionalString("user_agent_entry", "akkio"), n.bool("start_on_demand", false),
                                java.time.Duration.ofSeconds(n.intValue("warehouse_start_timeout_seconds", 300, 0,
                                        3600)),
                                Map.copyOf(options)));
            }
            default -> throw n.error("type", "unsupported backend type '" + type + "' (supported: duckdb, databricks)");
        }
    }

    /** Driver properties that carry the proxy's identity and safety settings: never from configuration files. */
    private static final java.util.Set<String> DRIVER_OPTIONS_OWNED = java.util.Set.of("authmech", "auth_flow",
            "oauth2clientid", "oauth2secret", "useragententry", "httppath", "usethriftclient", "user", "password",
            "uid", "pwd", "auth_accesstoken", "conncatalog", "connschema", "enabledirectresults",
            "enablesqlexecdirectresults", "azuretenantid");

    private ProxyConfig.Tenant tenant(String name, ConfigNode n, Path dir, Map<String, ProxyConfig.Backend> backends)
            throws ConfigException {
        n.allowOnly("secret_hash", "scram_sha256", "backend", "policy");
        SecretHash secret;
        try {
            secret = SecretHash.parse(n.string("secret_hash"));
        } catch (IllegalArgumentException e) {
            throw n.error("secret_hash", e.getMessage());
        }
        ScramVerifier scram = null;
        String scramText = n.optionalString("scram_sha256", null);
        if (scramText != null) {
            try {
                scram = ScramVerifier.parse(scramText);
            } catch (IllegalArgumentException e) {
                throw n.error("scram_sha256", e.getMessage());
            }
        }
        String backendName = n.string("backend");
        ProxyConfig.Backend backend = backends.get(backendName);
        if (backend == null) {
            throw n.error("backend", "names no backend (defined: " + String.join(", ", backends.keySet()) + ")");
        }
        Path policyFile = dir.resolve(n.string("policy")).normalize();
        PolicyFile policy = readPolicy(name, policyFile, backend.dialect());
        return new ProxyConfig.Tenant(name, secret, scram, backendName, policy.policy(), policy.limits(), policyFile);
    }

    /**
     * {@code write_quota}, or null when the policy has none: rows held, measured on DuckDB ({@code cache_seconds});
     * on Databricks, rows written per {@code window_seconds} (default a day), counted from what each write reports,
     * and/or {@code max_bytes} held, measured with DESCRIBE DETAIL ({@code cache_seconds}).
     */
    private static ProxyConfig.WriteQuota writeQuota(ConfigNode policy, Dialect dialect) throws ConfigException {
        if (!policy.has("write_quota")) {
            return null;
        }
        ConfigNode q = policy.child("write_quota");
        boolean databricks = dialect == Dialect.DATABRICKS;
        if (!databricks && q.has("max_bytes")) {
            throw q.error("max_bytes", "does not apply to this backend: DuckDB tells each table's rows"
                    + " (duckdb_tables()) but not its bytes, so a DuckDB quota is max_rows");
        }
        boolean bytes = databricks && q.has("max_bytes");
        if (databricks && !bytes && q.has("cache_seconds") || !databricks && q.has("window_seconds")) {
            throw q.error(databricks ? "cache_seconds" : "window_seconds", "does not apply to this backend:"
                    + " DuckDB backends measure the rows the write-back tables hold (cache_seconds), Databricks"
                    + " backends count the rows written per window_seconds (and measure max_bytes held, which"
                    + " cache_seconds goes with)");
        }
        if (databricks && q.has("window_seconds") && !q.has("max_rows")) {
            throw q.error("window_seconds", "goes with max_rows: the most rows the tenant's writes may add per"
                    + " window");
        }
        q.allowOnly(databricks ? new String[] {"max_rows", "window_seconds", "max_bytes", "cache_seconds"}
                : new String[] {"max_rows", "cache_seconds"});
        if (!q.has("max_rows") && !bytes) {
            throw q.error("max_rows", "is required: the most rows the tenant's write-back tables may hold together"
                    + " (Databricks: the most rows its writes may add per window_seconds, or max_bytes: the most"
                    + " bytes its write-back tables may hold)");
        }
        long maxRows = q.has("max_rows") ? q.longValue("max_rows", Long.MAX_VALUE, 1, Long.MAX_VALUE) : 0;
        if (!databricks) {
            return new ProxyConfig.WriteQuota(maxRows, Duration.ofSeconds(q.longValue("cache_seconds", 5, 0, 3_600)));
        }
        return new ProxyConfig.WriteQuota(maxRows,
                bytes ? Duration.ofSeconds(q.longValue("cache_seconds", 5, 0, 3_600)) : Duration.ZERO,
                maxRows > 0 ? Duration.ofSeconds(q.longValue("window_seconds", 86_400, 1, 31L * 86_400)) : null,
                bytes ? q.longValue("max_bytes", Long.MAX_VALUE, 1, Long.MAX_VALUE) : 0);
    }

    /**
     * {@code row_filters}, {@code masks} and {@code mask_salt}: each entry names its table (catalog.schema.table, the
     * catalog logical or physical); a mask is a kind's name or {@code {expression: ...}}. The salt is never echoed.
     */
    private static void rowFiltersAndMasks(ConfigNode n, TenantPolicy.Builder b) throws ConfigException {
        for (ConfigNode f : n.mappings("row_filters")) {
            f.allowOnly("table", "filter");
            b.rowFilter(f.string("table"), f.string("filter"));
        }
        for (ConfigNode m : n.mappings("masks")) {
            m.allowOnly("table", "column", "mask");
            com.akkio.dbproxy.policy.DataMask mask;
            try {
                if (m.isMapping("mask")) {
                    ConfigNode e = m.child("mask");
                    e.allowOnly("expression");
                    mask = com.akkio.dbproxy.policy.DataMask.expression(e.string("expression"));
                } else {
                    mask = com.akkio.dbproxy.policy.DataMask.named(m.string("mask"));
                }
            } catch (IllegalArgumentException e) {
                throw m.error("mask", e.getMessage());
            }
            b.mask(m.string("table"), m.string("column"), mask);
        }
        b.maskSalt(n.optionalString("mask_salt", null));
    }

    /** A tenant's policy and its limits, as read from one policy file. */
    public record PolicyFile(TenantPolicy policy, ProxyConfig.Limits limits) {
    }

    public PolicyFile readPolicy(String tenant, Path file, Dialect dialect) throws ConfigException {
        ConfigNode n = parse(file);
        n.allowOnly("tenant", "catalog", "default_schema", "catalogs", "read", "write", "statements", "max_rows",
                "max_sql_length", "denied_functions", "allowed_functions", "table_functions", "rate",
                "query_timeout_seconds", "max_write_rows", "write_quota", "row_filters", "masks", "mask_salt");
        String declared = n.optionalString("tenant", tenant);
        if (!declared.equals(tenant)) {
            throw n.error("tenant", "says '" + declared + "' but the file is configured for tenant '" + tenant + "'");
        }
        TenantPolicy.Builder b = TenantPolicy.builder(tenant)
                .dialect(dialect)
                .defaultCatalog(n.string("catalog"))
                .defaultSchema(n.string("default_schema"));
        ConfigNode catalogs = n.child("catalogs");
        java.util.Iterator<String> logical = catalogs.fieldNames();
        while (logical.hasNext()) {
            String name = logical.next();
            b.mapCatalog(name, catalogs.string(name));
        }
        try {
            for (String p : n.strings("read")) {
                b.read(p);
            }
            for (String p : n.strings("write")) {
                b.write(p);
            }
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
        for (String kind : n.strings("statements")) {
            try {
                b.allow(StatementKind.fromConfigName(kind));
            } catch (IllegalArgumentException e) {
                throw n.error("statements", e.getMessage());
            }
        }
        b.maxRows(n.longValue("max_rows", 10_000, 1, Long.MAX_VALUE));
        b.maxSqlLength(n.intValue("max_sql_length", 100_000, 16, 16 << 20));
        b.maxWriteRows(n.longValue("max_write_rows", TenantPolicy.DEFAULT_MAX_WRITE_ROWS, 1, Long.MAX_VALUE - 1));
        for (String f : n.strings("denied_functions")) {
            b.denyFunction(f);
        }
        for (String f : n.strings("allowed_functions")) {
            try {
                TenantPolicy.checkAllowedFunction(f);
            } catch (IllegalArgumentException e) {
                throw n.error("allowed_functions", e.getMessage());
            }
            b.allowFunction(f);
        }
        if (n.has("table_functions")) {
            b.tableFunctions(n.strings("table_functions"));
        }
        rowFiltersAndMasks(n, b);
        ConfigNode rate = n.child("rate");
        rate.allowOnly("queries_per_second", "burst", "max_concurrent", "max_running");
        int maxConcurrent = rate.intValue("max_concurrent", 8, 1, 10_000);
        ProxyConfig.Limits limits = new ProxyConfig.Limits(
                rate.doubleValue("queries_per_second", 50, 0.001, 1_000_000),
                rate.longValue("burst", 100, 1, 10_000_000),
                maxConcurrent,
                Duration.ofSeconds(n.longValue("query_timeout_seconds", 300, 1, 86_400)),
                rate.intValue("max_running", maxConcurrent, 1, maxConcurrent),
                writeQuota(n, dialect));
        try {
            return new PolicyFile(b.build(), limits);
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }
}

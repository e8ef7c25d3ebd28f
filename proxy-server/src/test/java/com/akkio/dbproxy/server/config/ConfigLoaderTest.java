package com.akkio.dbproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.akkio.dbproxy.policy.DenyCode;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String HASH = SecretHash.create("pw").encoded();

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path validConfig(String serverBlock) throws Exception {
        write("p.yaml", """
                catalog: c_prod
                default_schema: s
                catalogs: { main: c_prod }
                read: [c_prod.s.*]
                statements: [query]
                max_rows: 50
                rate: { queries_per_second: 2, burst: 3, max_concurrent: 1 }
                """);
        return write("proxy.yaml", serverBlock + """
                backends:
                  b: { type: duckdb }
                tenants:
                  t: { secret_hash: "%s", backend: b, policy: p.yaml }
                """.formatted(HASH));
    }

    @Test
    void demoConfigLoads() throws Exception {
        ProxyConfig cfg = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        assertThat(cfg.server().port()).isEqualTo(8765);
        assertThat(cfg.server().host()).isEqualTo("127.0.0.1");
        assertThat(cfg.server().serialization()).isEqualTo(ProxyConfig.Serialization.PROTOBUF);
        assertThat(cfg.tenants()).containsOnlyKeys("acme", "globex", "acme_partner");
        assertThat(cfg.tenants().get("acme_partner").policy().rowPolicies().tables())
                .containsExactly(com.akkio.dbproxy.policy.QualifiedName.parse("acme_prod.crm.contacts"));
        assertThat(cfg.tenants().get("acme").policy().rowPolicies().isEmpty()).isTrue();
        assertThat(cfg.tenants().get("acme").secret().matches("acme-secret")).isTrue();
        assertThat(cfg.tenants().get("acme").secret().matches("globex-secret")).isFalse();
        assertThat(cfg.tenants().get("globex").policy().maxRows()).isEqualTo(1000);
        assertThat(cfg.tenants().get("globex").limits().queriesPerSecond()).isEqualTo(5.0);
        assertThat(cfg.tenants().get("acme").policy().allowedKinds()).contains(StatementKind.INSERT);
        assertThat(cfg.backends().get("demo").path()).isNull();
        assertThat(cfg.backends().get("demo").seed()).exists();
    }

    @Test
    void environmentVariablesAreExpanded() throws Exception {
        Path f = validConfig("server: { port: \"${PORT}\", host: \"${HOST:-127.0.0.2}\" }\n");
        ProxyConfig cfg = new ConfigLoader(Map.of("PORT", "9999")).read(f);
        assertThat(cfg.server().port()).isEqualTo(9999);
        assertThat(cfg.server().host()).isEqualTo("127.0.0.2");
    }

    @Test
    void missingVariableIsNamedWithoutValues() throws Exception {
        Path f = validConfig("server: { port: \"${NOPE}\" }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .hasMessageContaining("server.port").hasMessageContaining("NOPE is not set");
    }

    @Test
    void withoutAClusterSectionTheProxyIsASingleNode() throws Exception {
        assertThat(ConfigLoader.load(validConfig("")).cluster()).isEqualTo(ProxyConfig.Cluster.SINGLE_NODE);
    }

    @Test
    void aClusterSectionNamesItsReplicaSharesItsLimitsInRedisAndNeverPrintsThePassword() throws Exception {
        ProxyConfig cfg = ConfigLoader.load(validConfig("cluster: { replica_id: r-1, replicas: 3, redis: { uri:"
                + " \"redis://:s3cret-pass@redis.internal:6379/0\", timeout_ms: 100 } }\n"));
        assertThat(cfg.cluster().shared()).isTrue();
        assertThat(cfg.cluster().replicaId()).isEqualTo("r-1");
        assertThat(cfg.cluster().replicas()).isEqualTo(3);
        assertThat(cfg.cluster().redis().timeout()).isEqualTo(java.time.Duration.ofMillis(100));
        assertThat(cfg.cluster().redis().keyPrefix()).isEqualTo("akkio:");
        assertThat(cfg.cluster().toString()).doesNotContain("s3cret-pass").contains("redacted@redis.internal");
    }

    @Test
    void aClusterWithoutItsReplicaCountOrWithABadRedisUriOrReplicaIdIsRefusedNamingTheKey() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(validConfig("cluster: { redis: { uri: \"redis://r:6379\" } }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.replicas");
        assertThatThrownBy(() -> ConfigLoader.load(validConfig("cluster: { replicas: 2, redis: { uri: r:6379 } }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.redis.uri");
        assertThatThrownBy(() -> ConfigLoader.load(validConfig("cluster: { replicas: 2 }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.redis.uri");
        assertThatThrownBy(() -> ConfigLoader.load(validConfig("cluster: { replica_id: \"a b\", replicas: 2,"
                + " redis: { uri: \"redis://r\" } }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.replica_id");
        assertThatThrownBy(() -> ConfigLoader.load(validConfig("cluster: { replicas: 2, redis: { uri:"
                + " \"redis://r\", pool: 3 } }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pool");
    }

    @Test
    void keptPlansPerConnectionDefaultTo32OnDuckDbAndAreBounded() throws Exception {
        assertThat(ConfigLoader.load(validConfig("")).backends().get("b").pool().statementCacheSize()).isEqualTo(32);
        Path tooMany = validConfig("").resolveSibling("many.yaml");
        Files.writeString(tooMany, Files.readString(validConfig("")).replace("b: { type: duckdb }",
                "b: { type: duckdb, pool: { statement_cache_size: 5000 } }"));
        assertThatThrownBy(() -> ConfigLoader.load(tooMany)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("statement_cache_size");
        Path none = validConfig("").resolveSibling("none.yaml");
        Files.writeString(none, Files.readString(validConfig("")).replace("b: { type: duckdb }",
                "b: { type: duckdb, pool: { statement_cache_size: 0 } }"));
        assertThat(ConfigLoader.load(none).backends().get("b").pool().statementCacheSize()).isZero();
    }

    @Test
    void failedLoginLimitsAndTheRefusalLogHaveDefaultsAndAreValidated() throws Exception {
        ProxyConfig defaults = new ConfigLoader(Map.of()).read(validConfig(""));
        assertThat(defaults.server().failedLogins()).isEqualTo(ProxyConfig.FailedLogins.DEFAULT);
        assertThat(defaults.audit().unauthenticatedPath().getFileName().toString())
                .isEqualTo("audit.unauthenticated.jsonl");
        assertThat(defaults.audit().unauthenticatedPath().getParent()).isEqualTo(defaults.audit().path().getParent());
        ProxyConfig set = new ConfigLoader(Map.of()).read(validConfig(
                "server: { failed_logins: { per_minute: 5, burst: 7 } }\n"));
        assertThat(set.server().failedLogins()).isEqualTo(new ProxyConfig.FailedLogins(5, 7));
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(validConfig(
                "server: { failed_logins: { burst: 0 } }\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.failed_logins.burst");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(validConfig(
                "audit: { path: a.jsonl, unauthenticated_path: a.jsonl }\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("audit.unauthenticated_path");
    }

    @Test
    void unknownKeysAreRefused() throws Exception {
        Path f = validConfig("server: { prot: 1 }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.prot").hasMessageContaining("unknown key");
    }

    @Test
    void theWarmUpAtStartIsOnByDefaultOffWhereAkkioWarmupIsFalseAndItsKeysAreValidated() throws Exception {
        assertThat(new ConfigLoader(Map.of()).read(validConfig("")).server().warmUp())
                .isEqualTo(new ProxyConfig.WarmUp(true, 2, 10));
        assertThat(new ConfigLoader(Map.of("AKKIO_WARMUP", "false")).read(validConfig("")).server().warmUp())
                .isEqualTo(new ProxyConfig.WarmUp(false, 2, 10));
        Path set = validConfig("server: { warmup: { enabled: true, max_seconds: 30 } }\n");
        assertThat(new ConfigLoader(Map.of("AKKIO_WARMUP", "false")).read(set).server().warmUp())
                .as("the file wins over the environment; max_seconds alone stays the one bound it always was")
                .isEqualTo(new ProxyConfig.WarmUp(true, 30, 30));
        assertThat(new ConfigLoader(Map.of()).read(validConfig("server: { warmup: { seconds: 5 } }\n")).server()
                .warmUp()).isEqualTo(new ProxyConfig.WarmUp(true, 5, 10));
        assertThat(new ConfigLoader(Map.of()).read(validConfig("server: { warmup: { seconds: 20 } }\n")).server()
                .warmUp()).as("seconds alone past the default bound").isEqualTo(new ProxyConfig.WarmUp(true, 20, 20));
        assertThat(new ConfigLoader(Map.of()).read(validConfig("server: { warmup: { seconds: 3, max_seconds: 4 } }\n"))
                .server().warmUp()).isEqualTo(new ProxyConfig.WarmUp(true, 3, 4));
        assertThat(new ConfigLoader(Map.of()).read(validConfig("server: { warmup: { seconds: 2, max_seconds: 2 } }\n"))
                .server().warmUp()).as("2 s as the only bound")
                .isEqualTo(new ProxyConfig.WarmUp(true, 2, 2));
        Path pastItsBound = validConfig("server: { warmup: { seconds: 8, max_seconds: 4 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(pastItsBound)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.warmup.seconds").hasMessageContaining("server.warmup.max_seconds (4)");

        Path zero = validConfig("server: { warmup: { max_seconds: 0 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(zero)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.warmup.max_seconds").hasMessageContaining("between 1 and 600");
        Path unknown = validConfig("server: { warmup: { minutes: 5 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(unknown)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.warmup.minutes");
        Path notBoolean = validConfig("server: { warmup: { enabled: maybe } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(notBoolean)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.warmup.enabled");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AKKIO_WARMUP", "sometimes")).read(validConfig("")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("AKKIO_WARMUP");
    }

    @Test
    void theFlightSqlFrontEndIsOffByDefaultAndItsKeysAreValidated() throws Exception {
        ProxyConfig demo = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        assertThat(demo.server().flight().enabled()).isTrue();
        assertThat(demo.server().flight().port()).isEqualTo(8815);

        ProxyConfig defaults = new ConfigLoader(Map.of()).read(validConfig(""));
        assertThat(defaults.server().flight().enabled()).isFalse();
        assertThat(defaults.server().flight().tokenTtl()).isEqualTo(java.time.Duration.ofMinutes(15));

        ProxyConfig set = new ConfigLoader(Map.of()).read(validConfig(
                "server: { flight: { enabled: true, port: 0, token_ttl_seconds: 60, stream_memory_mb: 8 } }\n"));
        assertThat(set.server().flight()).isEqualTo(new ProxyConfig.Flight(true, 0, java.time.Duration.ofSeconds(60),
                8L << 20));

        Path badTtl = validConfig("server: { flight: { enabled: true, token_ttl_seconds: 1 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(badTtl))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.flight.token_ttl_seconds");
        Path unknown = validConfig("server: { flight: { enable: true } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(unknown))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.flight.enable");
    }

    @Test
    void theFlightTenantMemoryLimitDefaultsToAGibibyteAndMayNotBeBelowTheStreamLimit() throws Exception {
        ProxyConfig defaults = new ConfigLoader(Map.of()).read(validConfig(""));
        assertThat(defaults.server().flight().tenantMemoryBytes()).isEqualTo(1024L << 20);
        ProxyConfig set = new ConfigLoader(Map.of()).read(validConfig(
                "server: { flight: { stream_memory_mb: 8, tenant_memory_mb: 24 } }\n"));
        assertThat(set.server().flight().streamMemoryBytes()).isEqualTo(8L << 20);
        assertThat(set.server().flight().tenantMemoryBytes()).isEqualTo(24L << 20);
        ProxyConfig bigStreams = new ConfigLoader(Map.of()).read(validConfig(
                "server: { flight: { stream_memory_mb: 2048 } }\n"));
        assertThat(bigStreams.server().flight().tenantMemoryBytes()).as("raised to one stream's limit")
                .isEqualTo(2048L << 20);

        Path below = validConfig("server: { flight: { stream_memory_mb: 64, tenant_memory_mb: 32 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(below)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(below.toString()).hasMessageContaining("server.flight.tenant_memory_mb")
                .hasMessageContaining("at least stream_memory_mb (64)");
        Path zero = validConfig("server: { flight: { tenant_memory_mb: 0 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(zero)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.flight.tenant_memory_mb");
    }

    @Test
    void postgresFrontEndAndScramVerifiersAreValidated() throws Exception {
        ProxyConfig demo = ConfigLoader.load(Path.of("../conf/proxy.yaml"));
        assertThat(demo.server().postgres().enabled()).isTrue();
        assertThat(demo.server().postgres().port()).isEqualTo(5433);
        assertThat(demo.tenants().get("acme").scram()).isNotNull();

        ProxyConfig defaults = new ConfigLoader(Map.of()).read(validConfig(""));
        assertThat(defaults.server().postgres().enabled()).isFalse();
        assertThat(defaults.tenants().get("t").scram()).isNull();

        Path badPort = validConfig("server: { postgres: { enabled: true, port: 70000 } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(badPort))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.postgres.port");
        Path unknown = validConfig("server: { postgres: { enable: true } }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(unknown))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.postgres.enable");

        write("p.yaml", "catalog: c\ndefault_schema: s\n");
        Path badScram = write("proxy.yaml", """
                backends: { b: { type: duckdb } }
                tenants: { t: { secret_hash: "%s", scram_sha256: "SCRAM-SHA-256$1:c2VjcmV0LXNhbHQ=$bad", backend: b,
                                policy: p.yaml } }
                """.formatted(HASH));
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(badScram))
                .hasMessageContaining("tenants.t.scram_sha256").hasMessageNotContaining("c2VjcmV0LXNhbHQ=");
    }

    @Test
    void badSecretHashDoesNotEchoIt() throws Exception {
        write("p.yaml", "catalog: c\ndefault_schema: s\n");
        Path f = write("proxy.yaml", """
                backends: { b: { type: duckdb } }
                tenants: { t: { secret_hash: "plaintext-password", backend: b, policy: p.yaml } }
                """);
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .hasMessageContaining("tenants.t.secret_hash").hasMessageNotContaining("plaintext-password");
    }

    @Test
    void unknownBackendIsNamed() throws Exception {
        write("p.yaml", "catalog: c\ndefault_schema: s\n");
        Path f = write("proxy.yaml", """
                backends: { b: { type: duckdb } }
                tenants: { t: { secret_hash: "%s", backend: x, policy: p.yaml } }
                """.formatted(HASH));
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .hasMessageContaining("tenants.t.backend").hasMessageContaining("defined: b");
    }

    @Test
    void policyErrorsNameTheFileAndRule() throws Exception {
        write("p.yaml", "catalog: c\ndefault_schema: s\nread: [c.s]\n");
        Path f = write("proxy.yaml", """
                backends: { b: { type: duckdb } }
                tenants: { t: { secret_hash: "%s", backend: b, policy: p.yaml } }
                """.formatted(HASH));
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .hasMessageContaining("p.yaml").hasMessageContaining("three parts");
        write("p.yaml", "catalog: c\ndefault_schema: s\nstatements: [query, attach]\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .hasMessageContaining("statements").hasMessageContaining("attach");
        write("p.yaml", "catalog: c\ndefault_schema: s\nstatements: [query, session]\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("cannot be allowed");
        write("p.yaml", "tenant: other\ncatalog: c\ndefault_schema: s\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("tenant 't'");
    }

    @Test
    void rowFiltersAndMasksAreReadAndBadOnesAreNamedByFileAndKeyWithoutTheSalt() throws Exception {
        Path f = write("proxy.yaml", """
                backends: { b: { type: duckdb } }
                tenants: { t: { secret_hash: "%s", backend: b, policy: p.yaml } }
                """.formatted(HASH));
        String base = "catalog: c\ndefault_schema: s\nread: [c.s.*]\nstatements: [query]\n";
        write("p.yaml", base + """
                row_filters: [{ table: c.s.people, filter: "region = 'EU' AND owner = :tenant" }]
                masks:
                  - { table: c.s.people, column: email, mask: hash }
                  - { table: c.s.people, column: phone, mask: show_last_4 }
                  - { table: c.s.people, column: name, mask: { expression: "left(name, 1)" } }
                mask_salt: "${SALT}"
                """);
        ProxyConfig cfg = new ConfigLoader(Map.of("SALT", "a-salt-of-the-operators-0001")).read(f);
        assertThat(cfg.tenants().get("t").policy().rowPolicies().applied(
                java.util.List.of(com.akkio.dbproxy.policy.QualifiedName.parse("c.s.people"))))
                .containsExactly("filter c.s.people", "mask c.s.people.email hash", "mask c.s.people.phone show_last_4",
                        "mask c.s.people.name expression");
        String[][] bad = {
                {"masks: [{ table: c.s.people, column: email, mask: show_middle_2 }]\n", "masks[0].mask"},
                {"masks: [{ table: c.s.people, column: email, mask: hash }]\n", "mask_salt is required"},
                {"masks: [{ table: c.s.people, column: email, mask: hash }]\nmask_salt: tiny-secret-x\n", "mask_salt"},
                {"masks: [{ table: c.s.people, mask: redact }]\n", "masks[0].column"},
                {"row_filters: [{ table: c.s.people, filter: \"region = :user\" }]\n", ":user"},
                {"row_filters: [{ table: c.s.people, filter: \"region = getenv('HOME')\" }]\n", "getenv"},
                {"row_filters: [{ table: c.other.people, filter: \"true\" }]\n", "not readable"},
                {"row_filters: [{ table: c.s.people, where: x }]\n", "row_filters[0].where"}};
        for (String[] b : bad) {
            write("p.yaml", base + b[0]);
            assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).as(b[0]).hasMessageContaining("p.yaml")
                    .hasMessageContaining(b[1]).hasMessageNotContaining("tiny-secret-x");
        }
    }

    @Test
    void writeBackLimitsAndTheBackendsResourcesAreReadAndValidatedNamingFileAndKey() throws Exception {
        Path f = write("proxy.yaml", """
                backends: { b: { type: duckdb, threads: 1, memory_limit: 512MB } }
                tenants: { t: { secret_hash: "%s", backend: b, policy: p.yaml } }
                """.formatted(HASH));
        String base = "catalog: c\ndefault_schema: s\nwrite: [c.out.*]\nstatements: [query, insert, drop]\n";
        write("p.yaml", base + "max_write_rows: 500\nwrite_quota: { max_rows: 9000, cache_seconds: 2 }\n"
                + "rate: { max_concurrent: 4, max_running: 1 }\n");
        ProxyConfig cfg = new ConfigLoader(Map.of()).read(f);
        ProxyConfig.Tenant t = cfg.tenants().get("t");
        assertThat(t.policy().maxWriteRows()).isEqualTo(500);
        assertThat(t.limits().writeQuota()).isEqualTo(new ProxyConfig.WriteQuota(9000, java.time.Duration.ofSeconds(2)));
        assertThat(t.limits().maxRunning()).isEqualTo(1);
        assertThat(cfg.backends().get("b").duckdb()).isEqualTo(new ProxyConfig.DuckDb(1, "512MB"));

        write("p.yaml", base);
        t = new ConfigLoader(Map.of()).read(f).tenants().get("t");
        assertThat(t.policy().maxWriteRows()).isEqualTo(com.akkio.dbproxy.policy.TenantPolicy.DEFAULT_MAX_WRITE_ROWS);
        assertThat(t.limits().writeQuota()).isNull();
        assertThat(t.limits().maxRunning()).isEqualTo(t.limits().maxConcurrent());

        write("p.yaml", base + "max_write_rows: 0\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("max_write_rows");
        write("p.yaml", base + "write_quota: { rows: 5 }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("write_quota.rows").hasMessageContaining("unknown key");
        write("p.yaml", base + "write_quota: { cache_seconds: 5 }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("write_quota.max_rows").hasMessageContaining("required");
        write("p.yaml", base + "rate: { max_concurrent: 2, max_running: 3 }\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("rate.max_running");
        write("p.yaml", "catalog: c\ndefault_schema: s\nwrite: [c.out.*]\nstatements: [query, replace]\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("statements").hasMessageContaining("replace");

        write("p.yaml", base);
        write("proxy.yaml", """
                backends: { b: { type: duckdb, memory_limit: "1GB'; SET x = '1" } }
                tenants: { t: { secret_hash: "%s", backend: b, policy: p.yaml } }
                """.formatted(HASH));
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("proxy.yaml")
                .hasMessageContaining("backends.b.memory_limit");
        write("proxy.yaml", """
                backends: { b: { type: duckdb, threads: -1 } }
                tenants: { t: { secret_hash: "%s", backend: b, policy: p.yaml } }
                """.formatted(HASH));
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("backends.b.threads");
    }

    @Test
    void allowedFunctionsAddToTheDialectsListAndAnEntryTheBuiltInDenialsNameIsRefused() throws Exception {
        Path f = write("proxy.yaml", """
                backends: { b: { type: duckdb } }
                tenants: { t: { secret_hash: "%s", backend: b, policy: p.yaml } }
                """.formatted(HASH));
        write("p.yaml", "catalog: c\ndefault_schema: s\nread: [c.s.*]\nstatements: [query]\n"
                + "allowed_functions: [my_score]\ndenied_functions: [md5]\n");
        ProxyConfig cfg = new ConfigLoader(Map.of()).read(f);
        assertThat(new PolicyEngine().decide(cfg.tenants().get("t").policy(), "SELECT my_score(x) FROM t")
                .isAllowed()).isTrue();
        assertThat(new PolicyEngine().decide(cfg.tenants().get("t").policy(), "SELECT md5(x) FROM t").code())
                .isEqualTo(DenyCode.FUNCTION_DENIED);
        write("p.yaml", "catalog: c\ndefault_schema: s\nread: [c.s.*]\nallowed_functions: [current_setting]\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("allowed_functions").hasMessageContaining("current_setting")
                .hasMessageContaining("deny-list");
        write("p.yaml", "catalog: c\ndefault_schema: s\nread: [c.s.*]\nallowed_functions: [\"my_*\"]\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f)).hasMessageContaining("p.yaml")
                .hasMessageContaining("allowed_functions").hasMessageContaining("no globs");
    }

    @Test
    void unsupportedBackendTypeIsNamed() throws Exception {
        Path f = write("proxy.yaml", """
                backends: { b: { type: oracle } }
                tenants: {}
                """);
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).read(f))
                .hasMessageContaining("backends.b.type").hasMessageContaining("oracle");
    }

    @Test
    void tlsPasswordIsRedacted() {
        assertThat(new ProxyConfig.Tls(Path.of("k.p12"), "hunter2").toString()).doesNotContain("hunter2");
        assertThat(SecretHash.create("x").toString()).doesNotContain("sha256");
    }
}

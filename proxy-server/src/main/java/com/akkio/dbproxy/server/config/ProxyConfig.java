package com.akkio.dbproxy.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.TenantPolicy;

/** The whole validated configuration of a proxy: what {@link ConfigLoader} returns. */
public record ProxyConfig(Path source, Server server, Audit audit, Map<String, Backend> backends,
                          Map<String, Tenant> tenants, Cluster cluster) {

    /** A single-node configuration (no {@code cluster} section). */
    public ProxyConfig(Path source, Server server, Audit audit, Map<String, Backend> backends,
                       Map<String, Tenant> tenants) {
        this(source, server, audit, backends, tenants, Cluster.SINGLE_NODE);
    }

    public enum Serialization { PROTOBUF, JSON }

    /** TLS key material; the password is never printed. */
    public record Tls(Path keystore, String keystorePassword) {
        @Override
        public String toString() {
            return "Tls[keystore=" + keystore + ", keystorePassword=redacted]";
        }
    }

    /**
     * {@code adminPort} -1 disables the admin endpoint (metrics, health, readiness, reload); {@code postgres} is the
     * PostgreSQL wire-protocol front end and {@code flight} the Arrow Flight SQL one, on the same host and TLS key
     * material.
     */
    public record Server(String host, int port, Serialization serialization, Tls tls, int maxRequestBytes,
                         Duration idleConnectionTimeout, int maxConnectionsPerTenant, int adminPort,
                         Postgres postgres, FailedLogins failedLogins, Admin admin, Flight flight, WarmUp warmUp) {
        /** Server settings without a warm-up at start (what programs that build their settings get). */
        public Server(String host, int port, Serialization serialization, Tls tls, int maxRequestBytes,
                      Duration idleConnectionTimeout, int maxConnectionsPerTenant, int adminPort, Postgres postgres,
                      FailedLogins failedLogins, Admin admin, Flight flight) {
            this(host, port, serialization, tls, maxRequestBytes, idleConnectionTimeout, maxConnectionsPerTenant,
                    adminPort, postgres, failedLogins, admin, flight, WarmUp.DISABLED);
        }

        /** Server settings without the Flight SQL front end. */
        public Server(String host, int port, Serialization serialization, Tls tls, int maxRequestBytes,
                      Duration idleConnectionTimeout, int maxConnectionsPerTenant, int adminPort, Postgres postgres,
                      FailedLogins failedLogins, Admin admin) {
            this(host, port, serialization, tls, maxRequestBytes, idleConnectionTimeout, maxConnectionsPerTenant,
                    adminPort, postgres, failedLogins, admin, Flight.DISABLED);
        }

        /** The same settings with {@code flight} as the Flight SQL front end. */
        public Server withFlight(Flight flight) {
            return new Server(host, port, serialization, tls, maxRequestBytes, idleConnectionTimeout,
                    maxConnectionsPerTenant, adminPort, postgres, failedLogins, admin, flight, warmUp);
        }

        /** The same settings with {@code warmUp} as the warm-up at start. */
        public Server withWarmUp(WarmUp warmUp) {
            return new Server(host, port, serialization, tls, maxRequestBytes, idleConnectionTimeout,
                    maxConnectionsPerTenant, adminPort, postgres, failedLogins, admin, flight, warmUp);
        }

        /** Server settings with the default limit on failed logins and an admin endpoint that refuses writes. */
        public Server(String host, int port, Serialization serialization, Tls tls, int maxRequestBytes,
                      Duration idleConnectionTimeout, int maxConnectionsPerTenant, int adminPort, Postgres postgres) {
            this(host, port, serialization, tls, maxRequestBytes, idleConnectionTimeout, maxConnectionsPerTenant,
                    adminPort, postgres, FailedLogins.DEFAULT, new Admin(host, null));
        }
    }

    /**
     * Where the admin endpoint listens ({@code server.admin_host}, default {@code server.host}), and the bearer token
     * its writes ({@code POST /reload}) need ({@code server.admin_token}); without one, writes are refused.
     */
    public record Admin(String host, String token) {
        @Override
        public String toString() {
            return "Admin[host=" + host + ", token=" + (token == null ? "none" : "set") + "]";
        }
    }

    /**
     * Failed logins allowed per client address, on every front end together: a burst, then {@code perMinute};
     * beyond it the address is refused before its credentials are checked.
     */
    public record FailedLogins(int perMinute, int burst) {
        public static final FailedLogins DEFAULT = new FailedLogins(30, 20);
    }

    /**
     * The PostgreSQL front end: {@code port} 0 picks a free one; {@code workerThreads} bounds the threads that run
     * its statements (the Netty event loops never block on the backend).
     */
    public record Postgres(boolean enabled, int port, int workerThreads) {
        public static final Postgres DISABLED = new Postgres(false, 5433, 32);
    }

    /**
     * The Arrow Flight SQL front end: {@code port} 0 picks a free one; a login (the tenant's secret, HTTP Basic) gets a
     * bearer token valid for {@code tokenTtl}; each result stream (or ingest) may hold at most {@code streamMemoryBytes}
     * of Arrow buffers at once, and all of one tenant's together at most {@code tenantMemoryBytes}.
     */
    public record Flight(boolean enabled, int port, Duration tokenTtl, long streamMemoryBytes, long tenantMemoryBytes) {
        /** The default tenant limit: four streams at the default stream limit. */
        public static final long DEFAULT_TENANT_MEMORY_BYTES = 1024L << 20;
        public static final Flight DISABLED = new Flight(false, 8815, Duration.ofMinutes(15), 256L << 20);

        /** With the default tenant limit, or the stream limit where that is more. */
        public Flight(boolean enabled, int port, Duration tokenTtl, long streamMemoryBytes) {
            this(enabled, port, tokenTtl, streamMemoryBytes, Math.max(DEFAULT_TENANT_MEMORY_BYTES, streamMemoryBytes));
        }
    }

    /**
     * The warm-up at start ({@code server.warmup}): before {@code /ready} says so, the proxy runs a realistic workload
     * through every enabled front end, the policy engine and the audit code on a private loopback copy of itself, so
     * that the first clients meet compiled code. It never touches a tenant. It ends after {@code seconds} unless the
     * host was busy meanwhile (other work took the CPU it wanted, or the container's quota held it back), else at
     * {@code maxSeconds}: there the JIT is starved too, and only time helps.
     */
    public record WarmUp(boolean enabled, int seconds, int maxSeconds) {
        public static final WarmUp DISABLED = new WarmUp(false, 0, 0);
        /**
         * What a configuration file gets without a {@code server.warmup} section: 2 s, which keeps start to ready
         * within 3 s, or 10 s on a host whose other work starves the warm-up ({@code WarmUp.Judge.BUSY_HOST}), where
         * the longer warm-up made the first seconds of traffic faster (README).
         */
        public static final WarmUp DEFAULT = new WarmUp(true, 2, 10);

        public WarmUp {
            if (seconds > maxSeconds) {
                throw new IllegalArgumentException("warm-up seconds " + seconds + " past its max_seconds "
                        + maxSeconds);
            }
        }

        /** A warm-up that runs up to {@code maxSeconds} whatever its clients did (its only bound). */
        public static WarmUp bounded(int maxSeconds) {
            return new WarmUp(true, maxSeconds, maxSeconds);
        }
    }

    /** Rotation: at {@code maxBytes} the file becomes {@code .1} (older ones shift), {@code keepFiles} are kept. */
    /**
     * The audit log, and beside it the log of refused logins ({@code unauthenticatedPath}), which rotates on its own
     * so that no flood of unauthenticated requests can push a tenant's records out of the kept files.
     */
    public record Audit(Path path, boolean rawSql, long maxBytes, int keepFiles, Path unauthenticatedPath) {
        /** The audit log with the refused logins in {@code <name>.unauthenticated.jsonl} beside it. */
        public Audit(Path path, boolean rawSql, long maxBytes, int keepFiles) {
            this(path, rawSql, maxBytes, keepFiles, unauthenticatedBeside(path));
        }

        public static Path unauthenticatedBeside(Path path) {
            String name = path.getFileName().toString();
            String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
            return path.resolveSibling(stem + ".unauthenticated.jsonl");
        }
    }

    /**
     * A tenant's pool on a backend; {@code statementCacheSize} prepared queries are kept per backend connection for
     * texts it runs again (0: none).
     */
    public record Pool(int maxSize, Duration connectionTimeout, Duration idleTimeout, Duration maxLifetime,
                       int statementCacheSize) {
    }

    /**
     * A backend the proxy forwards to: DuckDB ({@code path} null means in memory) or a Databricks SQL warehouse
     * ({@code databricks} set).
     */
    public record Backend(String name, String type, Dialect dialect, Path path, Path seed, Pool pool,
                          Databricks databricks, DuckDb duckdb) {
        /** A backend without DuckDB settings of its own (a Databricks warehouse, or DuckDB's defaults). */
        public Backend(String name, String type, Dialect dialect, Path path, Path seed, Pool pool,
                       Databricks databricks) {
            this(name, type, dialect, path, seed, pool, databricks, DuckDb.DEFAULT);
        }
    }

    /**
     * An embedded DuckDB's own resource settings: {@code threads} it runs a query on (0: DuckDB's default, one per
     * core) and its {@code memoryLimit} (null: DuckDB's default, 80 % of RAM), set before it is locked down.
     */
    public record DuckDb(int threads, String memoryLimit) {
        public static final DuckDb DEFAULT = new DuckDb(0, null);
    }

    /**
     * A Databricks SQL warehouse reached as a service principal with OAuth M2M. The secret comes from the
     * environment ({@code client_secret: ${VAR}}) or from {@code client_secret_file}, which is read again for every
     * new connection, so a rotated secret takes effect without a restart.
     */
    /** {@code warehouseIds}: the first is used while it accepts connections, the others in order if it does not. */
    /** @param azureTenantId the Entra ID tenant of an Azure service principal with an Entra ID secret, or null */
    public record Databricks(String host, int port, java.util.List<String> warehouseIds, String clientId,
                             String clientSecret, String azureTenantId,
                             Path clientSecretFile, java.time.LocalDate secretExpires, String userAgentEntry,
                             boolean startOnDemand, java.time.Duration warehouseStartTimeout,
                             Map<String, String> driverOptions) {
        public String warehouseId() {
            return warehouseIds.get(0);
        }

        @Override
        public String toString() {
            return "Databricks[host=" + host + ", port=" + port + ", warehouseIds=" + warehouseIds + ", clientId="
                    + clientId + ", clientSecret=redacted, azureTenantId=" + azureTenantId + ", clientSecretFile=" + clientSecretFile
                    + ", userAgentEntry=" + userAgentEntry + ", driverOptions=" + driverOptions.keySet() + "]";
        }
    }

    /**
     * A tenant's limits. {@code maxRunning} of its admitted statements run on the backend at once, the others wait
     * for one of them to end ({@code rate.max_running}, at most {@code maxConcurrent}); {@code writeQuota} bounds
     * what its write-back schemas hold (null: no quota).
     */
    public record Limits(double queriesPerSecond, long burst, int maxConcurrent, Duration queryTimeout, int maxRunning,
                         WriteQuota writeQuota) {
        /** Limits under which every admitted statement runs at once, without a storage quota. */
        public Limits(double queriesPerSecond, long burst, int maxConcurrent, Duration queryTimeout) {
            this(queriesPerSecond, burst, maxConcurrent, queryTimeout, maxConcurrent, null);
        }
    }

    /**
     * The most rows a tenant's write-back tables (the tables its {@code write} patterns match) may hold together,
     * measured on the backend before each write and remembered for {@code cacheFor} (DuckDB); on a Databricks backend
     * ({@code window} not null) the most rows its writes may add in each {@code window}. {@code maxBytes} (Databricks
     * only) bounds the bytes the write-back tables hold, measured with DESCRIBE DETAIL before each write and
     * remembered for {@code cacheFor}. 0: no such bound ({@code maxRows} 0 only when {@code maxBytes} is set).
     */
    public record WriteQuota(long maxRows, Duration cacheFor, Duration window, long maxBytes) {
        /** The quota of rows held, measured on a DuckDB backend. */
        public WriteQuota(long maxRows, Duration cacheFor) {
            this(maxRows, cacheFor, null, 0);
        }

        /** The quota of rows written per {@code window} on a Databricks backend. */
        public WriteQuota(long maxRows, Duration cacheFor, Duration window) {
            this(maxRows, cacheFor, window, 0);
        }
    }

    /** {@code scram} is null when the tenant has no SCRAM-SHA-256 verifier (then PostgreSQL clients need TLS). */
    public record Tenant(String name, SecretHash secret, ScramVerifier scram, String backend, TenantPolicy policy,
                         Limits limits, Path policyFile) {
    }

    /**
     * Replicas of one proxy sharing tenant limits. {@code replicaId} names this process in audit records and in Redis
     * ({@code cluster.replica_id}, default the host name and port); {@code replicas} is how many the operator runs,
     * the share of a limit each replica enforces alone while Redis is unreachable. {@code redis} null: single node,
     * every limit is this process's own.
     */
    public record Cluster(String replicaId, int replicas, Redis redis) {
        public static final Cluster SINGLE_NODE = new Cluster(null, 1, null);

        public boolean shared() {
            return redis != null;
        }
    }

    /**
     * Where shared limits live: {@code uri} as Lettuce reads it ({@code redis://[:password@]host:port/db},
     * {@code rediss://} for TLS), each call bounded by {@code timeout}; keys start with {@code keyPrefix}.
     */
    public record Redis(String uri, Duration timeout, String keyPrefix) {
        @Override
        public String toString() {
            return "Redis[uri=" + redactedUri() + ", timeout=" + timeout + ", keyPrefix=" + keyPrefix + "]";
        }

        /** The URI without its password, for logs and errors. */
        public String redactedUri() {
            return uri.replaceAll("//[^@/]*@", "//redacted@");
        }
    }
}

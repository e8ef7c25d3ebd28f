package com.akkio.dbproxy.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.TenantPolicy;

/** The whole validated configuration of a proxy: what {@link ConfigLoader} returns. */
public record ProxyConfig(Path source, Server server, Audit audit, Map<String, Backend> backends,
                          Map<String, Tenant> tenants) {

    public enum Serialization { PROTOBUF, JSON }

    /** TLS key material; the password is never printed. */
    public record Tls(Path keystore, String keystorePassword) {
        @Override
        public String toString() {
            return "Tls[keystore=" + keystore + ", keystorePassword=redacted]";
        }
    }

    /** {@code adminPort} -1 disables the admin endpoint (metrics, health, readiness, reload). */
    public record Server(String host, int port, Serialization serialization, Tls tls, int maxRequestBytes,
                         Duration idleConnectionTimeout, int maxConnectionsPerTenant, int adminPort) {
    }

    /** Rotation: at {@code maxBytes} the file becomes {@code .1} (older ones shift), {@code keepFiles} are kept. */
    public record Audit(Path path, boolean rawSql, long maxBytes, int keepFiles) {
    }

    public record Pool(int maxSize, Duration connectionTimeout, Duration idleTimeout, Duration maxLifetime) {
    }

    /** A backend the proxy forwards to; {@code path} null means an in-memory DuckDB. */
    public record Backend(String name, String type, Dialect dialect, Path path, Path seed, Pool pool) {
    }

    public record Limits(double queriesPerSecond, long burst, int maxConcurrent, Duration queryTimeout) {
    }

    public record Tenant(String name, SecretHash secret, String backend, TenantPolicy policy, Limits limits,
                         Path policyFile) {
    }
}

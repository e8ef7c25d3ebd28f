package com.akkio.dbproxy.server.backend.databricks;

import java.time.Clock;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

import com.akkio.dbproxy.server.config.ProxyConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service principal OAuth secrets live at most two years: the configured expiry of each backend's secret becomes a
 * metric ({@code akkio_backend_secret_expiry_days}) and a warning in the log from 30 days before, and an expired
 * secret makes the proxy not ready.
 */
public final class SecretExpiry {
    static final int WARN_DAYS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(SecretExpiry.class);

    private SecretExpiry() {
    }

    /** Days until the backend's secret expires, or null when no expiry is configured. */
    public static Long daysLeft(ProxyConfig.Backend backend, Clock clock) {
        ProxyConfig.Databricks d = backend.databricks();
        if (d == null || d.secretExpires() == null) {
            return null;
        }
        return ChronoUnit.DAYS.between(LocalDate.now(clock), d.secretExpires());
    }

    /** Registers the metric and warns about secrets close to expiry. */
    public static void watch(ProxyConfig.Backend backend, MeterRegistry metrics, Clock clock) {
        Long days = daysLeft(backend, clock);
        if (days == null) {
            return;
        }
        Gauge.builder("akkio_backend_secret_expiry_days", () -> daysLeft(backend, clock))
                .description("days until the service principal secret of a backend expires")
                .tags("backend", backend.name()).register(metrics);
        if (days < 0) {
            LOG.error("the client secret of backend {} expired {} days ago; rotate it", backend.name(), -days);
        } else if (days <= WARN_DAYS) {
            LOG.warn("the client secret of backend {} expires in {} days; rotate it", backend.name(), days);
        }
    }
}

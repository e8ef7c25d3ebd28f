package com.akkio.dbproxy.server.governed;

import java.util.concurrent.atomic.AtomicInteger;

import com.akkio.dbproxy.server.backend.BackendMeta;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.limits.TenantLimiter;

/**
 * What the server holds for one tenant while it runs. A reload swaps the configuration in place, so every open
 * connection applies the new policy from its next statement on; statements already running keep their decision.
 */
public final class TenantRuntime {
    public final BackendMeta meta;
    public final AtomicInteger connections = new AtomicInteger();
    private volatile ProxyConfig.Tenant config;
    private volatile TenantLimiter limiter;
    private volatile boolean retired;

    public TenantRuntime(ProxyConfig.Tenant config, BackendMeta meta) {
        this.config = config;
        this.limiter = new TenantLimiter(config.name(), config.limits());
        this.meta = meta;
    }

    public ProxyConfig.Tenant config() {
        return config;
    }

    TenantLimiter limiter() {
        return limiter;
    }

    public String name() {
        return config.name();
    }

    /** Applies a reloaded configuration of this tenant; the rate bucket restarts only if its limits changed. */
    public void update(ProxyConfig.Tenant updated) {
        if (!updated.limits().equals(config.limits())) {
            limiter = new TenantLimiter(updated.name(), updated.limits());
        }
        config = updated;
    }

    /** The tenant was removed from the configuration: its open connections are refused from now on. */
    public void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }
}

package com.akkio.dbproxy.server.avatica;

import java.util.concurrent.atomic.AtomicInteger;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.limits.TenantLimiter;

/** What the server holds for one tenant while it runs: its configuration, admission and open-connection count. */
final class TenantRuntime {
    final ProxyConfig.Tenant config;
    final TenantLimiter limiter;
    final BackendMeta meta;
    final AtomicInteger connections = new AtomicInteger();

    TenantRuntime(ProxyConfig.Tenant config, BackendMeta meta) {
        this.config = config;
        this.limiter = new TenantLimiter(config.name(), config.limits());
        this.meta = meta;
    }
}

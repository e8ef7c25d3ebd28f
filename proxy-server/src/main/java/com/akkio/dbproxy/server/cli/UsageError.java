package com.akkio.dbproxy.server.cli;

import com.akkio.dbproxy.server.config.ProxyConfig;

/** A command used wrongly; printed as {@code error: message} with exit code 2, never as a stack trace. */
final class UsageError extends Exception {
    UsageError(String message) {
        super(message);
    }

    /** The named tenant of the configuration, or a usage error listing the configured ones. */
    static ProxyConfig.Tenant tenant(ProxyConfig config, String name) throws UsageError {
        ProxyConfig.Tenant t = name == null ? null : config.tenants().get(name);
        if (t == null) {
            throw new UsageError("unknown tenant '" + name + "' (configured: " + config.tenants().keySet() + ")");
        }
        return t;
    }
}

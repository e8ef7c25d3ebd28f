package com.akkio.dbproxy.server.frontend.avatica;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.servlet.http.HttpServletRequest;

import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.governed.Logins;
import com.akkio.dbproxy.server.governed.TenantCredentials;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.apache.calcite.avatica.remote.AuthenticationType;
import org.apache.calcite.avatica.server.AvaticaServerConfiguration;
import org.apache.calcite.avatica.server.RemoteUserExtractor;

/**
 * HTTP BASIC authentication of tenants against the salted secret hashes in the configuration, hooked into Avatica's
 * handler through its impersonation callbacks: the extractor checks the credentials of each request, and the
 * callback runs the request with the {@link Caller} set, or refuses it with SQLState 28000 in a proper Avatica error
 * (an HTTP 401 would reach the Avatica client as a bare transport failure).
 */
public final class TenantAuthenticator implements AvaticaServerConfiguration, RemoteUserExtractor {
    private static final String BASIC = "Basic ";

    /**
     * The outcome of checking one request's credentials, handed from the extractor to the callback: a failure to
     * report, or a refusal already reported (a throttled address).
     */
    private record Outcome(Caller caller, String failure, ProxyError refused) {
        Outcome(Caller caller, String failure) {
            this(caller, failure, null);
        }
    }

    private static final ThreadLocal<Outcome> OUTCOME = new ThreadLocal<>();

    private volatile Map<String, ProxyConfig.Tenant> tenants;
    private final Logins logins;

    /** @param logins throttles addresses that fail too often and is told about every refused request */
    public TenantAuthenticator(Map<String, ProxyConfig.Tenant> tenants, Logins logins) {
        this.tenants = Map.copyOf(tenants);
        this.logins = logins;
    }

    /** Swaps in reloaded tenants; requests already authenticated keep running. */
    public void tenants(Map<String, ProxyConfig.Tenant> updated) {
        this.tenants = Map.copyOf(updated);
    }

    @Override
    public String extract(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        String userAgent = request.getHeader("User-Agent");
        ProxyError throttled = logins.throttled(null, address, userAgent);
        if (throttled != null) {
            OUTCOME.set(new Outcome(new Caller(null, address, userAgent), null, throttled));
            return "";
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            OUTCOME.set(new Outcome(new Caller(null, address, userAgent), "no credentials (HTTP BASIC required)"));
            return "";
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(BASIC.length()).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            OUTCOME.set(new Outcome(new Caller(null, address, userAgent), "malformed credentials"));
            return "";
        }
        int colon = decoded.indexOf(':');
        String tenant = colon < 0 ? decoded : decoded.substring(0, colon);
        String secret = colon < 0 ? "" : decoded.substring(colon + 1);
        if (!TenantCredentials.verify(tenants, tenant, secret)) {
            OUTCOME.set(new Outcome(new Caller(tenant, address, userAgent), "unknown tenant or wrong secret"));
            return "";
        }
        OUTCOME.set(new Outcome(new Caller(tenant, address, userAgent), null));
        return tenant;
    }

    @Override
    public <T> T doAsRemoteUser(String remoteUser, String remoteAddress, Callable<T> action) throws Exception {
        Outcome outcome = OUTCOME.get();
        OUTCOME.remove();
        if (outcome != null && outcome.refused() != null) {
            throw outcome.refused();
        }
        if (outcome == null || outcome.failure() != null) {
            String reason = outcome == null ? "no credentials" : outcome.failure();
            Caller who = outcome == null ? new Caller(null, remoteAddress, null) : outcome.caller();
            logins.refused(who.tenant(), who.address(), who.userAgent(), reason);
            throw ProxyError.authentication(reason);
        }
        CurrentCaller.set(outcome.caller());
        try {
            return action.call();
        } finally {
            CurrentCaller.clear();
        }
    }

    @Override
    public boolean supportsImpersonation() {
        return true;
    }

    @Override
    public RemoteUserExtractor getRemoteUserExtractor() {
        return this;
    }

    @Override
    public AuthenticationType getAuthenticationType() {
        return AuthenticationType.BASIC;
    }

    @Override
    public String getKerberosRealm() {
        return null;
    }

    @Override
    public String getKerberosServiceName() {
        return null;
    }

    @Override
    public String getKerberosHostName() {
        return null;
    }

    @Override
    public String getKerberosPrincipal() {
        return null;
    }

    @Override
    public String[] getAllowedRoles() {
        return new String[0];
    }

    @Override
    public String getHashLoginServiceRealm() {
        return null;
    }

    @Override
    public String getHashLoginServiceProperties() {
        return null;
    }
}

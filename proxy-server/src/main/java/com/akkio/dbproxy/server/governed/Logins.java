package com.akkio.dbproxy.server.governed;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.limits.LoginLimits;

/**
 * What every front end does around a login besides checking the secret ({@link TenantCredentials#verify}): refuse
 * an address that has failed too often before looking at its credentials, and report every refusal, which drains
 * the address's allowance and is audited.
 */
public final class Logins {
    /** Where refused logins are reported: the refusal audit and the authentication-failure metric. */
    public interface Refusals {
        /** {@code code}: AUTHENTICATION_FAILED, or LOGIN_THROTTLED for an address refused unheard. */
        void refused(String tenant, String address, String userAgent, String code, String reason);
    }

    private final LoginLimits throttle;
    private final Refusals refusals;

    public Logins(LoginLimits throttle, Refusals refusals) {
        this.throttle = throttle;
        this.refusals = refusals;
    }

    /**
     * Null when {@code address} may try to log in; otherwise the error to answer with ({@code 53400
     * LOGIN_THROTTLED}), already reported.
     */
    public ProxyError throttled(String tenant, String address, String userAgent) {
        long retryMs = throttle.retryAfterMillis(address);
        if (retryMs == 0) {
            return null;
        }
        refusals.refused(tenant, address, userAgent, ErrorCode.LOGIN_THROTTLED.name(), "throttled");
        return ProxyError.of(ErrorCode.LOGIN_THROTTLED, "too many failed logins from this address (rule:"
                + " server.failed_logins); retry after " + retryMs + " ms");
    }

    /** Reports a refused login: it counts against the address and is audited. */
    public void refused(String tenant, String address, String userAgent, String reason) {
        throttle.failed(address);
        refusals.refused(tenant, address, userAgent, ErrorCode.AUTHENTICATION_FAILED.name(), reason);
    }
}

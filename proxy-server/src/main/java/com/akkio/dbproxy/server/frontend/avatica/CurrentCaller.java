package com.akkio.dbproxy.server.frontend.avatica;

import com.akkio.dbproxy.server.governed.Caller;

/**
 * Who is making the current Avatica request: set by {@link TenantAuthenticator} around each request on the request's
 * thread, read by {@link AvaticaMeta}. Avatica's BASIC authentication does not pass the user to {@code Meta}, so this
 * is the one place the identity crosses that layer.
 */
final class CurrentCaller {
    private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

    private CurrentCaller() {
    }

    static Caller get() {
        return CURRENT.get();
    }

    static void set(Caller caller) {
        CURRENT.set(caller);
    }

    static void clear() {
        CURRENT.remove();
    }
}

package com.akkio.dbproxy.server.avatica;

/**
 * Who is making the current Avatica request: set by {@link TenantAuthenticator} around each request on the request's
 * thread, read by {@link GovernedMeta}. Avatica's BASIC authentication does not pass the user to {@code Meta}, so this
 * is the one place the identity crosses that layer.
 */
public record Caller(String tenant, String address, String userAgent) {
    private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

    static Caller current() {
        return CURRENT.get();
    }

    static void set(Caller caller) {
        CURRENT.set(caller);
    }

    static void clear() {
        CURRENT.remove();
    }
}

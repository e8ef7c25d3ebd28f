package com.akkio.dbproxy.server.governed;

import com.akkio.dbproxy.server.frontend.avatica.TenantAuthenticator;

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

    public static void set(Caller caller) {
        CURRENT.set(caller);
    }

    public static void clear() {
        CURRENT.remove();
    }

    /** A call into {@link GovernedMeta} made on behalf of a caller. */
    public interface Call<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code call} as {@code caller} on this thread: how a front end other than Avatica's HTTP handler (the
     * PostgreSQL one) drives the same {@link GovernedMeta} under the same identity rules.
     */
    public static <T, E extends Exception> T as(Caller caller, Call<T, E> call) throws E {
        Caller previous = CURRENT.get();
        CURRENT.set(caller);
        try {
            return call.run();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}

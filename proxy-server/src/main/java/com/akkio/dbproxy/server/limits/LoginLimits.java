package com.akkio.dbproxy.server.limits;

/** Failed logins per client address: how long an address must wait, and counting its failures. */
public interface LoginLimits {
    /** Milliseconds until {@code address} may try again; 0 when it may try now. */
    long retryAfterMillis(String address);

    /** Counts a refused login of {@code address}. */
    void failed(String address);
}

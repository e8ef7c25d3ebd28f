package com.akkio.dbproxy.server.audit;

/**
 * The {@code decision} field of an audit record: what became of a statement or a login. The record's {@code code}
 * says more: {@code ALLOWED} or {@code CLOSED} for an allowed statement that finished or was closed early, the
 * denial's code, {@code THROTTLED}, the SQLState of an error, {@code AUTHENTICATION_FAILED}.
 */
public enum AuditOutcome {
    ALLOW("allow"),
    DENY("deny"),
    THROTTLED("throttled"),
    ERROR("error"),
    UNAUTHENTICATED("unauthenticated");

    /** Codes for outcomes that are not a denial's or an error's. */
    public static final String ALLOWED = "ALLOWED";
    public static final String CLOSED = "CLOSED";
    /** A statement the front end answered itself, without the backend (PostgreSQL's SET, SHOW, BEGIN, …). */
    public static final String ANSWERED = "ANSWERED_BY_PROXY";
    public static final String THROTTLED_CODE = "THROTTLED";
    public static final String NO_SUCH_STATEMENT = "NO_SUCH_STATEMENT";
    public static final String AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED";

    private final String wire;

    AuditOutcome(String wire) {
        this.wire = wire;
    }

    /** As written in the record (and in the {@code akkio_statements_total} metric's {@code decision} label). */
    public String wire() {
        return wire;
    }
}

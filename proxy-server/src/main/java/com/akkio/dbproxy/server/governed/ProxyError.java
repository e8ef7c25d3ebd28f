package com.akkio.dbproxy.server.governed;

import com.akkio.dbproxy.policy.DenyCode;
import com.akkio.dbproxy.server.errors.ErrorCode;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;

/**
 * An error for the client, always built from a registered code ({@link ErrorCode}, or the policy's {@link DenyCode}).
 * Avatica turns it into an ErrorResponse carrying this SQLState, vendor code and message, which the client raises as
 * an SQLException; the PostgreSQL front end sends the same three in an ErrorResponse. It has no stack trace, so none
 * reaches the client. (It extends Avatica's exception because Avatica's service serialises exactly that type into its
 * error response; the core uses it as a plain value.)
 */
public final class ProxyError extends AvaticaRuntimeException {
    private final ErrorCode code;

    private ProxyError(ErrorCode code, String detail) {
        this(code, code.sqlState(), code.vendorCode(), code.message(detail));
    }

    private ProxyError(ErrorCode code, String sqlState, int vendorCode, String message) {
        super(message, vendorCode, sqlState, AvaticaSeverity.ERROR);
        this.code = code;
    }

    /** {@code code} with {@code detail}, for the client. */
    public static ProxyError of(ErrorCode code, String detail) {
        return new ProxyError(code, detail);
    }

    /**
     * A backend's own refusal: its SQLState and vendor code travel to the client (the registry's where the backend
     * has none), under {@code code}'s label.
     */
    public static ProxyError fromBackend(ErrorCode code, String sqlState, int vendorCode, String detail) {
        return new ProxyError(code, sqlState != null ? sqlState : code.sqlState(),
                vendorCode != 0 ? vendorCode : code.vendorCode(), code.message(detail));
    }

    /** A statement the policy denied: the denial's code name, SQLState and vendor code, and its reason. */
    public static ProxyError denied(DenyCode deny, String reason) {
        return new ProxyError(null, deny.sqlState(), deny.vendorCode(), deny.name() + ": " + reason);
    }

    /** The registered code, or null for a policy denial. */
    public ErrorCode code() {
        return code;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public String getMessage() {
        return getErrorMessage();
    }

    /** A statement cancelled at the client's request (the same answer from every front end). */
    public static ProxyError cancelledByClient(String tenant) {
        return of(ErrorCode.QUERY_CANCELLED, "the statement was cancelled at the request of tenant '" + tenant + "'");
    }

    public static ProxyError authentication(String message) {
        return of(ErrorCode.AUTHENTICATION_FAILED, message);
    }

    /** The same answer for a handle that does not exist and one that belongs to another tenant. */
    public static ProxyError unknownHandle(String what) {
        return of(ErrorCode.UNKNOWN_HANDLE, "no such " + what + " for this tenant");
    }

    public static ProxyError unsupported(String what) {
        return of(ErrorCode.NOT_SUPPORTED, what + " is not supported by the proxy");
    }
}

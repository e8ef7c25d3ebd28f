package com.akkio.dbproxy.server.governed;

import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;

/**
 * An error for the client: Avatica turns it into an ErrorResponse carrying this SQLState, vendor code and message,
 * which the client raises as an SQLException. It has no stack trace, so none reaches the client.
 */
public final class ProxyError extends AvaticaRuntimeException {
    public static final String AUTHENTICATION = "28000";
    public static final String BACKEND_UNAVAILABLE = "08006";
    public static final String CANCELLED = "57014";
    public static final String INVALID_HANDLE = "08003";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";

    public ProxyError(String sqlState, int vendorCode, String message) {
        super(message, vendorCode, sqlState, AvaticaSeverity.ERROR);
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
        return new ProxyError(CANCELLED, 2103, "QUERY_CANCELLED: the statement was cancelled at the request of"
                + " tenant '" + tenant + "'");
    }

    public static ProxyError authentication(String message) {
        return new ProxyError(AUTHENTICATION, 3001, "AUTHENTICATION_FAILED: " + message);
    }

    /** The same answer for a handle that does not exist and one that belongs to another tenant. */
    static ProxyError unknownHandle(String what) {
        return new ProxyError(INVALID_HANDLE, 3101, "UNKNOWN_HANDLE: no such " + what + " for this tenant");
    }

    static ProxyError unsupported(String what) {
        return new ProxyError(FEATURE_NOT_SUPPORTED, 3201, "NOT_SUPPORTED: " + what + " is not supported by the proxy");
    }
}

package com.akkio.dbproxy.server.frontend.flight;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.Logins;
import com.akkio.dbproxy.server.governed.ProxyError;
import com.akkio.dbproxy.server.governed.TenantCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Authentication of every Flight call, before Flight sees it: {@code Authorization: Basic} with the tenant's name and
 * secret (checked as on every front end: {@link TenantCredentials}, throttled and audited through {@link Logins})
 * answers with {@code Authorization: Bearer <token>}, and later calls carry that token. A call with neither, or with
 * an unknown or expired token, is refused {@code UNAUTHENTICATED}. The authenticated {@link Caller} rides in the gRPC
 * context of the call, where {@link #caller()} finds it.
 *
 * <p>It is a gRPC interceptor rather than Flight's header authenticator because only gRPC knows the client's address,
 * which the login throttle and the audit log need.
 */
final class FlightLogin implements ServerInterceptor {
    private static final Context.Key<Caller> CALLER = Context.key("akkio-caller");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> USER_AGENT = Metadata.Key.of("user-agent",
            Metadata.ASCII_STRING_MARSHALLER);

    private final Logins logins;
    private final BearerTokens tokens;
    private volatile Map<String, ProxyConfig.Tenant> tenants;

    FlightLogin(Map<String, ProxyConfig.Tenant> tenants, Logins logins, BearerTokens tokens) {
        this.tenants = Map.copyOf(tenants);
        this.logins = logins;
        this.tokens = tokens;
    }

    void tenants(Map<String, ProxyConfig.Tenant> updated) {
        this.tenants = Map.copyOf(updated);
    }

    /** The authenticated caller of the current Flight call; every call the producer sees has one. */
    static Caller caller() {
        Caller c = CALLER.get();
        if (c == null) {
            throw ProxyError.authentication("request without an authenticated tenant");
        }
        return c;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String address = address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        String userAgent = headers.get(USER_AGENT);
        String authorization = headers.get(AUTHORIZATION);
        Caller caller;
        String issued = null;
        org.apache.arrow.vector.compression.CompressionUtil.CodecType compression;
        try {
            compression = IpcCompression.parse(headers.get(IpcCompression.HEADER));
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                caller = tokens.caller(authorization.substring(7).strip());
                if (caller == null || !tenants.containsKey(caller.tenant())) {
                    throw ProxyError.authentication("the bearer token is unknown or has expired; log in again");
                }
            } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                caller = basic(authorization.substring(6).strip(), address, userAgent);
                issued = tokens.issue(caller);
            } else {
                throw ProxyError.authentication("log in with the tenant's name and secret (HTTP Basic), then use"
                        + " the bearer token the login returns");
            }
        } catch (ProxyError e) {
            call.close(FlightErrors.status(e), FlightErrors.trailers(e));
            return new ServerCall.Listener<>() {
            };
        }
        ServerCall<Q, R> answered = issued == null ? call : withBearer(call, issued);
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller)
                .withValue(IpcCompression.REQUESTED, compression), answered, headers, next);
    }

    private Caller basic(String encoded, String address, String userAgent) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = "";
        }
        int colon = decoded.indexOf(':');
        String tenant = colon < 0 ? null : decoded.substring(0, colon);
        String secret = colon < 0 ? "" : decoded.substring(colon + 1);
        ProxyError throttled = logins.throttled(tenant, address, userAgent);
        if (throttled != null) {
            throw throttled;
        }
        if (!TenantCredentials.verify(tenants, tenant, secret)) {
            logins.refused(tenant, address, userAgent, "bad credentials");
            throw ProxyError.authentication("wrong tenant name or secret");
        }
        return new Caller(tenant, address, userAgent);
    }

    /** The call with the new token in its response headers (or, for a response without any, in its trailers). */
    private static <Q, R> ServerCall<Q, R> withBearer(ServerCall<Q, R> call, String token) {
        return new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean headersSent;

            @Override
            public void sendHeaders(Metadata headers) {
                headers.put(AUTHORIZATION, "Bearer " + token);
                headersSent = true;
                super.sendHeaders(headers);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!headersSent) {
                    trailers.put(AUTHORIZATION, "Bearer " + token);
                }
                super.close(status, trailers);
            }
        };
    }

    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return remote == null ? "unknown" : remote.toString();
    }
}

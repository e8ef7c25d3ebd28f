package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.UUID;
import java.util.function.Consumer;

import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.governed.Caller;
import com.akkio.dbproxy.server.governed.GovernedConnection;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;

/**
 * The startup phase of one connection, up to a governed connection: the StartupMessage (protocol version, tenant,
 * application name), the login exchange ({@link PgLogin}) on the password messages that follow, a refusal audited,
 * and on success AuthenticationOk and the governed connection opened for the tenant. Any other message is a protocol
 * violation. A refusal ends the connection through {@code fatal}.
 */
final class PgStartup {
    /** A logged-in client: its tenant, the connection opened for it, and what it said it was. */
    record Login(String tenant, String applicationName, TenantPolicy policy, GovernedConnection connection) {
    }

    private final PgServer server;
    private final PgDecoder decoder;
    private final ClientChannel client;
    private final Consumer<ProxyError> fatal;
    private volatile boolean tls;
    private String tenant;
    private String applicationName;
    private PgLogin login;

    /** @param fatal sends a FATAL error and ends the connection */
    PgStartup(PgServer server, PgDecoder decoder, ClientChannel client, Consumer<ProxyError> fatal) {
        this.server = server;
        this.decoder = decoder;
        this.client = client;
        this.fatal = fatal;
    }

    /** The TLS handshake was started on an SSLRequest (event loop): passwords may now travel in cleartext. */
    void encrypted() {
        tls = true;
    }

    boolean isEncrypted() {
        return tls;
    }

    /** The tenant the startup message named, for logs; null before it. */
    String tenant() {
        return tenant;
    }

    /** Takes the next message of the startup phase; returns the login once the client is in, null until then. */
    Login accept(PgMessage msg) {
        if (msg instanceof PgMessage.Startup s) {
            startup(s);
            return null;
        }
        if (msg instanceof PgMessage.Malformed m && m.startupPacket()) {
            throw new PgIn.ProtocolViolation(tenant != null ? "a second startup message" : m.reason());
        }
        if (login == null || !(msg instanceof PgMessage.Password p)) {
            throw new PgIn.ProtocolViolation("expected a password message");
        }
        return answer(login.password(p.body()));
    }

    private void startup(PgMessage.Startup s) {
        if (s.major() != 3) {
            fatal.accept(ProxyError.of(ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, "unsupported frontend protocol "
                    + s.major() + "." + s.minor() + ": the proxy speaks 3.0"));
            return;
        }
        if (tenant != null) {
            throw new PgIn.ProtocolViolation("a second startup message");
        }
        decoder.typed();
        if (s.minor() != 0 || !s.unsupportedOptions().isEmpty()) {
            PgOut m = PgOut.message(client.alloc(), 'v').int32(0).int32(s.unsupportedOptions().size());
            s.unsupportedOptions().forEach(m::cstring);
            client.write(m.done());
        }
        tenant = s.parameters().get("user");
        applicationName = s.parameters().getOrDefault("application_name", "");
        ProxyError throttled = server.logins().throttled(tenant, client.address(), applicationName);
        if (throttled != null) {
            fatal.accept(throttled);
            return;
        }
        if (tenant == null || tenant.isEmpty()) {
            refuse(null, "no user (tenant) in the startup message");
            return;
        }
        login = new PgLogin(tenant, server.tenants().get(tenant), tls, server.decoyVerifier());
        answer(login.begin());
    }

    private Login answer(PgLogin.Step step) {
        if (step instanceof PgLogin.Challenge c) {
            client.write(PgOut.authentication(client.alloc(), c.code(), c.data()));
            client.flush();
        } else if (step instanceof PgLogin.Failure f) {
            refuse(tenant, f.reason());
        } else if (step instanceof PgLogin.Success ok) {
            login = null;
            if (ok.saslFinal() != null) {
                client.write(PgOut.authentication(client.alloc(), 12, ok.saslFinal()));
            }
            return open(ok.tenant());
        }
        return null;
    }

    private void refuse(String claimed, String reason) {
        server.logins().refused(claimed, client.address(), applicationName, reason);
        fatal.accept(ProxyError.of(ErrorCode.PASSWORD_AUTHENTICATION_FAILED,
                "password authentication failed for user \"" + (claimed == null ? "" : claimed) + "\""));
    }

    private Login open(ProxyConfig.Tenant t) {
        client.write(PgOut.authentication(client.alloc(), 0, null));
        Caller c = new Caller(tenant, client.address(), applicationName.isEmpty() ? "pgwire" : applicationName);
        try {
            return new Login(tenant, applicationName, t.policy(), server.gateway().open("pg-" + UUID.randomUUID(), c));
        } catch (ProxyError e) {
            fatal.accept(e);
            return null;
        }
    }
}

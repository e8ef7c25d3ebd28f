package com.akkio.dbproxy.server.frontend.pgwire;

import java.nio.charset.StandardCharsets;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.config.ScramVerifier;
import com.akkio.dbproxy.server.governed.TenantCredentials;

/**
 * The authentication of one connection as the tenant its startup message names: SCRAM-SHA-256 when the tenant has a
 * verifier, its password in cleartext only over TLS otherwise. An unknown tenant goes through the same exchange
 * (SCRAM with a decoy verifier, or the decoy hash) and fails at its end, so the answers do not tell who exists.
 */
final class PgLogin {
    /** What to answer a step of the exchange with. */
    sealed interface Step permits Challenge, Success, Failure {
    }

    /** An Authentication request (SASL, SASLContinue, CleartextPassword) to send, then wait for the next password message. */
    record Challenge(int code, byte[] data) implements Step {
    }

    /** Authenticated; {@code saslFinal} is the server-final-message to send first (SCRAM only). */
    record Success(ProxyConfig.Tenant tenant, byte[] saslFinal) implements Step {
    }

    /** Refused; the reason is for the audit log, the client learns only that it failed. */
    record Failure(String reason) implements Step {
    }

    private static final String MECHANISM = "SCRAM-SHA-256";

    private final ProxyConfig.Tenant tenant;
    private final String claimed;
    private final ScramExchange scram;
    private final boolean tls;
    private boolean scramStarted;

    PgLogin(String claimed, ProxyConfig.Tenant tenant, boolean tls, ScramVerifier decoyVerifier) {
        this.claimed = claimed;
        this.tenant = tenant;
        this.tls = tls;
        boolean useScram = tenant != null ? tenant.scram() != null : !tls;
        this.scram = useScram ? new ScramExchange(tenant == null ? decoyVerifier : tenant.scram()) : null;
    }

    Step begin() {
        if (scram != null) {
            return new Challenge(10, (MECHANISM + "\0\0").getBytes(StandardCharsets.UTF_8));
        }
        if (!tls) {
            return new Failure("tenant has no SCRAM verifier (tenants." + claimed + ".scram_sha256) and the connection"
                    + " is not encrypted: connect with TLS (sslmode=require) to authenticate with the password");
        }
        return new Challenge(3, null);
    }

    /** The answer to a PasswordMessage / SASLInitialResponse / SASLResponse ('p'). */
    Step password(byte[] body) {
        PgIn in = new PgIn(body);
        try {
            if (scram == null) {
                String password = in.cstring();
                return TenantCredentials.verify(tenant, password) ? new Success(tenant, null)
                        : new Failure("unknown tenant or wrong secret");
            }
            if (!scramStarted) {
                String mechanism = in.cstring();
                if (!mechanism.equals(MECHANISM)) {
                    return new Failure("unsupported SASL mechanism " + mechanism);
                }
                String clientFirst = new String(in.bytes(in.int32()), StandardCharsets.UTF_8);
                scramStarted = true;
                return new Challenge(11, scram.serverFirst(clientFirst).getBytes(StandardCharsets.UTF_8));
            }
            String serverFinal = scram.serverFinal(new String(in.rest(), StandardCharsets.UTF_8));
            return tenant == null ? new Failure("unknown tenant or wrong secret")
                    : new Success(tenant, serverFinal.getBytes(StandardCharsets.UTF_8));
        } catch (ScramExchange.AuthFailure e) {
            return new Failure(e.getMessage());
        }
    }
}

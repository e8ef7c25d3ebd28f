package com.akkio.dbproxy.server.frontend.pgwire;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

import com.akkio.dbproxy.server.config.ScramVerifier;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL runs it: without channel
 * binding (the mechanism offered is plain SCRAM-SHA-256), the user name in the client's message ignored (the startup
 * packet names the tenant). A failure never says which part was wrong.
 */
final class ScramExchange {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ScramVerifier verifier;
    private final java.util.function.Supplier<String> serverNonce;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    /** @param verifier the tenant's verifier; for an unknown tenant a decoy, so the exchange runs the same way */
    ScramExchange(ScramVerifier verifier) {
        this(verifier, ScramExchange::randomNonce);
    }

    /** With a given server nonce, for checking against the RFC's test vector. */
    ScramExchange(ScramVerifier verifier, java.util.function.Supplier<String> serverNonce) {
        this.verifier = verifier;
        this.serverNonce = serverNonce;
    }

    private static String randomNonce() {
        byte[] random = new byte[18];
        RANDOM.nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    /** Reads client-first-message and returns server-first-message. */
    String serverFirst(String clientFirst) {
        if (clientFirst.startsWith("p=")) {
            throw new AuthFailure("channel binding is not supported (use SCRAM-SHA-256 without -PLUS)");
        }
        if (!clientFirst.startsWith("n,") && !clientFirst.startsWith("y,")) {
            throw new AuthFailure("malformed SCRAM client-first-message");
        }
        int second = clientFirst.indexOf(',', 2);
        if (second < 0) {
            throw new AuthFailure("malformed SCRAM client-first-message");
        }
        gs2Header = clientFirst.substring(0, second + 1);
        clientFirstBare = clientFirst.substring(second + 1);
        String clientNonce = attribute(clientFirstBare, 'r');
        if (clientNonce == null || clientNonce.isEmpty()) {
            throw new AuthFailure("malformed SCRAM client-first-message");
        }
        nonce = clientNonce + serverNonce.get();
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i="
                + verifier.iterations();
        return serverFirst;
    }

    /** Checks client-final-message and returns server-final-message; throws {@link AuthFailure} if it fails. */
    String serverFinal(String clientFinal) {
        int proofAt = clientFinal.lastIndexOf(",p=");
        if (serverFirst == null || proofAt < 0) {
            throw new AuthFailure("malformed SCRAM client-final-message");
        }
        String withoutProof = clientFinal.substring(0, proofAt);
        String binding = attribute(withoutProof, 'c');
        String finalNonce = attribute(withoutProof, 'r');
        byte[] expectedBinding = gs2Header.getBytes(StandardCharsets.UTF_8);
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
            if (binding == null || !java.security.MessageDigest.isEqual(expectedBinding,
                    Base64.getDecoder().decode(binding))) {
                throw new AuthFailure("SCRAM channel binding does not match");
            }
        } catch (IllegalArgumentException e) {
            throw new AuthFailure("malformed SCRAM client-final-message");
        }
        if (!nonce.equals(finalNonce)) {
            throw new AuthFailure("SCRAM nonce does not match");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        if (!verifier.verifyClientProof(authMessage, proof)) {
            throw new AuthFailure("wrong secret");
        }
        return "v=" + Base64.getEncoder().encodeToString(verifier.serverSignature(authMessage));
    }

    /** The value of {@code name=} among the comma-separated attributes of a SCRAM message, or null. */
    private static String attribute(String message, char name) {
        for (String part : message.split(",", -1)) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        return null;
    }

    /** Authentication did not succeed; the message is for the audit log, the client only learns that it failed. */
    static final class AuthFailure extends RuntimeException {
        AuthFailure(String message) {
            super(message, null, false, false);
        }
    }
}

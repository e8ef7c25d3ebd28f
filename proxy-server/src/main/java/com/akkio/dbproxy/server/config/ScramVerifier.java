package com.akkio.dbproxy.server.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A tenant's SCRAM-SHA-256 verifier (RFC 5802 / RFC 7677) in PostgreSQL's storage format
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}: what the PostgreSQL front end needs to
 * authenticate a client without ever seeing its secret. The {@code sha256:} secret hash cannot serve SCRAM, since
 * SCRAM's proof is keyed on PBKDF2 of the secret.
 */
public final class ScramVerifier {
    private static final String PREFIX = "SCRAM-SHA-256$";
    /** PostgreSQL's default; tenant secrets are machine credentials, so more buys little. */
    public static final int DEFAULT_ITERATIONS = 4096;

    private final int iterations;
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;

    private ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        this.iterations = iterations;
        this.salt = salt;
        this.storedKey = storedKey;
        this.serverKey = serverKey;
    }

    public static ScramVerifier parse(String text) {
        String shape = "must look like SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (make one with"
                + " `akkio-proxy hash-secret`)";
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException(shape);
        }
        String[] halves = text.substring(PREFIX.length()).split("\\$", -1);
        if (halves.length == 2) {
            String[] params = halves[0].split(":", -1);
            String[] keys = halves[1].split(":", -1);
            try {
                if (params.length == 2 && keys.length == 2) {
                    int iterations = Integer.parseInt(params[0]);
                    byte[] salt = Base64.getDecoder().decode(params[1]);
                    byte[] stored = Base64.getDecoder().decode(keys[0]);
                    byte[] server = Base64.getDecoder().decode(keys[1]);
                    if (iterations >= 1 && salt.length >= 8 && stored.length == 32 && server.length == 32) {
                        return new ScramVerifier(iterations, salt, stored, server);
                    }
                }
            } catch (IllegalArgumentException e) {
                // fall through to the message below, which does not echo the value
            }
        }
        throw new IllegalArgumentException(shape + "; iterations at least 1, a salt of at least 8 bytes and 32-byte"
                + " keys, base64-encoded");
    }

    public static ScramVerifier create(String secret) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return create(secret, salt, DEFAULT_ITERATIONS);
    }

    public static ScramVerifier create(String secret, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(secret, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key");
        return new ScramVerifier(iterations, salt.clone(), sha256(clientKey), hmac(salted, "Server Key"));
    }

    public int iterations() {
        return iterations;
    }

    public byte[] salt() {
        return salt.clone();
    }

    /**
     * Checks a client proof over {@code authMessage}: recovers ClientKey = proof XOR HMAC(StoredKey, authMessage) and
     * compares SHA-256 of it with StoredKey in constant time.
     */
    public boolean verifyClientProof(byte[] authMessage, byte[] clientProof) {
        if (clientProof == null || clientProof.length != storedKey.length) {
            return false;
        }
        byte[] signature = hmac(storedKey, authMessage);
        byte[] clientKey = new byte[signature.length];
        for (int i = 0; i < signature.length; i++) {
            clientKey[i] = (byte) (clientProof[i] ^ signature[i]);
        }
        return MessageDigest.isEqual(storedKey, sha256(clientKey));
    }

    /** The server's proof to the client: HMAC(ServerKey, authMessage). */
    public byte[] serverSignature(byte[] authMessage) {
        return hmac(serverKey, authMessage);
    }

    /** The storable form, for {@code hash-secret} and {@code tenants.X.scram_sha256}. */
    public String encoded() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    /**
     * PBKDF2-HMAC-SHA-256 written out (one 32-byte block): the JDK's PBEKeySpec takes chars, while SCRAM is defined
     * on the bytes. SCRAM asks for SASLprep of the password; tenant secrets are ASCII machine credentials, for which
     * SASLprep is the identity, so their UTF-8 bytes are used as they are (as PostgreSQL does for strings SASLprep
     * rejects).
     */
    private static byte[] saltedPassword(String secret, byte[] salt, int iterations) {
        byte[] password = secret.getBytes(StandardCharsets.UTF_8);
        if (password.length == 0) {
            throw new IllegalArgumentException("an empty secret cannot have a SCRAM verifier");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(password, "HmacSHA256"));
            mac.update(salt);
            byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "ScramVerifier[redacted]";
    }
}

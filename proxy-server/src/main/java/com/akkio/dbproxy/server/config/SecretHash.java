package com.akkio.dbproxy.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A tenant secret stored as {@code sha256:<salt>:<digest>} (both base64), the digest being SHA-256 of salt then
 * secret. Tenant secrets are long random machine credentials, not passwords people choose, so one salted hash is
 * enough and keeps the per-request check in the microseconds; comparison is constant-time.
 */
public final class SecretHash {
    private static final String PREFIX = "sha256:";
    private final byte[] salt;
    private final byte[] digest;

    private SecretHash(byte[] salt, byte[] digest) {
        this.salt = salt;
        this.digest = digest;
    }

    public static SecretHash parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("must look like sha256:<salt>:<digest> (make one with"
                    + " `akkio-proxy hash-secret`)");
        }
        String[] parts = text.substring(PREFIX.length()).split(":", -1);
        try {
            if (parts.length == 2) {
                byte[] salt = Base64.getDecoder().decode(parts[0]);
                byte[] digest = Base64.getDecoder().decode(parts[1]);
                if (salt.length >= 8 && digest.length == 32) {
                    return new SecretHash(salt, digest);
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message below, which does not echo the value
        }
        throw new IllegalArgumentException("must look like sha256:<salt>:<digest> with a salt of at least 8 bytes"
                + " and a 32-byte digest, base64-encoded");
    }

    public static SecretHash create(String secret) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new SecretHash(salt, digest(salt, secret));
    }

    public boolean matches(String secret) {
        return secret != null && MessageDigest.isEqual(digest, digest(salt, secret));
    }

    private static byte[] digest(byte[] salt, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The storable form, for {@code hash-secret}. */
    public String encoded() {
        return PREFIX + Base64.getEncoder().encodeToString(salt) + ":" + Base64.getEncoder().encodeToString(digest);
    }

    @Override
    public String toString() {
        return "SecretHash[redacted]";
    }
}

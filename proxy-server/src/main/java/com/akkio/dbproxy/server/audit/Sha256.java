package com.akkio.dbproxy.server.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex SHA-256 of SQL text as received, UTF-8: what the audit log records instead of the text itself. */
public final class Sha256 {
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    });

    private Sha256() {
    }

    public static String hex(String text) {
        if (text == null) {
            return null;
        }
        return HexFormat.of().formatHex(DIGEST.get().digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}

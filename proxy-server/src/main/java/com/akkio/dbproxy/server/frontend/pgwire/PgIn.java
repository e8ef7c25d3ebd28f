package com.akkio.dbproxy.server.frontend.pgwire;

import java.nio.charset.StandardCharsets;

/** Reads the body of one frontend message; running past its end is a protocol violation. */
final class PgIn {
    private final byte[] body;
    private int pos;

    PgIn(byte[] body) {
        this.body = body;
    }

    int int8() {
        need(1);
        return body[pos++] & 0xff;
    }

    int int16() {
        need(2);
        int v = ((body[pos] & 0xff) << 8) | (body[pos + 1] & 0xff);
        pos += 2;
        return (short) v;
    }

    int int32() {
        need(4);
        int v = ((body[pos] & 0xff) << 24) | ((body[pos + 1] & 0xff) << 16) | ((body[pos + 2] & 0xff) << 8)
                | (body[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    String cstring() {
        int end = pos;
        while (end < body.length && body[end] != 0) {
            end++;
        }
        if (end >= body.length) {
            throw new ProtocolViolation("unterminated string in message");
        }
        String s = new String(body, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return s;
    }

    byte[] bytes(int n) {
        if (n < 0) {
            throw new ProtocolViolation("negative length in message");
        }
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(body, pos, pos + n);
        pos += n;
        return out;
    }

    byte[] rest() {
        return bytes(body.length - pos);
    }

    boolean hasMore() {
        return pos < body.length;
    }

    private void need(int n) {
        if (body.length - pos < n) {
            throw new ProtocolViolation("message shorter than its contents");
        }
    }

    /** A malformed message: the connection is closed after an ErrorResponse with SQLState 08P01. */
    static final class ProtocolViolation extends RuntimeException {
        ProtocolViolation(String message) {
            super(message, null, false, false);
        }
    }
}

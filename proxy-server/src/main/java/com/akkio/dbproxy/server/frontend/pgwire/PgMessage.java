package com.akkio.dbproxy.server.frontend.pgwire;

import com.akkio.dbproxy.server.errors.ErrorCode;

import java.util.List;
import java.util.Map;

/**
 * One frontend message as {@link PgDecoder} hands it over, its body already read into fields: the rest of the front
 * end never parses bytes. The untyped packets of the startup phase come first, then the typed messages of protocol
 * 3.0, then what the decoder could not read. A body that does not hold what its type says is {@link Malformed} rather
 * than an exception, so that the session decides what it costs (nothing while skipping to Sync, the connection
 * otherwise).
 */
sealed interface PgMessage {
    // ------------------------------------------------------------------ untyped packets of the startup phase

    /**
     * StartupMessage: the protocol version (major in the high 16 bits, minor in the low) and, for protocol 3, the
     * parameters, less the protocol options ({@code _pq_.*}) the proxy does not support, which are listed apart.
     */
    record Startup(int protocol, Map<String, String> parameters, List<String> unsupportedOptions)
            implements PgMessage {
        int major() {
            return protocol >>> 16;
        }

        int minor() {
            return protocol & 0xffff;
        }
    }

    /** SSLRequest. */
    record SslRequest() implements PgMessage {
    }

    /** GSSENCRequest. */
    record GssEncRequest() implements PgMessage {
    }

    /** CancelRequest, on a connection of its own: the process id and secret key of the session to cancel. */
    record CancelRequest(int pid, int secretKey) implements PgMessage {
    }

    // ------------------------------------------------------------------ typed messages

    /**
     * PasswordMessage, SASLInitialResponse or SASLResponse ('p'): which one depends on where the login exchange is,
     * so {@link PgLogin} reads the body.
     */
    record Password(byte[] body) implements PgMessage {
    }

    /** Query ('Q'): simple query protocol. */
    record Query(String sql) implements PgMessage {
    }

    /** Parse ('P'); a parameter type 0 is left to the backend. */
    record Parse(String name, String sql, int[] parameterOids) implements PgMessage {
    }

    /** Bind ('B'); a null value is SQL NULL; format codes are checked to be 0 (text) or 1 (binary). */
    record Bind(String portal, String statement, short[] parameterFormats, byte[][] values, short[] resultFormats)
            implements PgMessage {
    }

    /** Describe ('D') of a prepared statement or a portal. */
    record Describe(Target target, String name) implements PgMessage {
    }

    /** Execute ('E'); {@code maxRows} 0 or less means all rows. */
    record Execute(String portal, int maxRows) implements PgMessage {
    }

    /** Close ('C') of a prepared statement or a portal. */
    record Close(Target target, String name) implements PgMessage {
    }

    /** Sync ('S'). */
    record Sync() implements PgMessage {
    }

    /** Flush ('H'). */
    record Flush() implements PgMessage {
    }

    /** Terminate ('X'). */
    record Terminate() implements PgMessage {
    }

    /**
     * A message of the COPY sub-protocol: CopyData ('d', {@code data} its bytes), CopyDone ('c') or CopyFail ('f',
     * {@code data} its message).
     */
    record Copy(char type, byte[] data) implements PgMessage {
        /** CopyFail's message. */
        String failure() {
            int end = 0;
            while (end < data.length && data[end] != 0) {
                end++;
            }
            return new String(data, 0, end, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** FunctionCall ('F'). */
    record FunctionCall() implements PgMessage {
    }

    /** A message type protocol 3.0 does not have for a frontend. */
    record Unknown(char type) implements PgMessage {
    }

    // ------------------------------------------------------------------ what could not be read

    /** A body that does not hold what its type says, of a startup packet or of a typed message. */
    record Malformed(boolean startupPacket, String reason) implements PgMessage {
    }

    /**
     * Bytes that cannot be split into messages: a length out of range, or over the limit. The decoder reads nothing
     * after it.
     */
    record Unframeable(ErrorCode code, String detail) implements PgMessage {
    }

    /** What Describe and Close name. */
    enum Target {
        /** 'S'. */
        STATEMENT,
        /** 'P'. */
        PORTAL
    }
}

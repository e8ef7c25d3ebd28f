package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.akkio.dbproxy.server.errors.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Splits the byte stream into frontend messages and reads each body into a {@link PgMessage}: the one place bytes
 * from the client are parsed. Until the session is authenticated a message may be an untyped startup packet (length,
 * then a request code: protocol version, SSLRequest, GSSENCRequest, CancelRequest); after it, every message is typed.
 * A message longer than the limit is never buffered: the decoder reports it and stops.
 */
final class PgDecoder extends ByteToMessageDecoder {
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;
    static final int PROTOCOL_3 = 196608;
    /** PostgreSQL's own limit for startup packets. */
    private static final int MAX_STARTUP_LENGTH = 10_000;

    private final int maxMessageBytes;
    private volatile boolean startupPhase = true;
    private boolean broken;

    PgDecoder(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Called once the StartupMessage has been read: from then on all messages are typed. */
    void typed() {
        startupPhase = false;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (startupPhase) {
            if (in.readableBytes() < 8) {
                return;
            }
            int length = in.getInt(in.readerIndex());
            if (length < 8 || length > MAX_STARTUP_LENGTH) {
                refuse(in, out, ErrorCode.INVALID_MESSAGE_LENGTH, "invalid startup packet length " + length);
                return;
            }
            if (in.readableBytes() < length) {
                return;
            }
            in.skipBytes(4);
            int code = in.readInt();
            byte[] body = new byte[length - 8];
            in.readBytes(body);
            out.add(startupPacket(code, body));
            return;
        }
        if (in.readableBytes() < 5) {
            return;
        }
        char type = (char) in.getUnsignedByte(in.readerIndex());
        int length = in.getInt(in.readerIndex() + 1);
        if (length < 4) {
            refuse(in, out, ErrorCode.INVALID_MESSAGE_LENGTH, "invalid message length " + length);
            return;
        }
        if (length - 4 > maxMessageBytes) {
            refuse(in, out, ErrorCode.MESSAGE_TOO_LARGE, "a message of " + (length - 4) + " bytes exceeds "
                    + maxMessageBytes + " (rule: server.max_request_bytes)");
            return;
        }
        if (in.readableBytes() < length + 1) {
            return;
        }
        in.skipBytes(5);
        byte[] body = new byte[length - 4];
        in.readBytes(body);
        out.add(typedMessage(type, body));
    }

    /**
     * After SSLRequest the client must wait for the answer: bytes already buffered were sent in plaintext before
     * the handshake and could have been injected (CVE-2021-23214), so they end the connection.
     */
    void checkNothingBuffered() {
        if (actualReadableBytes() > 0) {
            broken = true;
            throw new PgIn.ProtocolViolation("received unencrypted data after SSL request");
        }
    }

    private void refuse(ByteBuf in, List<Object> out, ErrorCode code, String detail) {
        broken = true;
        in.skipBytes(in.readableBytes());
        out.add(new PgMessage.Unframeable(code, detail));
    }

    // ------------------------------------------------------------------ bodies

    /**
     * A startup packet. A CancelRequest too short for its key throws: the connection closes without an answer, as
     * PostgreSQL's does. The parameters are read for protocol 3 only (the session refuses any other).
     */
    static PgMessage startupPacket(int code, byte[] body) {
        switch (code) {
            case SSL_REQUEST:
                return new PgMessage.SslRequest();
            case GSSENC_REQUEST:
                return new PgMessage.GssEncRequest();
            case CANCEL_REQUEST:
                PgIn key = new PgIn(body);
                return new PgMessage.CancelRequest(key.int32(), key.int32());
            default:
                break;
        }
        if (code >>> 16 != 3) {
            return new PgMessage.Startup(code, Map.of(), List.of());
        }
        try {
            PgIn in = new PgIn(body);
            Map<String, String> parameters = new HashMap<>();
            List<String> unsupportedOptions = new ArrayList<>();
            while (in.hasMore()) {
                String name = in.cstring();
                if (name.isEmpty()) {
                    break;
                }
                String value = in.cstring();
                if (name.startsWith("_pq_.")) {
                    unsupportedOptions.add(name);
                } else {
                    parameters.put(name, value);
                }
            }
            return new PgMessage.Startup(code, Map.copyOf(parameters), List.copyOf(unsupportedOptions));
        } catch (PgIn.ProtocolViolation e) {
            return new PgMessage.Malformed(true, e.getMessage());
        }
    }

    /** A typed message; fields are read in the order they come, as far as the body holds them. */
    static PgMessage typedMessage(char type, byte[] body) {
        PgIn in = new PgIn(body);
        try {
            return switch (type) {
                case 'p' -> new PgMessage.Password(body);
                case 'Q' -> new PgMessage.Query(in.cstring());
                case 'P' -> parse(in);
                case 'B' -> bind(in);
                case 'D' -> new PgMessage.Describe(target(in, "describe"), in.cstring());
                case 'E' -> new PgMessage.Execute(in.cstring(), in.int32());
                case 'C' -> new PgMessage.Close(target(in, "close"), in.cstring());
                case 'S' -> new PgMessage.Sync();
                case 'H' -> new PgMessage.Flush();
                case 'X' -> new PgMessage.Terminate();
                case 'd', 'c', 'f' -> new PgMessage.Copy(type, body);
                case 'F' -> new PgMessage.FunctionCall();
                default -> new PgMessage.Unknown(type);
            };
        } catch (PgIn.ProtocolViolation e) {
            return new PgMessage.Malformed(false, e.getMessage());
        }
    }

    private static PgMessage.Parse parse(PgIn in) {
        String name = in.cstring();
        String sql = in.cstring();
        int[] oids = new int[Math.max(0, in.int16())];
        for (int i = 0; i < oids.length; i++) {
            oids[i] = in.int32();
        }
        return new PgMessage.Parse(name, sql, oids);
    }

    private static PgMessage.Bind bind(PgIn in) {
        String portal = in.cstring();
        String statement = in.cstring();
        short[] formats = formatCodes(in);
        byte[][] values = new byte[Math.max(0, in.int16())][];
        for (int i = 0; i < values.length; i++) {
            int length = in.int32();
            values[i] = length < 0 ? null : in.bytes(length);
        }
        return new PgMessage.Bind(portal, statement, formats, values, formatCodes(in));
    }

    private static short[] formatCodes(PgIn in) {
        short[] out = new short[Math.max(0, in.int16())];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) in.int16();
            if (out[i] != 0 && out[i] != 1) {
                throw new PgIn.ProtocolViolation("format code " + out[i]);
            }
        }
        return out;
    }

    /** The kind byte of Describe and Close; the name after it is read before an unknown kind is reported. */
    private static PgMessage.Target target(PgIn in, String message) {
        char kind = (char) in.int8();
        if (kind == 'S') {
            return PgMessage.Target.STATEMENT;
        }
        if (kind == 'P') {
            return PgMessage.Target.PORTAL;
        }
        in.cstring();
        throw new PgIn.ProtocolViolation(message + " of '" + kind + "'");
    }
}

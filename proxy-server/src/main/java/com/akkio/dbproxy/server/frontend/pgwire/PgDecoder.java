package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Splits the byte stream into frontend messages. Until the session is authenticated a message may be an untyped
 * startup packet (length, then a request code: protocol version, SSLRequest, GSSENCRequest, CancelRequest); after it,
 * every message is typed. A message longer than the limit is never buffered: the decoder reports it and stops.
 */
final class PgDecoder extends ByteToMessageDecoder {
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;
    static final int PROTOCOL_3 = 196608;
    /** PostgreSQL's own limit for startup packets. */
    private static final int MAX_STARTUP_LENGTH = 10_000;

    /** An untyped packet of the startup phase. */
    record Startup(int code, byte[] body) {
    }

    /** A typed message. */
    record Message(char type, byte[] body) {
    }

    /** A message over the size limit, or bytes where none may be (plaintext buffered behind an SSLRequest). */
    record Refused(String sqlState, String reason) {
    }

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
                refuse(in, out, "08P01", "invalid startup packet length " + length);
                return;
            }
            if (in.readableBytes() < length) {
                return;
            }
            in.skipBytes(4);
            int code = in.readInt();
            byte[] body = new byte[length - 8];
            in.readBytes(body);
            out.add(new Startup(code, body));
            return;
        }
        if (in.readableBytes() < 5) {
            return;
        }
        char type = (char) in.getUnsignedByte(in.readerIndex());
        int length = in.getInt(in.readerIndex() + 1);
        if (length < 4) {
            refuse(in, out, "08P01", "invalid message length " + length);
            return;
        }
        if (length - 4 > maxMessageBytes) {
            refuse(in, out, "54000", "MESSAGE_TOO_LARGE: a message of " + (length - 4) + " bytes exceeds "
                    + maxMessageBytes + " (rule: server.max_request_bytes)");
            return;
        }
        if (in.readableBytes() < length + 1) {
            return;
        }
        in.skipBytes(5);
        byte[] body = new byte[length - 4];
        in.readBytes(body);
        out.add(new Message(type, body));
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

    private void refuse(ByteBuf in, List<Object> out, String sqlState, String reason) {
        broken = true;
        in.skipBytes(in.readableBytes());
        out.add(new Refused(sqlState, reason));
    }
}

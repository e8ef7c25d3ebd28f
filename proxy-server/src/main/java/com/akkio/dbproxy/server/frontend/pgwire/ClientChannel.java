package com.akkio.dbproxy.server.frontend.pgwire;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * The client's end of one connection as the session writes to it: backend messages queued and flushed, and, while the
 * client does not keep up with a result, a wait for the socket to drain. Written only from the session's serial
 * executor.
 */
final class ClientChannel {
    private final Channel channel;
    private final Duration idleTimeout;
    private ChannelFuture lastWrite;

    ClientChannel(Channel channel, Duration idleTimeout) {
        this.channel = channel;
        this.idleTimeout = idleTimeout;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    void write(ByteBuf buf) {
        lastWrite = channel.write(buf);
    }

    /** A message of its type byte alone (ParseComplete, BindComplete, NoData, PortalSuspended, ...). */
    void writeEmpty(char type) {
        write(PgOut.empty(channel.alloc(), type));
    }

    void commandComplete(String tag) {
        write(PgOut.commandComplete(channel.alloc(), tag));
    }

    void flush() {
        channel.flush();
    }

    /**
     * Flushes, and while the client does not keep up waits for the socket to drain: a result streams at the pace the
     * client reads it instead of piling up in memory. A client that stops reading is disconnected after the idle
     * timeout.
     */
    void flushAndWait() {
        channel.flush();
        if (!channel.isWritable() && lastWrite != null
                && !lastWrite.awaitUninterruptibly(idleTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            channel.close();
            throw ProxyError.of(ErrorCode.CLIENT_GONE, "the client stopped reading results");
        }
    }

    /** Throws when the client has gone: a result being streamed is for nobody. */
    void checkOpen() {
        if (!channel.isActive()) {
            throw ProxyError.of(ErrorCode.CLIENT_GONE, "the client closed the connection");
        }
    }

    void readyForQuery(TransactionState state) {
        write(PgOut.readyForQuery(channel.alloc(), state.status));
        channel.flush();
    }

    /** An ErrorResponse; the session goes on. */
    void error(String sqlState, String message) {
        write(PgOut.notice(channel.alloc(), 'E', "ERROR", sqlState, message));
    }

    void warning(String sqlState, String message) {
        write(PgOut.notice(channel.alloc(), 'N', "WARNING", sqlState, message));
    }

    /** A FATAL ErrorResponse, after which the connection closes. */
    void fatal(String sqlState, String message) {
        write(PgOut.notice(channel.alloc(), 'E', "FATAL", sqlState, message));
        channel.flush();
        lastWrite.addListener(f -> channel.close());
    }

    /** The client's IP address, for the audit log and the caller of the governed connection. */
    String address() {
        return channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
                : String.valueOf(channel.remoteAddress());
    }
}

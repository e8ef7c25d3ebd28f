package com.akkio.dbproxy.server.frontend.pgwire;

import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.governed.ProxyError;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL client connection, as a Netty handler: its lifecycle (authentication and idle timeouts, TLS on
 * SSLRequest, CancelRequest, the client going away), back-pressure on a client that pipelines faster than statements
 * run, and the dispatch of each {@link PgMessage} to the part that answers it: {@link PgStartup} until the client is
 * logged in, then {@link SimpleQuery}, {@link ExtendedQuery} and their helpers, every statement run through the
 * governed connection of the authenticated tenant ({@link GovernedCalls}), exactly as an Avatica client's would be.
 * Errors end here: an ErrorResponse (and, in the extended protocol, a skip to Sync) or a FATAL one that ends the
 * connection. Netty's event loop only decodes and hands messages over; everything else runs in order on the
 * connection's {@link SerialExecutor}, so the backend never blocks an event loop.
 */
final class PgConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PgConnection.class);
    private static final long AUTHENTICATION_TIMEOUT_SECONDS = 60;

    private final PgServer server;
    private final PgDecoder decoder;
    private final SerialExecutor executor;
    final int pid;
    final int secretKey;
    // -- set when the channel becomes active
    private Channel channel;
    private ClientChannel client;
    private PgStartup startup;

    // -- set at login; touched only by tasks on the serial executor (calls also by cancel, from any thread)
    private volatile GovernedCalls calls;
    private Transaction transaction;
    private SimpleQuery simple;
    private ExtendedQuery extended;
    private CopyFromStdin copy;

    // -- the connection's state, touched only by tasks on the serial executor (busy read by the event loop)
    private boolean closed;
    private boolean skipToSync;
    private volatile boolean busy;

    PgConnection(PgServer server, PgDecoder decoder, int pid, int secretKey) {
        this.server = server;
        this.decoder = decoder;
        this.executor = new SerialExecutor(server.workers());
        this.pid = pid;
        this.secretKey = secretKey;
    }

    // ================================================================== Netty side (event loop)

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        client = new ClientChannel(channel, server.idleTimeout());
        startup = new PgStartup(server, decoder, client, this::fatal);
        // as PostgreSQL's authentication_timeout: a connection that does not log in soon holds nothing for long
        ctx.executor().schedule(() -> {
            if (calls == null && channel.isActive()) {
                executor.execute(() -> {
                    if (calls == null && !closed) {
                        fatal(ProxyError.of(ErrorCode.AUTHENTICATION_TIMEOUT, "no login within "
                                + AUTHENTICATION_TIMEOUT_SECONDS + " s"));
                    }
                });
            }
        }, AUTHENTICATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PgMessage.SslRequest) {
            sslRequest(ctx);
        } else if (msg instanceof PgMessage.GssEncRequest) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        } else if (msg instanceof PgMessage.CancelRequest c) {
            server.cancel(c.pid(), c.secretKey());
            ctx.close();
        } else {
            executor.execute(() -> handle((PgMessage) msg));
            if (executor.pending() > 256) {
                // a client pipelining faster than statements run waits instead of filling the heap
                channel.config().setAutoRead(false);
            }
        }
    }

    private void sslRequest(ChannelHandlerContext ctx) {
        if (startup.isEncrypted() || server.sslContext() == null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            return;
        }
        try {
            decoder.checkNothingBuffered();
        } catch (PgIn.ProtocolViolation e) {
            ctx.close();
            return;
        }
        startup.encrypted();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
        ctx.pipeline().addFirst("tls", server.sslContext().newHandler(ctx.alloc()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.forget(this);
        if (busy) {
            cancel(); // the running statement is for nobody now
        }
        executor.execute(this::closeSession);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !busy) {
            executor.execute(() -> fatal(ProxyError.of(ErrorCode.IDLE_TIMEOUT, "connection idle for longer than"
                    + " server.idle_connection_timeout_seconds")));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("PostgreSQL connection failed", cause);
        ctx.close();
    }

    /** A CancelRequest naming this connection: stop the running statement, as PostgreSQL does, if there is one. */
    void cancel() {
        GovernedCalls c = calls;
        if (c != null) {
            c.cancel(busy);
        }
    }

    // ================================================================== session side (serial executor)

    private void handle(PgMessage msg) {
        if (closed) {
            return;
        }
        busy = true;
        try {
            if (msg instanceof PgMessage.Unframeable u) {
                fatal(ProxyError.of(u.code(), u.detail()));
            } else if (calls == null || msg instanceof PgMessage.Startup
                    || msg instanceof PgMessage.Malformed m && m.startupPacket()) {
                // a startup packet read before the decoder switched to typed messages is refused there as a second one
                PgStartup.Login login = startup.accept(msg);
                if (login != null) {
                    loggedIn(login);
                }
            } else {
                message(msg);
            }
        } catch (PgIn.ProtocolViolation e) {
            fatal(ProxyError.of(ErrorCode.PROTOCOL_VIOLATION, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("unexpected failure in a PostgreSQL session of tenant {}", startup.tenant(), e);
            fatal(ProxyError.of(ErrorCode.INTERNAL_ERROR, "the proxy failed to handle the message"));
        } finally {
            busy = false;
            if (!channel.config().isAutoRead() && executor.pending() < 64) {
                channel.config().setAutoRead(true);
            }
        }
    }

    /** Sets up the session's parts on its governed connection, then tells the client its settings and key. */
    private void loggedIn(PgStartup.Login login) {
        calls = new GovernedCalls(login.connection(), login.tenant(), server.cancelExecutor(), server.catalogs());
        server.register(this);
        transaction = new Transaction();
        SqlCursors cursors = new SqlCursors(client, calls, transaction);
        LocalStatements locals = new LocalStatements(client, calls, transaction, cursors,
                () -> server.tenants().get(login.tenant()).policy(), login.applicationName(),
                login.policy().defaultSchema());
        extended = new ExtendedQuery(client, calls, transaction, locals, cursors);
        copy = new CopyFromStdin(client, calls, transaction);
        simple = new SimpleQuery(client, calls, transaction, locals, extended, copy);
        transaction.onEnd(extended::closeAllPortals);
        transaction.onEnd(cursors::closeTransactionScoped);
        locals.reportSettings();
        client.write(PgOut.parameterStatus(client.alloc(), "session_authorization", login.tenant()));
        client.write(PgOut.backendKeyData(client.alloc(), pid, secretKey));
        client.readyForQuery(transaction.state());
    }

    private void message(PgMessage msg) {
        if (copy.active() && copyMessage(msg)) {
            return;
        }
        if (msg instanceof PgMessage.Copy) {
            return; // outside a COPY (after it failed, say), PostgreSQL drops these too
        }
        if (skipToSync && !(msg instanceof PgMessage.Sync)) {
            return; // after an error in an extended-protocol batch, everything up to Sync is skipped
        }
        if (msg instanceof PgMessage.Query q) {
            try {
                simple.run(q.sql());
            } catch (ProxyError e) {
                error(e);
            }
            if (!copy.active()) {
                client.readyForQuery(transaction.state());
            }
            return;
        }
        try {
            if (msg instanceof PgMessage.Parse m) {
                extended.parse(m);
            } else if (msg instanceof PgMessage.Bind m) {
                extended.bind(m);
            } else if (msg instanceof PgMessage.Describe m) {
                extended.describe(m);
            } else if (msg instanceof PgMessage.Execute m) {
                extended.execute(m);
            } else if (msg instanceof PgMessage.Close m) {
                extended.close(m);
            } else if (msg instanceof PgMessage.Sync) {
                skipToSync = false;
                extended.sync();
                client.readyForQuery(transaction.state());
            } else if (msg instanceof PgMessage.Flush) {
                client.flush();
            } else if (msg instanceof PgMessage.Terminate) {
                closeSession();
                channel.close();
            } else if (msg instanceof PgMessage.FunctionCall) {
                throw ProxyError.of(ErrorCode.NOT_SUPPORTED, "the function call protocol is not supported by the"
                        + " proxy");
            } else {
                throw unexpected(msg);
            }
        } catch (ProxyError e) {
            error(e);
            skipToSync = true;
        }
    }

    /**
     * A message while a COPY FROM STDIN waits for its data: true when it was the COPY's (data, done, fail, or a
     * Flush or Sync, which the protocol allows and which change nothing). Any other message fails the COPY, as in
     * PostgreSQL, and is then handled as usual.
     */
    private boolean copyMessage(PgMessage msg) {
        try {
            if (msg instanceof PgMessage.Copy c) {
                switch (c.type()) {
                    case 'd' -> copy.data(c.data());
                    case 'c' -> {
                        copy.done();
                        client.readyForQuery(transaction.state());
                    }
                    default -> copy.clientFailed(c.failure());
                }
                return true;
            }
            if (msg instanceof PgMessage.Flush || msg instanceof PgMessage.Sync) {
                return true;
            }
            copy.abandon();
            error(ProxyError.of(ErrorCode.PROTOCOL_VIOLATION, "unexpected message during COPY from stdin"));
            client.readyForQuery(transaction.state());
            return false;
        } catch (ProxyError e) {
            error(e);
            client.readyForQuery(transaction.state());
            return true;
        }
    }

    /** What a logged-in session does not take: a malformed body, or a type it has no use for. */
    private static PgIn.ProtocolViolation unexpected(PgMessage msg) {
        if (msg instanceof PgMessage.Malformed m) {
            return new PgIn.ProtocolViolation(m.reason());
        }
        if (msg instanceof PgMessage.Unknown u) {
            return new PgIn.ProtocolViolation("unknown message type '" + u.type() + "'");
        }
        if (msg instanceof PgMessage.Password) {
            return new PgIn.ProtocolViolation("unknown message type 'p'"); // no password is asked for any more
        }
        throw new IllegalStateException("not a message of a logged-in session: " + msg);
    }

    /** An ErrorResponse; the session goes on, but a transaction block it happened in has failed. */
    private void error(ProxyError e) {
        transaction.failed();
        client.error(e.getSqlState(), e.getMessage());
    }

    /** A FATAL error ends the connection. */
    private void fatal(ProxyError e) {
        client.fatal(e.getSqlState(), e.getMessage());
        closeSession();
    }

    private void closeSession() {
        if (closed) {
            return;
        }
        closed = true;
        server.forget(this);
        if (copy != null) {
            copy.abandon();
        }
        GovernedCalls c = calls;
        if (c != null) {
            c.close();
        }
    }
}

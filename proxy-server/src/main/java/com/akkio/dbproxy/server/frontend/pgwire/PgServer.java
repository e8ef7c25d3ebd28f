package com.akkio.dbproxy.server.frontend.pgwire;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;

import com.akkio.dbproxy.server.governed.Gateway;
import com.akkio.dbproxy.server.governed.Logins;
import com.akkio.dbproxy.server.config.ListenException;
import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.config.ScramVerifier;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL wire-protocol front end: a Netty server on {@code server.host} and {@code server.postgres.port}
 * whose connections open governed connections through the same {@link Gateway} as the Avatica endpoint, so
 * authentication, policy, rewriting, limits and audit are the same code for both.
 */
public final class PgServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PgServer.class);

    private final Gateway gateway;
    private final Logins logins;
    private final SslContext sslContext;
    private final Duration idleTimeout;
    private final EventLoopGroup boss = new NioEventLoopGroup(1, daemon("akkio-pg-accept"));
    private final EventLoopGroup loops = new NioEventLoopGroup(2, daemon("akkio-pg-io"));
    private final ThreadPoolExecutor workers;
    private final ExecutorService cancels = Executors.newSingleThreadExecutor(daemon("akkio-pg-cancel"));
    private final Map<Integer, PgConnection> sessions = new ConcurrentHashMap<>();
    /** Every tenant's governed catalog, shared by its sessions. */
    private final TenantCatalogs catalogs = new TenantCatalogs();
    private final SecureRandom random = new SecureRandom();
    private final ScramVerifier decoyVerifier = ScramVerifier.create("decoy-" + System.nanoTime());
    private volatile Map<String, ProxyConfig.Tenant> tenants;
    private Channel listener;

    private PgServer(Gateway gateway, Map<String, ProxyConfig.Tenant> tenants,
                     Logins logins, SslContext sslContext, Duration idleTimeout,
                     int workerThreads) {
        this.gateway = gateway;
        this.tenants = Map.copyOf(tenants);
        this.logins = logins;
        this.sslContext = sslContext;
        this.idleTimeout = idleTimeout;
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("akkio-pg-worker"));
        this.workers.allowCoreThreadTimeOut(true);
    }

    /** Binds the listener; the caller closes the server. */
    public static PgServer start(ProxyConfig.Server config, Map<String, ProxyConfig.Tenant> tenants, Gateway gateway,
                                 Logins logins)
            throws IOException, GeneralSecurityException {
        ProxyConfig.Postgres pg = config.postgres();
        PgServer server = new PgServer(gateway, tenants, logins, sslContext(config.tls()),
                config.idleConnectionTimeout(), pg.workerThreads());
        gateway.peers().listen(PEER_CANCEL, payload -> server.cancels.execute(() -> server.peerCancel(payload)));
        try {
            server.bind(config.host(), pg.port(), config.maxRequestBytes());
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind(String host, int port, int maxMessageBytes) throws IOException {
        long idleSeconds = idleTimeout.toSeconds();
        ServerBootstrap b = new ServerBootstrap().group(boss, loops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        PgDecoder decoder = new PgDecoder(maxMessageBytes);
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS))
                                .addLast("decoder", decoder)
                                .addLast("session", new PgConnection(PgServer.this, decoder, newPid(),
                                        random.nextInt()));
                    }
                });
        try {
            listener = b.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + host + ":" + port, e);
        } catch (RuntimeException e) {
            throw new ListenException(host, port, "server.postgres.port", e);
        }
        LOG.info("PostgreSQL front end listening on {}:{}{}", host, port(), sslContext == null ? ""
                : " (TLS on SSLRequest)");
    }

    private int newPid() {
        while (true) {
            int pid = random.nextInt(Integer.MAX_VALUE - 1) + 1;
            if (!sessions.containsKey(pid)) {
                return pid;
            }
        }
    }

    private static SslContext sslContext(ProxyConfig.Tls tls) throws IOException, GeneralSecurityException {
        if (tls == null) {
            return null;
        }
        KeyStore store = KeyStore.getInstance(tls.keystore().toString().endsWith(".jks") ? "JKS" : "PKCS12");
        char[] password = tls.keystorePassword().toCharArray();
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        return SslContextBuilder.forServer(kmf).build();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Swaps in reloaded tenants; sessions already open keep their tenant (the core applies the new policy). */
    public void tenants(Map<String, ProxyConfig.Tenant> updated) {
        this.tenants = Map.copyOf(updated);
    }

    Map<String, ProxyConfig.Tenant> tenants() {
        return tenants;
    }

    Gateway gateway() {
        return gateway;
    }

    SslContext sslContext() {
        return sslContext;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    ThreadPoolExecutor workers() {
        return workers;
    }

    ExecutorService cancelExecutor() {
        return cancels;
    }

    TenantCatalogs catalogs() {
        return catalogs;
    }

    ScramVerifier decoyVerifier() {
        return decoyVerifier;
    }

    Logins logins() {
        return logins;
    }

    void register(PgConnection session) {
        sessions.put(session.pid, session);
    }

    void forget(PgConnection session) {
        sessions.remove(session.pid, session);
    }

    /** Announcements of CancelRequests for sessions another replica of a cluster does not hold. */
    static final String PEER_CANCEL = "pg-cancel";

    /**
     * A CancelRequest: honoured only when the key matches the one the session was given. A process id this replica
     * did not give (a balancer sent the request to another replica than the session's) is announced to the other
     * replicas of a cluster, which check it the same way.
     */
    void cancel(int pid, int key) {
        PgConnection session = sessions.get(pid);
        if (session == null) {
            if (gateway.peers().present()) {
                gateway.peers().announce(PEER_CANCEL, pid + " " + key);
            }
        } else if (MessageDigest.isEqual(java.nio.ByteBuffer.allocate(4).putInt(key).array(),
                java.nio.ByteBuffer.allocate(4).putInt(session.secretKey).array())) {
            session.cancel();
        }
    }

    /** Another replica's announcement of a CancelRequest: honoured like one received here, never announced again. */
    private void peerCancel(String payload) {
        String[] parts = payload.split(" ");
        if (parts.length != 2) {
            return;
        }
        try {
            int pid = Integer.parseInt(parts[0]);
            int key = Integer.parseInt(parts[1]);
            PgConnection session = sessions.get(pid);
            if (session != null && MessageDigest.isEqual(java.nio.ByteBuffer.allocate(4).putInt(key).array(),
                    java.nio.ByteBuffer.allocate(4).putInt(session.secretKey).array())) {
                session.cancel();
            }
        } catch (NumberFormatException e) {
            // not a cancel this replica could have announced
        }
    }

    /** Stops accepting, closes client connections (their sessions close their governed connections), then the pools. */
    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cancels.shutdownNow();
        catalogs.close();
    }
}

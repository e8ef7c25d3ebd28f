package com.akkio.dbproxy.server.frontend.flight;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.governed.Gateway;
import com.akkio.dbproxy.server.governed.Logins;
import io.grpc.Context;
import io.grpc.netty.NettyServerBuilder;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Arrow Flight SQL front end: a Flight server on {@code server.host:server.flight.port}, with TLS from the same
 * keystore as the other front ends when {@code server.tls} is set. Every call is authenticated by {@link FlightLogin}
 * and served by {@link GovernedFlightProducer} from the governed core.
 */
public final class FlightSqlServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(FlightSqlServer.class);

    private final FlightServer server;
    private final BufferAllocator allocator;
    private final TenantMemory memory;
    private final FlightLogin login;
    private final BearerTokens tokens;
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService housekeeping;

    private FlightSqlServer(FlightServer server, BufferAllocator allocator, TenantMemory memory, FlightLogin login,
                            BearerTokens tokens, ThreadPoolExecutor executor, ScheduledExecutorService housekeeping) {
        this.server = server;
        this.allocator = allocator;
        this.memory = memory;
        this.login = login;
        this.tokens = tokens;
        this.executor = executor;
        this.housekeeping = housekeeping;
    }

    public static FlightSqlServer start(ProxyConfig.Server config, Map<String, ProxyConfig.Tenant> tenants,
                                        Gateway gateway, Logins logins) throws IOException, GeneralSecurityException {
        ProxyConfig.Flight flight = config.flight();
        BufferAllocator allocator = new RootAllocator();
        BearerTokens tokens = new BearerTokens(flight.tokenTtl());
        FlightLogin login = new FlightLogin(tenants, logins, tokens);
        TenantMemory memory = new TenantMemory(allocator, flight.tenantMemoryBytes(), flight.streamMemoryBytes());
        GovernedFlightProducer producer = new GovernedFlightProducer(gateway, allocator, memory);
        ThreadPoolExecutor executor = new ContextExecutor();
        Consumer<NettyServerBuilder> grpc = b -> b.intercept(login);
        FlightServer.Builder builder = FlightServer.builder(allocator, config.tls() == null
                        ? Location.forGrpcInsecure(config.host(), flight.port())
                        : Location.forGrpcTls(config.host(), flight.port()), producer)
                .executor(executor)
                .transportHint("grpc.builderConsumer", grpc);
        if (config.tls() != null) {
            Pem pem = Pem.of(config.tls());
            builder.useTls(pem.certificates(), pem.key());
        }
        FlightServer server = builder.build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            try {
                server.close();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
            memory.close();
            allocator.close();
            throw e;
        }
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "akkio-flight-housekeeping");
            t.setDaemon(true);
            return t;
        });
        long idleNanos = config.idleConnectionTimeout().toNanos();
        housekeeping.scheduleWithFixedDelay(() -> {
            tokens.sweep(null);
            producer.expire(idleNanos);
        }, 30, 30, TimeUnit.SECONDS);
        LOG.info("Flight SQL on {}://{}:{}", config.tls() == null ? "grpc+tcp" : "grpc+tls", config.host(),
                server.getPort());
        return new FlightSqlServer(server, allocator, memory, login, tokens, executor, housekeeping);
    }

    public int port() {
        return server.getPort();
    }

    /** What this front end's Arrow allocator holds (read-only: metrics, benchmarks). */
    public ArrowMemory memory() {
        return new ArrowMemory(allocator);
    }

    /** Applies a reloaded configuration: removed tenants' tokens are forgotten, their calls refused from now on. */
    public void tenants(Map<String, ProxyConfig.Tenant> updated) {
        login.tenants(updated);
    }

    /** Forgets every token of {@code tenant} (removed from the configuration). */
    public void logout(String tenant) {
        tokens.sweep(tenant);
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        try {
            server.close(); // waits up to about 6 s for running calls, cancelling them after 3 s
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("stopping the Flight SQL endpoint failed", e);
        }
        executor.shutdownNow();
        memory.close();
        try {
            allocator.close();
        } catch (IllegalStateException e) {
            LOG.warn("Arrow memory still held at shutdown: {}", e.getMessage());
        }
    }

    /**
     * Runs Flight's work (gRPC callbacks, DoPut, Handshake) with the gRPC context of the call that submitted it, so
     * that the authenticated caller travels with it.
     */
    private static final class ContextExecutor extends ThreadPoolExecutor {
        ContextExecutor() {
            super(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "akkio-flight");
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public void execute(Runnable command) {
            super.execute(Context.current().wrap(command));
        }
    }

    /** The keystore's key and certificate chain in PEM, the form Flight's TLS takes. */
    private record Pem(byte[] chain, byte[] privateKey) {
        static Pem of(ProxyConfig.Tls tls) throws IOException, GeneralSecurityException {
            KeyStore ks = KeyStore.getInstance(tls.keystore().toString().endsWith(".jks") ? "JKS" : "PKCS12");
            char[] password = tls.keystorePassword().toCharArray();
            try (InputStream in = java.nio.file.Files.newInputStream(tls.keystore())) {
                ks.load(in, password);
            }
            for (String alias : Collections.list(ks.aliases())) {
                Key key = ks.getKey(alias, password);
                if (key instanceof PrivateKey pk) {
                    StringBuilder chain = new StringBuilder();
                    for (Certificate c : ks.getCertificateChain(alias)) {
                        chain.append(pem("CERTIFICATE", c.getEncoded()));
                    }
                    return new Pem(chain.toString().getBytes(StandardCharsets.US_ASCII),
                            pem("PRIVATE KEY", pk.getEncoded()).getBytes(StandardCharsets.US_ASCII));
                }
            }
            throw new GeneralSecurityException("no private key in " + tls.keystore());
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }

        InputStream certificates() {
            return new ByteArrayInputStream(chain);
        }

        InputStream key() {
            return new ByteArrayInputStream(privateKey);
        }
    }
}

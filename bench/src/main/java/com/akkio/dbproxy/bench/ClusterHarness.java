package com.akkio.dbproxy.bench;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.config.ConfigLoader;

/**
 * What sharing tenant limits through Redis costs, in one run: the time a statement takes with its tenant's limits in
 * Redis against the same proxy with local limits (alternating rounds, one client each), and the throughput of three
 * replicas sharing limits against one replica, with the same number of clients. The replicas run in this JVM (one
 * machine, its cores shared by all of them: the figure says what the cores allow, not what three machines would do).
 * The tenant's limits are lifted (bench/conf): every statement pays the shared bucket's round trip, none is refused.
 *
 * <p>Usage (from the repository root, after building the bench module):
 * {@code java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.ClusterHarness [seconds per window]}
 */
public final class ClusterHarness {
    private static final int ROUNDS = 8;
    private static final int STATEMENTS_PER_ROUND = 1_000;
    private static final int CLIENTS = 12;

    private ClusterHarness() {
    }

    public static void main(String[] args) throws Exception {
        int windowSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        Path work = Files.createDirectories(Path.of("bench/target/cluster"));
        Process redis = startRedis(work);
        try {
            int redisPort = Integer.parseInt(Files.readString(work.resolve("redis.port")).trim());
            Path local = config(work, "local", null, 0);
            List<ProxyServer> shared = new ArrayList<>();
            try (ProxyServer alone = ProxyServer.start(ConfigLoader.load(local), 0)) {
                for (int i = 1; i <= 3; i++) {
                    shared.add(ProxyServer.start(ConfigLoader.load(config(work, "shared-" + i,
                            "redis://127.0.0.1:" + redisPort, i)), 0));
                }
                latency(alone, shared.get(0));
                throughput(alone, shared, windowSeconds);
            } finally {
                for (ProxyServer s : shared) {
                    s.close();
                }
            }
        } finally {
            redis.destroyForcibly().waitFor();
        }
    }

    private static void latency(ProxyServer local, ProxyServer shared) throws Exception {
        try (Connection l = connect(local.port()); Connection s = connect(shared.port())) {
            long[][] samples = new long[2][];
            List<Long> localNanos = new ArrayList<>();
            List<Long> sharedNanos = new ArrayList<>();
            for (int warm = 0; warm < 3; warm++) {
                round(l, STATEMENTS_PER_ROUND, new ArrayList<>());
                round(s, STATEMENTS_PER_ROUND, new ArrayList<>());
            }
            for (int r = 0; r < ROUNDS; r++) {
                // alternate who goes first, so drift on the machine lands on both
                if (r % 2 == 0) {
                    round(l, STATEMENTS_PER_ROUND, localNanos);
                    round(s, STATEMENTS_PER_ROUND, sharedNanos);
                } else {
                    round(s, STATEMENTS_PER_ROUND, sharedNanos);
                    round(l, STATEMENTS_PER_ROUND, localNanos);
                }
            }
            samples[0] = localNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            samples[1] = sharedNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("SELECT 1, one client, %d statements each:%n", samples[0].length);
            System.out.printf("  local limits   p50 %7.1f µs  p99 %7.1f µs%n", p(samples[0], 50), p(samples[0], 99));
            System.out.printf("  shared (Redis) p50 %7.1f µs  p99 %7.1f µs%n", p(samples[1], 50), p(samples[1], 99));
            System.out.printf("  added by sharing: p50 %+.1f µs (%.2f×), p99 %+.1f µs (%.2f×)%n",
                    p(samples[1], 50) - p(samples[0], 50), p(samples[1], 50) / p(samples[0], 50),
                    p(samples[1], 99) - p(samples[0], 99), p(samples[1], 99) / p(samples[0], 99));
        }
    }

    private static void throughput(ProxyServer alone, List<ProxyServer> replicas, int seconds) throws Exception {
        double[] one = new double[3];
        double[] three = new double[3];
        window(List.of(alone), 2); // warm-up
        window(replicas, 2);
        for (int w = 0; w < 3; w++) {
            one[w] = window(List.of(alone), seconds);
            three[w] = window(replicas, seconds);
        }
        Arrays.sort(one);
        Arrays.sort(three);
        System.out.printf("analytics query, %d clients, %d s windows (median of 3):%n", CLIENTS, seconds);
        System.out.printf("  one replica, local limits     %8.0f q/s%n", one[1]);
        System.out.printf("  three replicas, shared limits %8.0f q/s (%.2f×; %d cores shared by all)%n", three[1],
                three[1] / one[1], Runtime.getRuntime().availableProcessors());
    }

    /** Queries per second of CLIENTS clients spread over {@code servers} for {@code seconds}. */
    private static double window(List<ProxyServer> servers, int seconds) throws Exception {
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            connections.add(connect(servers.get(i % servers.size()).port()));
        }
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (Connection c : connections) {
            Thread t = new Thread(() -> {
                try (Statement st = c.createStatement()) {
                    while (System.nanoTime() < end) {
                        try (ResultSet rs = st.executeQuery(ServerLoadHarness.ANALYTICS)) {
                            while (rs.next()) {
                                rs.getLong(2);
                            }
                        }
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Connection c : connections) {
            c.close();
        }
        return done.get() / (double) seconds;
    }

    private static void round(Connection c, int statements, List<Long> into) throws Exception {
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < statements; i++) {
                long start = System.nanoTime();
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    rs.next();
                }
                into.add(System.nanoTime() - start);
            }
        }
    }

    private static double p(long[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)] / 1e3;
    }

    private static Connection connect(int port) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "acme");
        p.setProperty("password", "acme-secret");
        return DriverManager.getConnection("jdbc:akkio://127.0.0.1:" + port, p);
    }

    /** bench/conf/proxy.yaml with absolute paths, its own audit log, and a cluster section when {@code redis} is set. */
    private static Path config(Path work, String name, String redis, int replica) throws Exception {
        Path conf = Path.of("bench/conf").toAbsolutePath();
        String yaml = Files.readString(conf.resolve("proxy.yaml"))
                .replace("${AKKIO_BENCH_SERIALIZATION:-protobuf}", "protobuf")
                .replace("${AKKIO_BENCH_AUDIT_LOG:-../target/bench-audit.jsonl}",
                        work.toAbsolutePath().resolve(name + "-audit.jsonl").toString())
                .replace("seed: ../../conf/demo-seed.sql", "seed: " + conf.resolve("../../conf/demo-seed.sql")
                        .normalize())
                .replace("policy: policies/", "policy: " + conf.resolve("policies") + "/");
        if (redis != null) {
            yaml += "\ncluster:\n  replica_id: replica-" + replica + "\n  replicas: 3\n  redis: { uri: \"" + redis
                    + "\" }\n";
        }
        return Files.writeString(work.resolve(name + ".yaml"), yaml);
    }

    private static Process startRedis(Path work) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(work.resolve("redis.port"), Integer.toString(port));
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(work.resolve("redis.log").toFile()).start();
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return p;
            } catch (java.io.IOException e) {
                Thread.sleep(25);
            }
        }
        throw new IllegalStateException("redis-server did not start (bench/target/cluster/redis.log)");
    }
}

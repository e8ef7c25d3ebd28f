package com.akkio.dbproxy.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.akkio.dbproxy.server.ProxyServer;
import com.akkio.dbproxy.server.backend.DuckDbBackends;
import com.akkio.dbproxy.server.config.ConfigLoader;
import com.akkio.dbproxy.server.frontend.flight.ArrowMemory;
import com.sun.management.GarbageCollectionNotificationInfo;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.remote.Driver;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.HttpServer;
import org.duckdb.DuckDBConnection;

/**
 * One server under test, in a process of its own so that its memory can be measured apart from the clients:
 * {@code plain} (Avatica's {@code JdbcMeta} over the demo DuckDB, no policy, no authentication) or {@code proxy}
 * (this proxy with the configuration file given), over the serialization named by {@value #SERIALIZATION}. Prints
 * {@code PORT n m a} once listening (m: the PostgreSQL front end's port, a: the admin endpoint's, -1 for none), then
 * answers one line per
 * command on standard input:
 * <ul>
 *   <li>{@code live}: heap in use after two full collections, in bytes (what the server retains);</li>
 *   <li>{@code reset}: forget the peaks and sample memory from now on ({@link MemorySampler});</li>
 *   <li>{@code cpu}: CPU time the server's Java threads have used, in nanoseconds: what requests cost the server,
 *   which noise from other processes does not change (compiler and collector threads are not Java threads, so
 *   warm-up and heap size do not count);</li>
 *   <li>{@code process_cpu}: CPU time the whole process has used, in nanoseconds: beside the Java threads, the
 *   backend's own native threads (DuckDB's workers), the collector and the compilers;</li>
 *   <li>{@code jit}: milliseconds the JIT compilers have spent so far (a server whose figure stops growing under
 *   load runs compiled code: it is warm);</li>
 *   <li>{@code peak}: stops the sampling and answers, since {@code reset}: the largest heap in use right after any
 *   collection (retained memory at its worst, which a streaming server keeps bounded), the process's resident set
 *   size, the number of collections (0: the first figure says nothing), then {@link MemorySampler}'s peaks: heap
 *   occupied with garbage, direct memory (NIO pool and Netty's own), the Arrow allocator's bytes (-1: none), and
 *   the direct memory held at {@code reset}; all in bytes.</li>
 * </ul>
 * End of input stops the server.
 */
public final class BenchServer {
    /** Environment variable naming the wire serialization, read here and by {@code bench/conf/proxy.yaml}. */
    static final String SERIALIZATION = "AKKIO_BENCH_SERIALIZATION";
    /** Environment variable naming the proxy's audit log, relative to {@code bench/conf}; one per server process. */
    static final String AUDIT_LOG = "AKKIO_BENCH_AUDIT_LOG";
    private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();
    private static final AtomicLong COLLECTIONS = new AtomicLong();
    /** Thread id to the CPU nanoseconds it had used when last seen; only the command loop's thread uses it. */
    private static final Map<Long, Long> THREAD_CPU = new java.util.HashMap<>();

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        watchCollections();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        AutoCloseable server;
        int port;
        int postgresPort = -1;
        int adminPort = -1;
        int flightPort = -1;
        MemorySampler sampler;
        if (args[0].equals("plain")) {
            HttpServer plain = plainAvatica(Path.of("conf/demo-seed.sql"),
                    "json".equals(System.getenv(SERIALIZATION)) ? Driver.Serialization.JSON
                            : Driver.Serialization.PROTOBUF);
            server = plain::stop;
            port = plain.getPort();
            sampler = new MemorySampler(() -> -1);
        } else {
            ProxyServer proxy = ProxyServer.start(ConfigLoader.load(Path.of(args[1])), null);
            server = proxy;
            port = proxy.port();
            postgresPort = proxy.postgresPort();
            adminPort = proxy.adminPort();
            flightPort = proxy.flightPort();
            ArrowMemory arrow = proxy.flightMemory();
            sampler = new MemorySampler(arrow == null ? () -> -1 : arrow::allocatedBytes);
        }
        out.println("PORT " + port + " " + postgresPort + " " + adminPort + " " + flightPort);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line) {
                case "live" -> out.println(liveHeap());
                case "reset" -> {
                    PEAK_AFTER_GC.set(0);
                    COLLECTIONS.set(0);
                    sampler.start();
                    out.println("OK");
                }
                case "peak" -> {
                    long[] sampled = sampler.stop();
                    out.println(PEAK_AFTER_GC.get() + " " + residentBytes() + " " + COLLECTIONS.get() + " "
                            + sampled[0] + " " + sampled[1] + " " + sampled[2] + " " + sampled[3]);
                }
                case "cpu" -> out.println(javaThreadsCpu());
                case "process_cpu" -> out.println(((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
                case "jit" -> out.println(ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
                default -> out.println("ERROR unknown command " + line);
            }
        }
        server.close();
        // end now, whatever threads a library left behind: a JVM writing an AppCDS archive writes it at exit
        System.exit(0);
    }

    /** A plain Avatica server on the demo data: the baseline the proxy is compared with. */
    static HttpServer plainAvatica(Path seed, Driver.Serialization serialization) throws Exception {
        DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        DuckDbBackends.runScript(root, seed);
        JdbcMeta meta = new JdbcMeta("jdbc:duckdb:") {
            @Override
            protected Connection createConnection(String url, Properties info) throws SQLException {
                return root.duplicate();
            }
        };
        HttpServer server = new HttpServer.Builder<>().withHandler(new LocalService(meta), serialization)
                .withPort(0).build();
        server.start();
        return server;
    }

    /**
     * The sum over every Java thread seen so far of its CPU time when last seen: a thread that ended (a pool thread
     * retired after idling) keeps what it had used, so the figure never goes down between two commands.
     */
    private static long javaThreadsCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu > 0) {
                THREAD_CPU.put(id, cpu);
            }
        }
        return THREAD_CPU.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long liveHeap() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Records the heap in use after every collection (its high-water mark is what a request retained). */
    private static void watchCollections() {
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .forEach(p -> heapPools.add(p.getName()));
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(e.getKey())) {
                        used += e.getValue().getUsed();
                    }
                }
                PEAK_AFTER_GC.accumulateAndGet(used, Math::max);
                COLLECTIONS.incrementAndGet();
            }, null, null);
        }
    }

    private static long residentBytes() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}

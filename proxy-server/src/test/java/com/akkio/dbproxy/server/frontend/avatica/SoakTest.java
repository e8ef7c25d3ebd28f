package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.akkio.dbproxy.server.DemoProxy;
import com.akkio.dbproxy.server.LiveServerTest;
import com.akkio.dbproxy.server.SlowTest;
import com.akkio.dbproxy.server.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 64 clients of both tenants at once for a bounded time ({@code -Dakkio.soak.seconds=N}, 12 by default): every
 * statement either succeeds or is the denial it was written to provoke, no row carries another tenant's tag, the
 * audit log has one {@code complete} record per statement and one {@code forward} per forwarded one, and the heap
 * after a full GC has not grown (a leak check: the bound is generous on purpose).
 */
@LiveServerTest
@SlowTest
class SoakTest {
    private static final int CLIENTS = 64;
    private static final long HEAP_GROWTH_LIMIT = 64L << 20;

    /** What one client saw. */
    private static final class Tally {
        final AtomicLong statements = new AtomicLong();
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong rows = new AtomicLong();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    }

    @Test
    void sixtyFourClientsOfTwoTenantsLeakNothingAndLoseNothing(@TempDir Path dir) throws Exception {
        long seconds = Long.getLong("akkio.soak.seconds", 12);
        Tally warmup = new Tally();
        Tally tally = new Tally();
        long heapBefore;
        long heapAfter;
        long elapsedNanos;
        DemoProxy proxy = DemoProxy.builder().unthrottled().pool(pool -> new ProxyConfig.Pool(CLIENTS,
                pool.connectionTimeout(), pool.idleTimeout(), pool.maxLifetime(), pool.statementCacheSize()))
                .start(dir);
        try {
            // warm up both tenants' paths so that classes and pools are not counted as growth
            runClients(proxy, 4, System.nanoTime() + TimeUnit.SECONDS.toNanos(2), warmup);
            heapBefore = usedHeapAfterGc();
            long start = System.nanoTime();
            runClients(proxy, CLIENTS, start + TimeUnit.SECONDS.toNanos(seconds), tally);
            elapsedNanos = System.nanoTime() - start;
            heapAfter = usedHeapAfterGc();
        } finally {
            proxy.close();
        }
        double perSecond = tally.statements.get() / (elapsedNanos / 1e9);
        System.out.printf("soak: %d clients, %d s, %d statements (%.0f/s), %d forwarded, %d rows; used heap after GC"
                + " %d MiB at start, %d MiB at end%n", CLIENTS, seconds, tally.statements.get(), perSecond,
                tally.forwarded.get(), tally.rows.get(), heapBefore >> 20, heapAfter >> 20);

        assertThat(warmup.problems).as("unexpected errors and cross-tenant rows in the warm-up").isEmpty();
        assertThat(tally.problems).as("unexpected errors and cross-tenant rows").isEmpty();
        assertThat(tally.statements.get()).as("statements run").isGreaterThan(CLIENTS);

        // the log was closed with the proxy, so every record is in it, the warm-up's too
        List<String> audit = Files.readAllLines(proxy.auditLog);
        long complete = audit.stream().filter(l -> l.contains("\"event\":\"complete\"")).count();
        long forward = audit.stream().filter(l -> l.contains("\"event\":\"forward\"")).count();
        System.out.printf("soak audit: %d complete records for %d statements, %d forward records for %d forwarded%n",
                complete, warmup.statements.get() + tally.statements.get(), forward,
                warmup.forwarded.get() + tally.forwarded.get());
        assertThat(complete).as("one complete record per statement")
                .isEqualTo(warmup.statements.get() + tally.statements.get());
        assertThat(forward).as("one forward record per forwarded statement")
                .isEqualTo(warmup.forwarded.get() + tally.forwarded.get());
        assertThat(heapAfter - heapBefore).as("used heap growth after GC (bytes)").isLessThan(HEAP_GROWTH_LIMIT);
    }

    private static void runClients(DemoProxy proxy, int clients, long deadline, Tally tally) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            boolean acme = i % 2 == 0;
            long seed = i;
            futures.add(pool.submit(() -> {
                client(proxy, acme, deadline, new Random(seed), tally);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(120), TimeUnit.NANOSECONDS);
        }
        pool.shutdown();
    }

    /**
     * One client: a mix of reads of its own data (checked row by row for its tenant tag), a parameterised query, a
     * count with a known answer, and a read of the other tenant's table that must be denied. A fresh connection
     * every 40 statements, so connections open and close throughout.
     */
    private static void client(DemoProxy proxy, boolean acme, long deadline, Random random, Tally tally)
            throws SQLException {
        String tenant = acme ? "acme" : "globex";
        String other = acme ? "globex_prod" : "acme_prod";
        long orders = acme ? 1000 : 500;
        while (System.nanoTime() < deadline) {
            try (Connection c = acme ? proxy.acme() : proxy.globex()) {
                for (int n = 0; n < 40 && System.nanoTime() < deadline; n++) {
                    int kind = random.nextInt(10);
                    tally.statements.incrementAndGet();
                    try {
                        switch (kind) {
                            case 0 -> {
                                try (Statement s = c.createStatement()) {
                                    s.executeQuery("SELECT * FROM " + other + ".sales.orders").close();
                                    tally.problems.add(tenant + " read " + other + " without a denial");
                                } catch (SQLException e) {
                                    if (!"42501".equals(e.getSQLState())) {
                                        tally.problems.add(tenant + " denial came back as " + e.getSQLState()
                                                + ": " + e.getMessage());
                                    }
                                }
                            }
                            case 1, 2 -> {
                                tally.forwarded.incrementAndGet();
                                try (Statement s = c.createStatement();
                                     ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
                                    r.next();
                                    if (r.getLong(1) != orders) {
                                        tally.problems.add(tenant + " counted " + r.getLong(1) + " orders");
                                    }
                                }
                            }
                            case 3, 4 -> {
                                tally.forwarded.incrementAndGet();
                                try (PreparedStatement p = c.prepareStatement(
                                        "SELECT o.tenant_tag, c.tenant_tag FROM orders o JOIN customers c"
                                                + " USING (customer_id) WHERE o.order_id > ? LIMIT 100")) {
                                    p.setLong(1, random.nextInt(400));
                                    checkTags(p.executeQuery(), tenant, 2, tally);
                                }
                            }
                            default -> {
                                tally.forwarded.incrementAndGet();
                                try (Statement s = c.createStatement()) {
                                    checkTags(s.executeQuery("SELECT tenant_tag, order_id, amount FROM orders"
                                            + " ORDER BY order_id LIMIT " + (1 + random.nextInt(300))), tenant, 1,
                                            tally);
                                }
                            }
                        }
                    } catch (SQLException e) {
                        tally.problems.add(tenant + ": " + e.getSQLState() + " " + e.getMessage());
                    }
                }
            }
        }
    }

    private static void checkTags(ResultSet r, String tenant, int tagColumns, Tally tally) throws SQLException {
        try (r) {
            while (r.next()) {
                tally.rows.incrementAndGet();
                for (int i = 1; i <= tagColumns; i++) {
                    if (!tenant.equals(r.getString(i))) {
                        tally.problems.add(tenant + " received a row tagged " + r.getString(i));
                    }
                }
            }
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // a few rounds: finalizers and reference queues free more on the next
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}

package com.akkio.dbproxy.server.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.akkio.dbproxy.policy.Dialect;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.StatementKind;
import com.akkio.dbproxy.policy.TenantPolicy;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up's workload: until {@link SteadyState} finds the path warm, or its seconds have passed on a host that
 * was not busy ({@link Judge}), or its deadline, clients on 127.0.0.1 send what tenants send (the harness's
 * {@code SELECT 1} and analytics query, new literals and new shapes, prepared queries, a 5,000-row stream, metadata
 * calls, the demo's allowed and refused statements) through each front end of a private copy of the proxy, while
 * the policy engine decides the TPC-DS and analyst corpora. The JIT compiles code, not servers: what the copy makes
 * hot is hot for the real front ends too, while no tenant, audit log or limit of the real server ever sees a
 * statement.
 */
public final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    /** The private copy: its ports (-1 where a front end is off) and the login of its only tenant. */
    public record Loopback(int avaticaPort, boolean json, int postgresPort, int flightPort, String tenant,
                           String secret) {
    }

    /** Why a warm-up ended. */
    public enum Ending {
        JIT_QUIET("the JIT compilers fell quiet"),
        PLATEAU("SELECT 1 stopped getting faster and the JIT's queue drained"),
        SECONDS("its seconds passed on a quiet host"),
        MAX_SECONDS("max_seconds");

        private final String why;

        Ending(String why) {
            this.why = why;
        }

        /** As {@code /ready} and the log say it. */
        public String why() {
            return why;
        }
    }

    /**
     * What one warm-up did: rounds of about {@value #ROUND_MILLIS} ms, statements sent, its judgement at the end of its
     * seconds ({@link Judgement#NONE} if it ended before them or had one bound), and why it ended.
     */
    public record Report(int rounds, long statements, long refused, long decisions, Judgement atSeconds,
                         double seconds, Ending ending) {
    }

    /** At the end of its seconds: the statements sent by then, the host's load meanwhile, and whether it was busy. */
    public record Judgement(long statements, HostLoad.Share load, boolean busy) {
        public static final Judgement NONE = new Judgement(-1, HostLoad.Share.UNKNOWN, false);

        /** Made, on a host that was not busy: the warm-up ends at its seconds. */
        boolean quiet() {
            return statements >= 0 && !busy;
        }
    }

    /** Whether, at the end of its seconds, the host is too busy for the warm-up to end there. */
    @FunctionalInterface
    public interface Judge {
        /**
         * The host's load meanwhile ({@link HostLoad.Share#busy}), not the statements the warm-up's clients sent: a
         * quiet host that started without its AppCDS archive sent 2–3 by 2 s, a busy one 0–18 (bench/README).
         */
        Judge BUSY_HOST = HostLoad.Share::busy;

        boolean busy(HostLoad.Share load);
    }

    /** The harness's analytics query, in the demo's logical names. */
    static final String ANALYTICS = "SELECT c.country_code, count(*) AS n, sum(o.amount) AS total FROM"
            + " main.sales.orders o JOIN main.sales.customers c ON o.customer_id = c.customer_id"
            + " GROUP BY c.country_code ORDER BY total DESC";
    private static final String STREAM = "SELECT i AS id, i * 2 AS doubled, CAST(i AS VARCHAR) AS label,"
            + " i / 3.0 AS ratio, DATE '2020-01-01' + CAST(i % 1000 AS INTEGER) AS day FROM range(5000) AS t(i)";
    private static final String PREPARED = "SELECT order_id, amount, ordered_at, tenant_tag FROM main.sales.orders"
            + " WHERE customer_id = ?";
    static final long ROUND_MILLIS = 500;
    private static final int AVATICA_CLIENTS = 2;
    private static final int HOT_PER_CORPUS = 3;
    private static final int TIMEOUT_MILLIS = 10_000;

    private final Loopback target;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong literal = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    /** The fastest {@code SELECT 1} through the Avatica front end in the current round, in nanoseconds. */
    private final AtomicLong fastestProbe = new AtomicLong(Long.MAX_VALUE);

    private WarmUp(Loopback target) {
        this.target = target;
    }

    /**
     * Runs the workload against {@code target} until {@link SteadyState} finds the path warm, or until
     * {@code secondsNanos} ({@link System#nanoTime()}) unless {@link Judge#BUSY_HOST} finds the host busy then, or
     * until {@code deadlineNanos}. Throws what made a client fail outright (a refused statement is not a failure: the
     * corpus holds refused statements on purpose).
     */
    public static Report run(Loopback target, long secondsNanos, long deadlineNanos) throws Exception {
        return run(target, secondsNanos, deadlineNanos, Judge.BUSY_HOST);
    }

    /** The same with the judgement given (tests, in another package, make either one whatever the machine's load). */
    public static Report run(Loopback target, long secondsNanos, long deadlineNanos, Judge judge) throws Exception {
        return new WarmUp(target).drive(secondsNanos, deadlineNanos, judge);
    }

    private Report drive(long secondsNanos, long deadlineNanos, Judge judge) throws Exception {
        long start = System.nanoTime();
        HostLoad.Sample before = HostLoad.sample();
        // the host is read over half a second at least: where opening the copy took up all of its seconds (a host
        // busy enough for that is the one to judge), a judgement at once would read nothing and take it for quiet
        long judgeAt = Math.max(secondsNanos, start + TimeUnit.MILLISECONDS.toNanos(ROUND_MILLIS));
        List<Worker> workers = new ArrayList<>();
        workers.add(new PolicyWorker());
        for (int i = 0; i < AVATICA_CLIENTS; i++) {
            workers.add(new AvaticaWorker(i));
        }
        if (target.postgresPort() > 0) {
            workers.add(new PgWorker());
        }
        if (target.flightPort() > 0) {
            workers.add(new FlightWorker());
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers.size(), r -> {
            Thread t = new Thread(r, "akkio-warmup-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        SteadyState steady = new SteadyState();
        SteadyState.Verdict verdict = SteadyState.Verdict.NOT_YET;
        boolean judged = secondsNanos >= deadlineNanos; // with one bound there is nothing to judge
        Judgement atSeconds = Judgement.NONE;
        int rounds = 0;
        try {
            workers.forEach(w -> pool.execute(w::loop));
            long jitBefore = jit.getTotalCompilationTime();
            long workBefore = 0;
            while (failure.get() == null && verdict == SteadyState.Verdict.NOT_YET && !atSeconds.quiet()
                    && System.nanoTime() < deadlineNanos) {
                long roundStart = System.nanoTime();
                long end = judged ? deadlineNanos : judgeAt;
                TimeUnit.NANOSECONDS.sleep(Math.min(TimeUnit.MILLISECONDS.toNanos(ROUND_MILLIS),
                        Math.max(0, end - roundStart)));
                if (!judged && System.nanoTime() >= judgeAt) {
                    // judged once: on a busy host only time helps, so the warm-up runs on to its deadline
                    judged = true;
                    HostLoad.Share load = HostLoad.between(before, HostLoad.sample());
                    atSeconds = new Judgement(statements.get(), load, judge.busy(load));
                    LOG.info("warm-up: {} statements in its seconds; other processes took {} of the host's CPU, {}"
                            + " of it idle, its quota held it back {} of the time: {}", atSeconds.statements(),
                            percent(load.others()), percent(load.idle()), percent(load.throttled()), atSeconds.busy()
                            ? "the host is busy, running on up to max_seconds" : "ending");
                }
                long jitNow = jit.getTotalCompilationTime();
                long roundMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart);
                rounds++;
                long work = statements.get() + decisions.get();
                long probe = fastestProbe.getAndSet(Long.MAX_VALUE);
                boolean hot = workers.stream().allMatch(w -> w.hotCycled);
                boolean all = workers.stream().allMatch(w -> w.cycled);
                verdict = steady.round(roundMillis, jitNow - jitBefore, probe == Long.MAX_VALUE ? -1 : probe, hot,
                        all);
                LOG.debug("warm-up round {}: {} ms, JIT {} ms, {} statements and decisions, fastest SELECT 1 {} us,"
                        + " hot statements cycled {}, all {}: {}", rounds, roundMillis, jitNow - jitBefore,
                        work - workBefore, probe == Long.MAX_VALUE ? -1 : probe / 1000, hot, all, verdict);
                workBefore = work;
                jitBefore = jitNow;
            }
        } finally {
            stop.set(true);
            pool.shutdown();
            // a client blocked past the deadline is cut off when the caller closes the private copy
            pool.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1),
                    TimeUnit.NANOSECONDS);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Report(rounds, statements.get(), refused.get(), decisions.get(), atSeconds,
                (System.nanoTime() - start) / 1e9, switch (verdict) {
                    case JIT_QUIET -> Ending.JIT_QUIET;
                    case PLATEAU -> Ending.PLATEAU;
                    case NOT_YET -> atSeconds.quiet() ? Ending.SECONDS : Ending.MAX_SECONDS;
                });
    }

    private static String percent(double share) {
        return share < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    /** One client: opens what it needs, then runs its units in turn until told to stop. */
    private abstract class Worker {
        private final List<Unit> units = new ArrayList<>();
        /** The corpus: one of these after every {@value #HOT_PER_CORPUS} of the others, so a short warm-up sees both. */
        private final List<Unit> corpus = new ArrayList<>();
        /** Every unit has run at least once. */
        volatile boolean cycled;
        /** Every hot unit (not the corpus) has run at least once. */
        volatile boolean hotCycled;

        interface Unit {
            void run() throws Exception;
        }

        void add(int times, Unit unit) {
            for (int i = 0; i < times; i++) {
                units.add(unit);
            }
        }

        void corpus(Unit unit) {
            corpus.add(unit);
        }

        abstract void open() throws Exception;

        abstract void close() throws Exception;

        final void loop() {
            try {
                open();
                try {
                    long hot = 0;
                    long cold = 0;
                    for (long step = 0; !stop.get(); step++) {
                        if (!corpus.isEmpty() && step % (HOT_PER_CORPUS + 1) == HOT_PER_CORPUS) {
                            corpus.get((int) (cold++ % corpus.size())).run();
                        } else {
                            units.get((int) (hot++ % units.size())).run();
                        }
                        hotCycled = hot >= units.size();
                        cycled = hotCycled && cold >= corpus.size();
                    }
                } finally {
                    close();
                }
            } catch (Exception e) {
                if (!stop.get()) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            }
        }
    }

    /** Decides the TPC-DS and analyst corpora as Databricks statements, and the demo's as DuckDB ones. */
    private final class PolicyWorker extends Worker {
        private final PolicyEngine engine = new PolicyEngine();

        @Override
        void open() {
            TenantPolicy tpcds = TenantPolicy.builder("warm-up-tpcds").dialect(Dialect.DATABRICKS)
                    .defaultCatalog("tpcds_prod").defaultSchema("sf1").mapCatalog("main", "tpcds_prod")
                    .read("tpcds_prod.sf1.*").allow(StatementKind.QUERY).maxRows(1000).decisionCache(0).build();
            TenantPolicy analyst = demoPolicy("warm-up-analyst", Dialect.DATABRICKS).decisionCache(0).build();
            TenantPolicy demo = demoPolicy("warm-up-demo", Dialect.DUCKDB).decisionCache(0).build();
            // interleaved, so that a short warm-up still sees every kind
            List<String> t = WarmUpCorpus.tpcds();
            List<String> a = WarmUpCorpus.analyst();
            List<String> d = WarmUpCorpus.demo("acme");
            for (int i = 0; i < Math.max(t.size(), Math.max(a.size(), d.size())); i++) {
                decide(tpcds, t, i);
                decide(analyst, a, i);
                decide(demo, d, i);
            }
        }

        private void decide(TenantPolicy policy, List<String> corpus, int i) {
            if (i < corpus.size()) {
                String sql = corpus.get(i);
                add(1, () -> {
                    engine.decide(policy, sql);
                    decisions.incrementAndGet();
                });
            }
        }

        @Override
        void close() {
        }
    }

    /** The demo tenant acme's policy, as the private copy's tenant has it. */
    public static TenantPolicy.Builder demoPolicy(String tenant, Dialect dialect) {
        return TenantPolicy.builder(tenant).dialect(dialect).defaultCatalog("acme_prod").defaultSchema("sales")
                .mapCatalog("main", "acme_prod").read("acme_prod.sales.*").read("shared_ref.geo.*")
                .allow(StatementKind.QUERY, StatementKind.DESCRIBE).maxRows(10_000);
    }

    /** A client of the Avatica front end, through Avatica's own remote JDBC driver (what the client jar wraps). */
    private final class AvaticaWorker extends Worker {
        private final int slice;
        private Connection connection;
        private Statement statement;
        private PreparedStatement prepared;

        AvaticaWorker(int slice) {
            this.slice = slice;
        }

        @Override
        void open() throws SQLException {
            Properties login = new Properties();
            login.setProperty("avatica_user", target.tenant());
            login.setProperty("avatica_password", target.secret());
            connection = new org.apache.calcite.avatica.remote.Driver().connect("jdbc:avatica:remote:url=http://"
                    + "127.0.0.1:" + target.avaticaPort() + ";serialization=" + (target.json() ? "json" : "protobuf")
                    + ";authentication=BASIC", login);
            statement = connection.createStatement();
            prepared = connection.prepareStatement(PREPARED);
            add(20, () -> {
                long t0 = System.nanoTime();
                query("SELECT 1");
                long took = System.nanoTime() - t0;
                fastestProbe.accumulateAndGet(took, Math::min);
            });
            add(10, () -> query(ANALYTICS));
            add(10, () -> query(newLiteral()));
            add(5, () -> query(newShape()));
            add(10, () -> {
                prepared.setLong(1, 1 + literal.incrementAndGet() % 100);
                read(prepared.executeQuery());
            });
            add(1, () -> query(STREAM));
            add(1, () -> {
                DatabaseMetaData meta = connection.getMetaData();
                read(meta.getTables(null, null, "%", null));
                read(meta.getColumns(null, "sales", "orders", "%"));
                read(meta.getSchemas());
            });
            List<String> corpus = WarmUpCorpus.demo("acme");
            for (int i = slice; i < corpus.size(); i += AVATICA_CLIENTS) {
                String sql = corpus.get(i);
                corpus(() -> query(sql));
            }
        }

        private void query(String sql) throws SQLException {
            try {
                read(statement.executeQuery(sql));
            } catch (SQLException e) {
                refused.incrementAndGet();
                if (connection.isClosed()) {
                    throw e;
                }
            }
        }

        @Override
        void close() throws SQLException {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private void read(ResultSet rs) throws SQLException {
        try (rs) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int c = 1; c <= columns; c++) {
                    rs.getObject(c);
                }
            }
        }
        statements.incrementAndGet();
    }

    private String newLiteral() {
        return ANALYTICS.replace(" GROUP BY", " WHERE o.order_id <> " + -literal.incrementAndGet() + " GROUP BY");
    }

    /** A new table alias, named again where its columns are: part of every shape, so a full decision each time. */
    private String newShape() {
        String alias = "o" + literal.incrementAndGet();
        return ANALYTICS.replace(" o ", " " + alias + " ").replace("o.", alias + ".");
    }

    /** A client of the PostgreSQL front end: simple and extended protocol. */
    private final class PgWorker extends Worker {
        private PgLoopback pg;

        @Override
        void open() throws Exception {
            pg = PgLoopback.connect(target.postgresPort(), target.tenant(), target.secret(), TIMEOUT_MILLIS);
            add(20, () -> simple("SELECT 1"));
            add(10, () -> simple(ANALYTICS));
            add(10, () -> simple(newLiteral()));
            add(5, () -> simple(newShape()));
            add(10, () -> {
                pg.extended(PREPARED, List.of(Long.toString(1 + literal.incrementAndGet() % 100)));
                statements.incrementAndGet();
            });
            add(1, () -> simple(STREAM));
            for (String sql : WarmUpCorpus.demo("acme")) {
                corpus(() -> simple(sql));
            }
        }

        private void simple(String sql) throws java.io.IOException {
            pg.simple(sql);
            statements.incrementAndGet();
        }

        @Override
        void close() throws Exception {
            if (pg != null) {
                pg.close();
            }
        }
    }

    /** A client of the Flight SQL front end: statements and a prepared statement, every batch read. */
    private final class FlightWorker extends Worker {
        private BufferAllocator allocator;
        private FlightClient client;
        private FlightSqlClient sql;
        private CallOption login;

        @Override
        void open() {
            allocator = new RootAllocator(64L << 20);
            client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", target.flightPort()))
                    .build();
            login = client.authenticateBasicToken(target.tenant(), target.secret()).orElseThrow(
                    () -> new IllegalStateException("the warm-up's Flight SQL login returned no token"));
            sql = new FlightSqlClient(client);
            add(10, () -> execute("SELECT 1"));
            add(5, () -> execute(ANALYTICS));
            add(5, () -> execute(newLiteral()));
            add(1, () -> execute(STREAM));
            add(2, () -> {
                // closed with the login: a close without the bearer token is an unauthenticated call
                FlightSqlClient.PreparedStatement p = sql.prepare(ANALYTICS, login);
                try {
                    fetch(p.execute(login).getEndpoints());
                } finally {
                    p.close(login);
                }
            });
        }

        private void execute(String query) {
            fetch(sql.execute(query, login).getEndpoints());
        }

        private void fetch(List<FlightEndpoint> endpoints) {
            for (FlightEndpoint e : endpoints) {
                try (FlightStream s = sql.getStream(e.getTicket(), login)) {
                    while (s.next()) {
                        s.getRoot().getRowCount();
                    }
                } catch (Exception ex) {
                    throw new IllegalStateException("the warm-up's Flight SQL stream failed: " + ex.getMessage(), ex);
                }
            }
            statements.incrementAndGet();
        }

        @Override
        void close() throws Exception {
            if (client != null) {
                client.close();
            }
            if (allocator != null) {
                allocator.close();
            }
        }
    }
}

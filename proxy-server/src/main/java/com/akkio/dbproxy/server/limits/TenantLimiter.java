package com.akkio.dbproxy.server.limits;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.server.config.ProxyConfig;
import com.akkio.dbproxy.server.errors.ErrorCode;
import io.github.bucket4j.BucketConfiguration;

/**
 * Admission for one tenant: a token bucket for queries per second with burst, and a cap on statements in flight.
 * Refusals are immediate, never a wait, so one tenant's flood holds no thread that another tenant needs; the client
 * gets SQLState 53400 with the time after which a retry can succeed.
 */
public final class TenantLimiter {
    public static final String SQLSTATE_THROTTLED = ErrorCode.RATE_LIMITED.sqlState();
    public static final int VENDOR_RATE = ErrorCode.RATE_LIMITED.vendorCode();
    public static final int VENDOR_CONCURRENCY = ErrorCode.TOO_MANY_CONCURRENT.vendorCode();

    private final String tenant;
    private final ProxyConfig.Limits limits;
    private final Tokens rate;
    private final Semaphore inFlight;
    /** Statements running on the backend: fair, so the tenant's statements start in the order they came. */
    private final Semaphore running;
    private static final long CANCEL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Limits of this process alone. */
    public TenantLimiter(String tenant, ProxyConfig.Limits limits) {
        this(tenant, limits, LimitStore.LOCAL);
    }

    /** The rate counted in {@code store} (shared by replicas or not); statements in flight counted here. */
    public TenantLimiter(String tenant, ProxyConfig.Limits limits, LimitStore store) {
        this.tenant = tenant;
        this.limits = limits;
        this.rate = store.rate(tenant, limits);
        this.inFlight = new Semaphore(limits.maxConcurrent());
        this.running = new Semaphore(limits.maxRunning(), true);
    }

    /**
     * The rate bucket's configuration, or its {@code 1/share} part (what one of {@code share} replicas enforces
     * alone): a rate of q/s as q*1000 tokens per 1000 s keeps fractional rates exact with greedy (continuous)
     * refill.
     */
    static BucketConfiguration configuration(ProxyConfig.Limits limits, int share) {
        long tokensPerKilosecond = Math.max(1, Math.round(limits.queriesPerSecond() * 1000 / share));
        return Tokens.configuration(Math.max(1, limits.burst() / share), tokensPerKilosecond,
                Duration.ofSeconds(1000));
    }

    /** A statement admitted to run; closing it frees its concurrency slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** A statement refused by a limit: SQLState 53400, the limit's code, the rule and when to retry. */
    public static final class Refused extends SQLException {
        private final transient ErrorCode code;
        private final String detail;

        Refused(ErrorCode code, String detail) {
            super(code.message(detail), code.sqlState(), code.vendorCode());
            this.code = code;
            this.detail = detail;
        }

        public ErrorCode code() {
            return code;
        }

        /** The message without its code name. */
        public String detail() {
            return detail;
        }
    }

    /** Admits one statement or throws {@link Refused} naming the rule and when to retry. */
    public Permit admit() throws Refused {
        long waitNanos = rate.take();
        if (waitNanos != 0) {
            long retryMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos));
            throw new Refused(ErrorCode.RATE_LIMITED, "tenant '" + tenant + "' is over its rate of "
                    + format(limits.queriesPerSecond()) + " queries/s (burst " + limits.burst()
                    + ", rule: rate.queries_per_second); retry after " + retryMs + " ms");
        }
        if (!inFlight.tryAcquire()) {
            throw new Refused(ErrorCode.TOO_MANY_CONCURRENT, "tenant '" + tenant + "' already has "
                    + limits.maxConcurrent() + " statements running (rule: rate.max_concurrent); retry when one"
                    + " finishes");
        }
        return inFlight::release;
    }

    /**
     * Waits, at most {@code wait}, until fewer than {@code rate.max_running} of the tenant's statements run on the
     * backend, and holds a place among them until the returned permit is closed. This is the one wait among the
     * limits, and it is bounded twice: only statements {@link #admit} let in wait (at most {@code max_concurrent}
     * threads), and only for one of the tenant's own statements to end, never another tenant's. It keeps a tenant's
     * heavy statements from holding every core of a backend that other tenants share.
     */
    public Permit run(Duration wait, java.util.function.BooleanSupplier cancelled) throws Refused {
        if (running.tryAcquire()) {
            return running::release;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                // a client's cancel reaches a statement that waits, too: look for it every 50 ms
                if (running.tryAcquire(Math.min(left, CANCEL_POLL_NANOS), TimeUnit.NANOSECONDS)) {
                    return running::release;
                }
                if (cancelled.getAsBoolean()) {
                    throw new Refused(ErrorCode.QUERY_CANCELLED, "the client cancelled the statement while it waited"
                            + " for one of tenant '" + tenant + "''s " + limits.maxRunning() + " running statements to"
                            + " end (rule: rate.max_running); it was not run");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Refused(ErrorCode.TOO_MANY_RUNNING, "tenant '" + tenant + "' had " + limits.maxRunning()
                + " statements running on the backend for " + wait.toSeconds() + " s while this one waited (rule:"
                + " rate.max_running, waiting at most query_timeout_seconds); it was not run");
    }

    /** The tenant's statements running on the backend now. */
    public int running() {
        return limits.maxRunning() - running.availablePermits();
    }

    public int inFlight() {
        return limits.maxConcurrent() - inFlight.availablePermits();
    }

    private static String format(double qps) {
        return qps == Math.rint(qps) ? Long.toString((long) qps) : Double.toString(qps);
    }
}

package com.akkio.dbproxy.server.governed;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.policy.DenyCode;
import com.akkio.dbproxy.policy.PolicyEngine;
import com.akkio.dbproxy.policy.TenantPolicy;
import com.akkio.dbproxy.server.admin.ProxyMetrics;
import com.akkio.dbproxy.server.audit.AuditEvent;
import com.akkio.dbproxy.server.audit.AuditLog;
import com.akkio.dbproxy.server.audit.AuditOutcome;
import com.akkio.dbproxy.server.audit.Sha256;
import com.akkio.dbproxy.server.backend.BackendErrors;
import com.akkio.dbproxy.server.errors.ErrorCode;
import com.akkio.dbproxy.server.limits.TenantLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle every statement of every front end goes through: decide (a denial is audited and refused), admit
 * through the tenant's limits (a refusal is audited), audit before forwarding (a statement whose record cannot be
 * written is not run), and complete with its outcome once its last row is served. It also turns backend failures
 * into the client's errors. It knows nothing of protocols or handles: a front end's connection is a {@link Context}.
 */
public final class StatementGate {
    private static final Logger LOG = LoggerFactory.getLogger(StatementGate.class);
    /** The statement type of a statement a front end answered itself: it changed the session, never the data. */
    static final String ANSWERED_KIND = "session";

    /** What the gate needs of the connection a statement arrives on. */
    public interface Context {
        String tenantName();

        TenantPolicy policy();

        TenantLimiter limiter();

        /** Who opened the connection: address and user agent for the audit record. */
        Caller caller();

        String backendName();

        /** The warehouse the connection's statements run on, or null where the backend has none. */
        String warehouse();

        BackendErrors backendErrors();

        Duration queryTimeout();

        /**
         * Refuses the statements ({@link ProxyError}) when one of them would write into write-back tables that hold
         * the tenant's {@code write_quota} already. A context without write-back storage has nothing to check.
         */
        default void checkWriteQuota(List<StatementRun> runs) {
        }

        /** True once the client asked to cancel the statement it is running (or waiting to run). */
        default boolean cancelRequested() {
            return false;
        }

        /** An allowed statement completed, having reported {@code rows}: what the write quota counts. */
        default void completed(StatementRun run, long rows) {
        }
    }

    private final PolicyEngine engine = new PolicyEngine();
    private final AuditLog audit;
    private final ProxyMetrics metrics;
    private final boolean auditRawSql;

    public StatementGate(AuditLog audit, ProxyMetrics metrics, boolean auditRawSql) {
        this.audit = audit;
        this.metrics = metrics;
        this.auditRawSql = auditRawSql;
        metrics.policyDecisions(engine::decisions);
    }

    /** The policy's decision on {@code sql}, which is allowed; a denial is audited and thrown. */
    public Decision decide(Context c, String sql) {
        long start = System.nanoTime();
        Decision d = engine.decide(c.policy(), sql);
        metrics.policyDecision(System.nanoTime() - start);
        if (!d.isAllowed()) {
            String requestId = AuditEvent.newRequestId();
            try (LogContext log = LogContext.enter(c.tenantName(), requestId)) {
                write(AuditEvent.COMPLETE, c, requestId, Sha256.hex(sql), sql, d, AuditOutcome.DENY, d.code().name(),
                        -1, System.nanoTime() - start);
            }
            throw ProxyError.denied(d.code(), d.reason());
        }
        return d;
    }

    /**
     * Admits the statements through the tenant's limits, then records each before the backend sees it. A refusal is
     * recorded instead and thrown; so is a record that cannot be written (the statement is not run).
     */
    public TenantLimiter.Permit admit(Context c, List<StatementRun> runs) {
        TenantLimiter.Permit admitted = throttledUnless(c, runs, () -> c.limiter().admit());
        TenantLimiter.Permit running;
        try {
            running = throttledUnless(c, runs, () -> c.limiter().run(c.queryTimeout(), c::cancelRequested));
        } catch (ProxyError e) {
            admitted.close();
            throw e;
        }
        TenantLimiter.Permit permit = () -> {
            running.close();
            admitted.close();
        };
        try {
            c.checkWriteQuota(runs);
        } catch (ProxyError e) {
            permit.close();
            for (StatementRun run : runs) {
                complete(c, run, AuditOutcome.DENY, e.code().name(), -1);
            }
            throw e;
        }
        try {
            for (StatementRun run : runs) {
                write(AuditEvent.FORWARD, c, run.requestId, run.sqlSha256, run.sql, run.decision, AuditOutcome.ALLOW,
                        AuditOutcome.ALLOWED, -1, -1);
            }
        } catch (RuntimeException e) {
            permit.close();
            metrics.auditWriteFailure();
            LOG.error("audit log write failed; statement of tenant {} not forwarded", c.tenantName(), e);
            throw ProxyError.of(ErrorCode.AUDIT_UNAVAILABLE, "the statement was not run because it could not be"
                    + " audited");
        }
        return permit;
    }

    /** A limit's decision on the statements: a permit, or the refusal, recorded for each of them and thrown. */
    private TenantLimiter.Permit throttledUnless(Context c, List<StatementRun> runs, Limit limit) {
        try {
            return limit.admit();
        } catch (TenantLimiter.Refused e) {
            boolean cancelled = e.code() == ErrorCode.QUERY_CANCELLED;
            for (StatementRun run : runs) {
                complete(c, run, cancelled ? AuditOutcome.ERROR : AuditOutcome.THROTTLED,
                        cancelled ? e.code().sqlState() : AuditOutcome.THROTTLED_CODE, -1);
            }
            throw ProxyError.of(e.code(), e.detail());
        }
    }

    private interface Limit {
        TenantLimiter.Permit admit() throws TenantLimiter.Refused;
    }

    /**
     * The one record of a statement a front end answered itself (a PostgreSQL client's SET, SHOW, BEGIN, version()
     * …): allowed, or the error it was refused with ({@code deny} for a rule, {@code error} otherwise).
     */
    public void answered(Context c, String sql, ProxyError refusal) {
        AuditOutcome outcome = refusal == null ? AuditOutcome.ALLOW
                : refusal.getSqlState().startsWith("0A") ? AuditOutcome.DENY : AuditOutcome.ERROR;
        String code = refusal == null ? AuditOutcome.ANSWERED
                : refusal.code() != null ? refusal.code().name() : refusal.getSqlState();
        String requestId = AuditEvent.newRequestId();
        try (LogContext log = LogContext.enter(c.tenantName(), requestId)) {
            write(AuditEvent.COMPLETE, c, requestId, Sha256.hex(sql), sql, ANSWERED_KIND, outcome, code, -1, 0);
        }
    }

    /** The statement type of a catalog query the proxy answered from the tenant's governed catalog. */
    static final String CATALOG_KIND = "catalog";

    /** The one record of a catalog query: answered with {@code rows}, or refused with {@code refusal}. */
    public void catalogAnswered(Context c, String sql, ProxyError refusal, long rows, long durationNanos) {
        AuditOutcome outcome = refusal == null ? AuditOutcome.ALLOW : AuditOutcome.ERROR;
        String code = refusal == null ? AuditOutcome.ANSWERED
                : refusal.code() != null ? refusal.code().name() : refusal.getSqlState();
        String requestId = AuditEvent.newRequestId();
        try (LogContext log = LogContext.enter(c.tenantName(), requestId)) {
            write(AuditEvent.COMPLETE, c, requestId, Sha256.hex(sql), sql, CATALOG_KIND, outcome, code, rows,
                    durationNanos);
        }
    }

    /** The statement's last record: how it ended, and how many rows it served or changed (-1 if none). */
    public void complete(Context c, StatementRun run, AuditOutcome outcome, String code, long rows) {
        if (outcome == AuditOutcome.ALLOW && run.decision != null) {
            c.completed(run, rows);
        }
        write(AuditEvent.COMPLETE, c, run.requestId, run.sqlSha256, run.sql, run.decision, outcome, code, rows,
                System.nanoTime() - run.startNanos);
    }

    /**
     * The client's error for a forwarded statement that failed, recorded as its outcome: a cancel if the client asked
     * for one, else the backend's failure. An error the proxy raised before forwarding was recorded where it was
     * raised and passes through.
     */
    public ProxyError failed(Context c, List<StatementRun> runs, RuntimeException e, boolean cancelledByClient) {
        if (e instanceof ProxyError pe) {
            return pe;
        }
        ProxyError error = cancelledByClient ? ProxyError.cancelledByClient(c.tenantName())
                : backendFailure(c, e, runs.stream().map(r -> new Statement(r.sql, r.decision)).toList());
        for (StatementRun run : runs) {
            complete(c, run, AuditOutcome.ERROR, error.getSqlState(), -1);
        }
        return error;
    }

    /** A backend failure as the client should see it: SQLState and first line of the message, no stack trace. */
    public ProxyError backendFailure(Context c, Throwable e) {
        return backendFailure(c, e, List.of());
    }

    /** The same, for a failure preparing {@code sql} as decided by {@code d}. */
    public ProxyError backendFailure(Context c, Throwable e, String sql, Decision d) {
        return backendFailure(c, e, List.of(new Statement(sql, d)));
    }

    /** A statement the backend was given: the client's text, and the decision with its rewrite. */
    private record Statement(String sql, Decision decision) {
    }

    /**
     * The backend's message as the tenant may read it: the statements it was given under the text the client sent
     * rather than their rewrite, and physical catalogs under the tenant's logical names. The server log keeps the
     * backend's own words (with the statement's text left out, as every log line does).
     */
    private ProxyError backendFailure(Context c, Throwable e, List<Statement> statements) {
        if (e instanceof ProxyError pe) {
            return pe;
        }
        BackendErrors errors = c.backendErrors();
        BackendErrors.Translated t = errors.translate(e, c.backendName());
        String overWriteCap = PolicyEngine.writeRowsExceeded(t.detail());
        if (overWriteCap != null && statements.stream().anyMatch(s -> s.decision() != null
                && PolicyEngine.writeCapped(s.decision()))) {
            // the rewrite's own check (max_write_rows) failed the statement in the backend: the policy's rule
            LOG.info("backend {} refused a write of tenant {}: over max_write_rows", c.backendName(), c.tenantName());
            return ProxyError.denied(DenyCode.WRITE_ROWS_EXCEEDED, overWriteCap);
        }
        if (t.code() == ErrorCode.QUERY_TIMEOUT) {
            return ProxyError.of(ErrorCode.QUERY_TIMEOUT, "the statement ran longer than tenant '" + c.tenantName()
                    + "' allows (" + c.queryTimeout().toSeconds() + " s, rule: query_timeout_seconds) and was"
                    + " cancelled in the backend");
        }
        String detail = t.detail();
        String withoutRewrite = detail;
        for (Statement statement : statements) {
            String rewritten = statement.decision() == null ? null : statement.decision().rewrittenSql();
            if (rewritten != null && !rewritten.isEmpty()) {
                withoutRewrite = withoutRewrite.replace(rewritten, "<statement>");
                detail = detail.replace(rewritten, statement.sql());
            }
        }
        withoutRewrite = c.policy().rowPolicies().redact(withoutRewrite);
        if (errors.unexpected(t)) {
            // the exception's own message may quote the rewrite, a view's salt with it: kept out of the log
            LOG.warn("unexpected failure on backend {}: {}", c.backendName(), withoutRewrite,
                    c.policy().rowPolicies().isEmpty() ? e : null);
        } else {
            LOG.info("backend {} refused a statement of tenant {}: {}", c.backendName(), c.tenantName(),
                    withoutRewrite);
        }
        // a view's text can reach a backend's message: its salt never does
        detail = c.policy().rowPolicies().redact(detail);
        return ProxyError.fromBackend(t.code(), t.sqlState(), t.vendorCode(), logicalNames(c.policy(), detail));
    }

    /**
     * {@code message} with every physical catalog the tenant's policy maps (as a whole identifier, quoted or not, in
     * any case) under its logical name: {@code acme_prod.sales.x} and {@code `acme_prod`} read {@code main…}.
     */
    static String logicalNames(TenantPolicy policy, String message) {
        String out = message;
        for (java.util.Map.Entry<String, String> e : policy.catalogMap().entrySet()) {
            if (!e.getKey().equalsIgnoreCase(e.getValue())) {
                out = java.util.regex.Pattern.compile("(?<![\\w$])" + java.util.regex.Pattern.quote(e.getValue())
                        + "(?![\\w$])", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(out)
                        .replaceAll(java.util.regex.Matcher.quoteReplacement(e.getKey()));
            }
        }
        return out;
    }

    /**
     * Writes one audit record ({@code durationNanos} -1 for none): a forward record now, failing if it cannot be
     * written; a complete record, and the statement's metrics, once the client has its response.
     */
    private void write(String event, Context c, String requestId, String sqlSha256, String sql, Decision d,
                       AuditOutcome outcome, String code, long rows, long durationNanos) {
        write(event, c, requestId, sqlSha256, sql, d == null || d.kind() == null ? null : d.kind().configName(),
                outcome, code, rows, durationNanos,
                d == null || !d.isAllowed() ? List.of() : c.policy().rowPolicies().applied(d.reads()));
    }

    private void write(String event, Context c, String requestId, String sqlSha256, String sql, String statementType,
                       AuditOutcome outcome, String code, long rows, long durationNanos) {
        write(event, c, requestId, sqlSha256, sql, statementType, outcome, code, rows, durationNanos, List.of());
    }

    private void write(String event, Context c, String requestId, String sqlSha256, String sql, String statementType,
                       AuditOutcome outcome, String code, long rows, long durationNanos, List<String> applied) {
        Caller opener = c.caller();
        AuditEvent record = new AuditEvent(event, Instant.now(), requestId, c.tenantName(), opener.address(),
                c.backendName(), c.warehouse(), statementType, sqlSha256, outcome.wire(), code, rows,
                durationNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(durationNanos), opener.userAgent(),
                auditRawSql ? sql : null, applied);
        if (event.equals(AuditEvent.FORWARD)) {
            append(record);
            return;
        }
        String tenant = c.tenantName();
        AfterResponse.run(() -> {
            try {
                append(record);
            } catch (RuntimeException e) {
                metrics.auditWriteFailure();
                LOG.error("audit log write failed; the complete record of request {} (tenant {}) is lost",
                        requestId, tenant, e);
            }
            metrics.statement(tenant, outcome.wire(), code, durationNanos);
        });
    }

    private void append(AuditEvent record) {
        long start = System.nanoTime();
        audit.write(record);
        metrics.auditWrite(System.nanoTime() - start);
    }
}

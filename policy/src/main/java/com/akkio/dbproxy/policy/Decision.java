package com.akkio.dbproxy.policy;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link PolicyEngine#decide}: a value, never an exception. An allowed decision carries the SQL to
 * send to the backend and the physical objects it reads and writes; a denial carries a stable code and a reason that
 * names the rule or object that caused it.
 */
public final class Decision {
    private final DenyCode code;
    private final String reason;
    private final StatementKind kind;
    private final String rewrittenSql;
    private final List<QualifiedName> reads;
    private final List<QualifiedName> writes;
    private final boolean rowCapApplied;

    private Decision(DenyCode code, String reason, StatementKind kind, String rewrittenSql,
                     List<QualifiedName> reads, List<QualifiedName> writes, boolean rowCapApplied) {
        this.code = code;
        this.reason = reason;
        this.kind = kind;
        this.rewrittenSql = rewrittenSql;
        this.reads = List.copyOf(reads);
        this.writes = List.copyOf(writes);
        this.rowCapApplied = rowCapApplied;
    }

    public static Decision allow(StatementKind kind, String rewrittenSql, List<QualifiedName> reads,
                                 List<QualifiedName> writes, boolean rowCapApplied) {
        return new Decision(null, null, Objects.requireNonNull(kind), Objects.requireNonNull(rewrittenSql),
                reads, writes, rowCapApplied);
    }

    public static Decision deny(DenyCode code, String reason, StatementKind kind) {
        return new Decision(Objects.requireNonNull(code), Objects.requireNonNull(reason), kind, null,
                List.of(), List.of(), false);
    }

    public boolean isAllowed() {
        return code == null;
    }

    /** The denial code, or null when allowed. */
    public DenyCode code() {
        return code;
    }

    /** Why it was denied, naming the rule or object; null when allowed. */
    public String reason() {
        return reason;
    }

    /** The statement kind, or null when the text could not be classified (it did not parse). */
    public StatementKind kind() {
        return kind;
    }

    /** The statement to run on the backend; null when denied. */
    public String rewrittenSql() {
        return rewrittenSql;
    }

    public List<QualifiedName> reads() {
        return reads;
    }

    public List<QualifiedName> writes() {
        return writes;
    }

    /** True when the engine added or lowered a row limit. */
    public boolean rowCapApplied() {
        return rowCapApplied;
    }

    @Override
    public String toString() {
        return isAllowed()
                ? "allow " + kind.configName() + " reads=" + reads + " writes=" + writes
                : "deny " + code + ": " + reason;
    }
}

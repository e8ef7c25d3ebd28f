package com.akkio.dbproxy.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link PolicyEngine#decide}: a value, never an exception. It is one of two records, so a caller can
 * tell them apart by type ({@code if (d instanceof Decision.Allowed a)}): {@link Allowed} carries the SQL to send to
 * the backend and the physical objects it reads and writes; {@link Denied} carries a stable code and a reason that
 * names the rule or object that caused it.
 *
 * <p>The accessors of both are also declared here, so code that only holds a {@code Decision} can ask
 * {@link #isAllowed()} and read any of them: on a variant they do not fit they answer "nothing" ({@code null}, an
 * empty list, {@code false}), as each one's comment says. Two decisions are equal when they are the same variant with
 * equal components.
 */
public sealed interface Decision permits Decision.Allowed, Decision.Denied {

    /** An allowed statement: it may run as {@code rewrittenSql}; where its result's columns come from untold. */
    static Allowed allow(StatementKind kind, String rewrittenSql, List<QualifiedName> reads,
                         List<QualifiedName> writes, boolean rowCapApplied) {
        return new Allowed(kind, rewrittenSql, reads, writes, rowCapApplied, Optional.empty());
    }

    /** An allowed statement whose result's columns come from {@code resultColumns} ({@link ResultColumns}). */
    static Allowed allow(StatementKind kind, String rewrittenSql, List<QualifiedName> reads,
                         List<QualifiedName> writes, boolean rowCapApplied, Optional<ResultColumns> resultColumns) {
        return new Allowed(kind, rewrittenSql, reads, writes, rowCapApplied, resultColumns);
    }

    /** A denial; {@code kind} is null when the text could not be classified. */
    static Denied deny(DenyCode code, String reason, StatementKind kind) {
        return new Denied(code, reason, kind);
    }

    /** True for {@link Allowed}, false for {@link Denied}. */
    boolean isAllowed();

    /** The denial code, or null when allowed. */
    DenyCode code();

    /** Why it was denied, naming the rule or object; null when allowed. */
    String reason();

    /** The statement kind; never null when allowed, null for a denial of text that could not be classified. */
    StatementKind kind();

    /** The statement to run on the backend; null when denied. */
    String rewrittenSql();

    /** The physical objects the statement reads, in the order found (unmodifiable); empty when denied. */
    List<QualifiedName> reads();

    /** The physical objects the statement writes, in the order found (unmodifiable); empty when denied. */
    List<QualifiedName> writes();

    /** True when the engine added or lowered a row limit; false when denied. */
    boolean rowCapApplied();

    /**
     * Where the result's columns come from, when the statement is a plain one-table query: what
     * {@link ResultColumns#of(String, Dialect)} tells of {@link #rewrittenSql()}, known from the tree the decision was
     * made on, so that nobody parses the text again for it. Empty when it is not plain (or the engine could not tell
     * it without parsing again); empty when denied.
     */
    Optional<ResultColumns> resultColumns();

    /**
     * An allowed statement.
     *
     * @param kind          what the statement does
     * @param rewrittenSql  the statement to run on the backend: every object in its quoted physical name, rows capped
     * @param reads         the physical objects it reads (copied, unmodifiable)
     * @param writes        the physical objects it writes (copied, unmodifiable)
     * @param rowCapApplied true when the engine added or lowered a row limit
     * @param resultColumns where the result's columns come from, when plain ({@link Decision#resultColumns()})
     */
    record Allowed(StatementKind kind, String rewrittenSql, List<QualifiedName> reads, List<QualifiedName> writes,
                   boolean rowCapApplied, Optional<ResultColumns> resultColumns) implements Decision {
        public Allowed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(rewrittenSql, "rewrittenSql");
            Objects.requireNonNull(resultColumns, "resultColumns");
            reads = List.copyOf(Objects.requireNonNull(reads, "reads"));
            writes = List.copyOf(Objects.requireNonNull(writes, "writes"));
        }

        @Override
        public boolean isAllowed() {
            return true;
        }

        /** Always null: nothing was denied. */
        @Override
        public DenyCode code() {
            return null;
        }

        /** Always null: nothing was denied. */
        @Override
        public String reason() {
            return null;
        }

        @Override
        public String toString() {
            return "allow " + kind.configName() + " reads=" + reads + " writes=" + writes;
        }
    }

    /**
     * A denied statement.
     *
     * @param code   the stable reason, which gives the SQLState and vendor code a client sees
     * @param reason why, naming the rule or object
     * @param kind   the statement kind, or null when the text could not be classified (it did not parse)
     */
    record Denied(DenyCode code, String reason, StatementKind kind) implements Decision {
        public Denied {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public boolean isAllowed() {
            return false;
        }

        /** Always null: a denied statement is not run. */
        @Override
        public String rewrittenSql() {
            return null;
        }

        /** Always empty: objects are not reported for a denied statement. */
        @Override
        public List<QualifiedName> reads() {
            return List.of();
        }

        /** Always empty: objects are not reported for a denied statement. */
        @Override
        public List<QualifiedName> writes() {
            return List.of();
        }

        /** Always false. */
        @Override
        public boolean rowCapApplied() {
            return false;
        }

        /** Always empty: a denied statement has no result. */
        @Override
        public Optional<ResultColumns> resultColumns() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "deny " + code + ": " + reason;
        }
    }
}

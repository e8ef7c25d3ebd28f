package com.akkio.dbproxy.policy;

/**
 * Internal control flow for a denial found deep in the syntax tree: thrown by the analysis, turned into a
 * {@link Decision} by {@link PolicyEngine#decide} and never seen outside this package. No stack trace is filled in,
 * since a denial is an answer, not a fault.
 */
final class Denial extends RuntimeException {
    final DenyCode code;

    Denial(DenyCode code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }
}

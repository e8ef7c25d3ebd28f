package com.akkio.dbproxy.server.governed;

import com.akkio.dbproxy.policy.Decision;
import com.akkio.dbproxy.server.audit.AuditEvent;
import com.akkio.dbproxy.server.audit.Sha256;

/** One execution being served to the client, from its forward audit record until its last frame. */
final class StatementRun {
    final String requestId;
    final String sqlSha256;
    final String sql;
    final Decision decision;
    final long startNanos;
    long rows;

    private StatementRun(String requestId, String sqlSha256, String sql, Decision decision, long startNanos) {
        this.requestId = requestId;
        this.sqlSha256 = sqlSha256;
        this.sql = sql;
        this.decision = decision;
        this.startNanos = startNanos;
    }

    /** An execution starting now, of {@code sql} as the client sent it. */
    static StatementRun begin(String sql, Decision decision) {
        return begin(sql, Sha256.hex(sql), decision);
    }

    /** The same, with the text's hash already known (a prepared statement's, computed once at prepare). */
    static StatementRun begin(String sql, String sqlSha256, Decision decision) {
        return new StatementRun(AuditEvent.newRequestId(), sqlSha256, sql, decision, System.nanoTime());
    }
}

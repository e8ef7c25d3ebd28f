package com.akkio.dbproxy.server.avatica;

import com.akkio.dbproxy.policy.Decision;

/** One execution being served to the client, from its forward audit record until its last frame. */
final class StatementRun {
    final String requestId;
    final String sqlSha256;
    final String sql;
    final Decision decision;
    final long startNanos;
    long rows;

    StatementRun(String requestId, String sqlSha256, String sql, Decision decision, long startNanos) {
        this.requestId = requestId;
        this.sqlSha256 = sqlSha256;
        this.sql = sql;
        this.decision = decision;
        this.startNanos = startNanos;
    }
}

package com.akkio.dbproxy.policy;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Decisions already made under one policy, by SQL text. Parsing dominates the cost of a decision (two JSqlParser
 * parses: the statement and the rewritten statement), and applications and BI tools send the same texts again and
 * again. A decision depends only on the policy and the text, so it can be reused for as long as the policy object
 * lives; a reloaded policy is a new object with an empty memo. Bounded by entry count and text length; when full it is
 * cleared rather than ordered, which keeps hits free of locks and bookkeeping.
 */
final class DecisionMemo {
    private final int maxEntries;
    private final int maxSqlLength;
    private final ConcurrentHashMap<String, Decision> decisions = new ConcurrentHashMap<>();

    DecisionMemo(int maxEntries, int maxSqlLength) {
        this.maxEntries = maxEntries;
        this.maxSqlLength = maxSqlLength;
    }

    Decision get(String sql) {
        return decisions.get(sql);
    }

    void put(String sql, Decision decision) {
        if (maxEntries == 0 || sql.length() > maxSqlLength) {
            return;
        }
        if (decisions.size() >= maxEntries) {
            decisions.clear();
        }
        decisions.put(sql, decision);
    }

    int size() {
        return decisions.size();
    }
}

package com.akkio.dbproxy.policy;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decisions already made under one policy, by SQL text, and templates by {@link LiteralShape}. Parsing dominates the
 * cost of a decision (two JSqlParser parses: the statement and the rewritten statement), and applications and BI
 * tools send the same texts again and again, or the same statement with other values. A decision depends only on the
 * policy and the text, so it can be reused for as long as the policy object lives; a reloaded policy is a new object
 * with an empty memo. A shape gets its template the second time it is seen (the fourth, when its probe keeps some
 * slots in the key), so a text that never recurs costs no more than before. Bounded by entry count and text length;
 * when full a map is cleared rather than ordered, which keeps hits free of locks and bookkeeping.
 */
final class DecisionMemo {
    /** A shape seen once, or one that cannot have a template: the map's value when there is no template. */
    private static final Object SEEN = new Object();
    private static final Object NO_TEMPLATE = new Object();

    private final int maxEntries;
    private final int maxSqlLength;
    private final ConcurrentHashMap<String, Decision> decisions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> shapes = new ConcurrentHashMap<>();

    DecisionMemo(int maxEntries, int maxSqlLength) {
        this.maxEntries = maxEntries;
        this.maxSqlLength = maxSqlLength;
    }

    /** A memo of the same bounds with nothing in it, for a policy derived from this memo's. */
    DecisionMemo emptyCopy() {
        return new DecisionMemo(maxEntries, maxSqlLength);
    }

    /** The columns' version the remembered decisions were made with ({@link TableColumns#version}). */
    private volatile long columnsVersion = Long.MIN_VALUE;

    /**
     * Forgets everything when the tables' columns may have changed since the decisions were made; returns
     * {@code version}, with which a new decision may be remembered only while it is still current.
     */
    long sync(long version) {
        if (columnsVersion != version) {
            synchronized (this) {
                if (columnsVersion != version) {
                    decisions.clear();
                    shapes.clear();
                    columnsVersion = version;
                }
            }
        }
        return version;
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

    boolean acceptsShapeOf(String sql) {
        return maxEntries > 0 && sql.length() <= maxSqlLength;
    }

    /** The shape with the slots kept that an earlier probe found are not values ({@link LiteralShape#keeping}). */
    LiteralShape refined(LiteralShape shape) {
        return shape != null && shapes.get(shape.key()) instanceof BitSet keep ? shape.keeping(keep) : shape;
    }

    /** The template of a shape, or null when it has none (yet). */
    ShapeTemplate template(String shapeKey) {
        return shapes.get(shapeKey) instanceof ShapeTemplate t ? t : null;
    }

    /** True when the shape was seen before (and may get a template); records it as seen otherwise. */
    boolean seenBefore(String shapeKey) {
        if (shapes.size() >= maxEntries) {
            shapes.clear();
        }
        return shapes.putIfAbsent(shapeKey, SEEN) == SEEN;
    }

    /** Records that the shape's statements go by the shape that keeps these slots in the key. */
    void putRefinement(String shapeKey, BitSet keep) {
        shapes.put(shapeKey, keep);
    }

    /** Records the shape's template, or that it cannot have one (null), so it is not tried again. */
    void putTemplate(String shapeKey, ShapeTemplate template) {
        shapes.put(shapeKey, template == null ? NO_TEMPLATE : template);
    }
}

package com.akkio.dbproxy.policy;

/**
 * The common table expressions visible at one point of a statement: an immutable list, extended as WITH items are
 * entered. Scoping is deliberately narrow (a CTE is visible only after its definition, and inside itself only when
 * recursive): a name the engine wrongly took for a CTE would reach the backend unqualified and unchecked, whereas a
 * CTE wrongly taken for a table is only rewritten to a physical name and checked.
 */
final class Scope {
    static final Scope EMPTY = new Scope(null, null);

    private final String name;
    private final Scope outer;

    private Scope(String name, Scope outer) {
        this.name = name;
        this.outer = outer;
    }

    Scope plus(String cteName) {
        return new Scope(cteName, this);
    }

    boolean contains(String cteName) {
        for (Scope s = this; s != EMPTY; s = s.outer) {
            if (s.name.equals(cteName)) {
                return true;
            }
        }
        return false;
    }
}

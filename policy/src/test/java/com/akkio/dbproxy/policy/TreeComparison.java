package com.akkio.dbproxy.policy;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.Node;
import net.sf.jsqlparser.parser.Token;

/**
 * Compares two JSqlParser trees field by field, through every object of JSqlParser's own classes, with the token
 * span of each node the grammar linked (where the rewrite finds a name in the text): the first difference found, as
 * a path, or null when the trees are the same.
 */
final class TreeComparison {
    private final IdentityHashMap<Object, Object> visited = new IdentityHashMap<>();

    private TreeComparison() {
    }

    static String difference(Object expected, Object actual) {
        return new TreeComparison().compare("", expected, actual);
    }

    private String compare(String path, Object expected, Object actual) {
        if (expected == null || actual == null) {
            return expected == actual ? null : path + ": " + describe(expected) + " vs " + describe(actual);
        }
        if (expected.getClass() != actual.getClass()) {
            return path + ": " + expected.getClass().getSimpleName() + " vs " + actual.getClass().getSimpleName();
        }
        if (visited.put(expected, actual) != null) {
            return visited.get(expected) == actual ? null : path + ": shared differently";
        }
        if (expected instanceof ASTNodeAccess e) {
            String span = compareSpan(path, e.getASTNode(), ((ASTNodeAccess) actual).getASTNode());
            if (span != null) {
                return span;
            }
        }
        Class<?> type = expected.getClass();
        if (type.isArray()) {
            int n = Array.getLength(expected);
            if (n != Array.getLength(actual)) {
                return path + ": length " + n + " vs " + Array.getLength(actual);
            }
            for (int i = 0; i < n; i++) {
                String d = compare(path + "[" + i + "]", Array.get(expected, i), Array.get(actual, i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (expected instanceof Collection<?> c && !type.getName().startsWith("net.sf.jsqlparser")) {
            return compareElements(path, c, (Collection<?>) actual);
        }
        if (expected instanceof Map.Entry<?, ?> e) {
            String d = compare(path + ".key", e.getKey(), ((Map.Entry<?, ?>) actual).getKey());
            return d != null ? d : compare(path + ".value", e.getValue(), ((Map.Entry<?, ?>) actual).getValue());
        }
        if (expected instanceof Map<?, ?> m) {
            return compareElements(path, new ArrayList<>(m.entrySet()), new ArrayList<>(((Map<?, ?>) actual)
                    .entrySet()));
        }
        if (!type.getName().startsWith("net.sf.jsqlparser")) {
            return expected.equals(actual) ? null : path + ": " + describe(expected) + " vs " + describe(actual);
        }
        if (expected instanceof Collection<?> c) {
            String d = compareElements(path, c, (Collection<?>) actual);
            if (d != null) {
                return d;
            }
        }
        for (Class<?> k = type; k != null && k.getName().startsWith("net.sf.jsqlparser"); k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType() == Node.class) {
                    continue;
                }
                f.setAccessible(true);
                try {
                    String d = compare(path + "." + f.getName(), f.get(expected), f.get(actual));
                    if (d != null) {
                        return d;
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return null;
    }

    private String compareElements(String path, Collection<?> expected, Collection<?> actual) {
        if (expected.size() != actual.size()) {
            return path + ": " + expected.size() + " elements vs " + actual.size();
        }
        Iterator<?> a = actual.iterator();
        int i = 0;
        for (Object e : expected) {
            String d = compare(path + "[" + i++ + "]", e, a.next());
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static String compareSpan(String path, Node expected, Node actual) {
        if (expected == null || actual == null) {
            return expected == actual ? null : path + ": node " + (expected == null ? "absent" : "present")
                    + " vs " + (actual == null ? "absent" : "present");
        }
        if (!samePlace(expected.jjtGetFirstToken(), actual.jjtGetFirstToken())
                || !samePlace(expected.jjtGetLastToken(), actual.jjtGetLastToken())) {
            return path + ": node spans " + span(expected) + " vs " + span(actual);
        }
        return null;
    }

    private static boolean samePlace(Token a, Token b) {
        return a == null ? b == null : b != null && a.kind == b.kind && a.image.equals(b.image)
                && a.beginLine == b.beginLine && a.beginColumn == b.beginColumn;
    }

    private static String span(Node n) {
        return place(n.jjtGetFirstToken()) + ".." + place(n.jjtGetLastToken());
    }

    private static String place(Token t) {
        return t == null ? "?" : t.image + "@" + t.beginLine + ":" + t.beginColumn;
    }

    private static String describe(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName() + " " + o;
    }
}

package com.akkio.dbproxy.policy;

import java.lang.reflect.Field;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Visits and replaces the nodes of a JSqlParser tree by reflection, over the same fields {@link ObjectAnalyzer} walks,
 * so that a replacement reaches a node wherever the parser put it. A node goes only into a field (or an element of a
 * list of expressions) whose type takes it; what cannot be placed is reported, never dropped.
 */
final class NodeSlots {
    private NodeSlots() {
    }

    /** Calls {@code each} once for every syntax node under {@code root}, {@code root} included. */
    static void forEach(Object root, Consumer<Object> each) {
        walk(root, each, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    }

    /**
     * Puts each value of {@code replacements} where its key (by identity) is held; returns the keys it found no
     * place for (a field of another type, a list of anything but expressions), which the caller must refuse.
     */
    static Set<Object> replace(Object root, Map<Object, Object> replacements) {
        Set<Object> unplaced = Collections.newSetFromMap(new IdentityHashMap<>());
        unplaced.addAll(replacements.keySet());
        forEach(root, node -> {
            for (Field field : ObjectAnalyzer.childFields(node.getClass())) {
                Object value = read(field, node);
                if (value != null && replacements.containsKey(value)) {
                    Object replacement = replacements.get(value);
                    if (field.getType().isInstance(replacement)) {
                        write(field, node, replacement);
                        unplaced.remove(value);
                    }
                } else if (value instanceof List<?> list) {
                    replaceInList(list, replacements, unplaced);
                }
            }
            if (node instanceof List<?> list) {
                replaceInList(list, replacements, unplaced);
            }
        });
        return unplaced;
    }

    @SuppressWarnings("unchecked")
    private static void replaceInList(List<?> list, Map<Object, Object> replacements, Set<Object> unplaced) {
        ListIterator<Object> items = ((List<Object>) list).listIterator();
        while (items.hasNext()) {
            Object item = items.next();
            Object replacement = item == null ? null : replacements.get(item);
            // only expressions for expressions: a list's element type is erased, so nothing else is trusted
            if (replacement != null && item instanceof net.sf.jsqlparser.expression.Expression
                    && replacement instanceof net.sf.jsqlparser.expression.Expression
                    && !(item instanceof net.sf.jsqlparser.statement.select.FromItem)) {
                items.set(replacement);
                unplaced.remove(item);
            }
        }
    }

    private static void walk(Object node, Consumer<Object> each, Set<Object> seen, int depth) {
        if (node == null || depth > ObjectAnalyzer.MAX_DEPTH || !seen.add(node)) {
            return;
        }
        if (node instanceof Iterable<?> items && !ObjectAnalyzer.isNode(node.getClass())) {
            for (Object item : items) {
                walk(item, each, seen, depth + 1);
            }
            return;
        }
        if (!ObjectAnalyzer.isNode(node.getClass())) {
            return;
        }
        each.accept(node);
        for (Field field : ObjectAnalyzer.childFields(node.getClass())) {
            walk(read(field, node), each, seen, depth + 1);
        }
        if (node instanceof Iterable<?> items) {
            for (Object item : items) {
                walk(item, each, seen, depth + 1);
            }
        }
    }

    private static Object read(Field field, Object node) {
        try {
            return field.get(node);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }

    private static void write(Field field, Object node, Object value) {
        try {
            field.set(node, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot write " + field, e);
        }
    }
}

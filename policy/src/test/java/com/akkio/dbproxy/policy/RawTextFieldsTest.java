package com.akkio.dbproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import org.junit.jupiter.api.Test;

/**
 * Every field of every JSqlParser syntax node that can hold text (a string, or strings in a list, map, map entry,
 * array or plain object field) is read by the analysis: found by scanning the parser's jar, each such field is given
 * text that calls {@code current_setting('memory_limit')} on a node of its class, and the analysis of that node must
 * deny it, either because it parsed the text and checked the function ("analysed") or because the field may not
 * hold such text ("denied"). Only the inside of string literals is never read, because their node emits it between
 * quotes. A later JSqlParser with new text fields is covered without a change here: an unlisted field is read as
 * expression text.
 */
class RawTextFieldsTest {
    private static final String PAYLOAD = "current_setting('memory_limit')";
    /** The inside of a string literal: the deparser writes it between its quotes, so it is text only to the backend. */
    private static final Set<String> LITERAL_INSIDES = Set.of("StringValue.value", "StringValue.quoteStr",
            "StringValue.prefix");

    private final TenantPolicy acme = DemoPolicies.acme();

    /**
     * The dot between a name's parts (Column.tableDelimiter, Table.partDelimiters) is read without lexing; the answer
     * is the lexed one (a dot is all such a field may hold besides other operators), and any other text is lexed.
     */
    @Test
    void aLoneDotInAnOperatorFieldIsInertAndAnythingMoreIsStillLexedAndChecked() {
        for (Dialect dialect : Dialect.values()) {
            assertThat(RawText.read(".", RawText.Holds.OPERATOR, dialect, "Column.tableDelimiter"))
                    .isSameAs(RawText.Reading.INERT);
            assertThat(RawText.read(":", RawText.Holds.OPERATOR, dialect, "Column.tableDelimiter"))
                    .isSameAs(RawText.Reading.INERT);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawText.read(". x", RawText.Holds.OPERATOR,
                    dialect, "Column.tableDelimiter")).isInstanceOf(Denial.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawText.read(".x", RawText.Holds.OPERATOR,
                    dialect, "Column.tableDelimiter")).isInstanceOf(Denial.class);
        }
    }

    @Test
    void everyTextFieldOfEverySyntaxNodeIsAnalysedOrDenied() throws Exception {
        List<Class<?>> classes = syntaxNodeClasses();
        assertThat(classes).hasSizeGreaterThan(300);
        Map<String, String> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Class<?> owner : classes) {
            for (Field field : owner.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || !holdsText(field)) {
                    continue;
                }
                String where = simpleName(owner) + "." + field.getName();
                if (LITERAL_INSIDES.contains(where)) {
                    assertThat(RawText.holds(owner, field.getName())).as(where).isEqualTo(RawText.Holds.LITERAL);
                    outcomes.put(where, "literal");
                    continue;
                }
                Object node = instanceWith(concrete(owner, classes), field);
                if (node == null) {
                    failures.add(where + ": no instance could be made to test it");
                    continue;
                }
                String outcome = outcome(node, where);
                if (outcome == null) {
                    failures.add(where + ": text '" + PAYLOAD + "' was neither analysed nor denied");
                } else {
                    outcomes.put(where, outcome);
                }
            }
        }
        assertThat(failures).isEmpty();
        long analysed = outcomes.values().stream().filter("analysed"::equals).count();
        System.out.printf("raw text fields: %d (%d analysed as expressions or types, %d denied, %d literal insides)%n",
                outcomes.size(), analysed, outcomes.values().stream().filter("denied"::equals).count(),
                LITERAL_INSIDES.size());
        for (String field : List.of("ColumnDefinition.columnSpecs", "ColumnOption.tokens", "ColDataType.dataType",
                "TableOption.tokens", "Index.idxSpec", "RawFunction.rawArguments")) {
            assertThat(outcomes.get(field)).as(field).isEqualTo("analysed");
        }
        // time travel holds VERSION AS OF or TIMESTAMP AS OF and an expression (analysed, see PolicyEngineTest);
        // a bare call is no time travel clause
        for (String field : List.of("Alias.name", "Column.columnName", "ComparisonOperator.operator",
                "Table.timeTravelStr")) {
            assertThat(outcomes.get(field)).as(field).isEqualTo("denied");
        }
    }

    @Test
    void everyFieldOfEverySyntaxNodeIsOfAKindTheWalkFollows() throws Exception {
        List<String> unknown = new ArrayList<>();
        for (Class<?> owner : syntaxNodeClasses()) {
            for (Field field : owner.getDeclaredFields()) {
                Class<?> type = field.getType();
                boolean understood = Modifier.isStatic(field.getModifiers()) || type.isPrimitive() || type.isEnum()
                        || type == String.class || type == Object.class || Number.class.isAssignableFrom(type)
                        || type == Boolean.class || type == Character.class || type.isArray()
                        || java.util.Date.class.isAssignableFrom(type) || type == Class.class || type == Enum.class
                        || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                        || Map.Entry.class.isAssignableFrom(type) || type.getName().startsWith("net.sf.jsqlparser.");
                if (!understood) {
                    unknown.add(simpleName(owner) + "." + field.getName() + " : " + type.getName());
                }
            }
        }
        assertThat(unknown).as("fields whose contents the walk would not see").isEmpty();
    }

    @Test
    void textInsideAStringLiteralIsNeverMistakenForAFunctionCall() {
        Decision d = new PolicyEngine().decide(acme, "SELECT 'current_setting(''memory_limit'')' AS s");
        assertThat(d.isAllowed()).as(d.toString()).isTrue();
    }

    /** "analysed" or "denied" when the node with the text is denied on account of it; null when it is not. */
    private String outcome(Object node, String where) {
        try {
            new ObjectAnalyzer(acme, false).analyze(node);
            return null;
        } catch (Denial d) {
            // analysed: the text was parsed and the function in it (or the type it names) was checked
            if ((d.code == DenyCode.FUNCTION_DENIED || d.code == DenyCode.TYPE_DENIED)
                    && d.getMessage().contains("current_setting")) {
                return "analysed";
            }
            return d.code == DenyCode.UNSUPPORTED_CONSTRUCT && d.getMessage().contains(where) ? "denied" : null;
        } catch (RuntimeException e) {
            // PolicyEngine denies a tree the analysis cannot walk; here only a denial naming the text counts
            return null;
        }
    }

    /** A node of {@code type} whose {@code field} holds the payload text, other fields as a constructor left them. */
    private static Object instanceWith(Class<?> type, Field field) throws Exception {
        Object node = type == Table.class ? new Table("orders") : newInstance(type);
        if (node == null) {
            return null;
        }
        field.setAccessible(true);
        field.set(node, value(field.getGenericType(), field.getType()));
        return node;
    }

    private static Object newInstance(Class<?> type) throws Exception {
        try {
            Constructor<?> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
            return allocate(type);
        }
    }

    /** An instance without running a constructor, for node classes that have no constructor without arguments. */
    private static Object allocate(Class<?> type) throws Exception {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object unsafe = theUnsafe.get(null);
        return unsafeClass.getMethod("allocateInstance", Class.class).invoke(unsafe, type);
    }

    /** The payload in the shape of a field's type: a string, a list of it, a map holding it, an entry, ... */
    private static Object value(Type generic, Class<?> raw) {
        if (raw == String.class || raw == Object.class) {
            return PAYLOAD;
        }
        if (raw.isArray()) {
            return new String[] {PAYLOAD};
        }
        Type[] args = generic instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[0];
        if (Map.Entry.class.isAssignableFrom(raw)) {
            return Map.entry(element(args[0]), element(args[1]));
        }
        if (Map.class.isAssignableFrom(raw)) {
            Map<Object, Object> map = new LinkedHashMap<>();
            map.put(element(args[0]), element(args[1]));
            return map;
        }
        Collection<Object> items = Set.class.isAssignableFrom(raw) ? new LinkedHashSet<>() : new ArrayList<>();
        items.add(args.length == 0 ? PAYLOAD : element(args[0]));
        return items;
    }

    /** One element of a container: the payload where text goes, a harmless node where a node goes. */
    private static Object element(Type type) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw == ColDataType.class) {
            return new ColDataType("INT");
        }
        if (raw.getName().startsWith("net.sf.jsqlparser.")) {
            return new NullValue();
        }
        return value(type, raw);
    }

    private static boolean holdsText(Field field) {
        Class<?> type = field.getType();
        String name = field.getGenericType().getTypeName();
        boolean container = type == String.class || type == Object.class || type.isArray()
                || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                || Map.Entry.class.isAssignableFrom(type);
        return container && (name.contains("java.lang.String") || name.contains("java.lang.Object"));
    }

    private static Class<?> concrete(Class<?> owner, List<Class<?>> classes) {
        if (!Modifier.isAbstract(owner.getModifiers())) {
            return owner;
        }
        for (Class<?> c : classes) {
            if (owner.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers()) && !c.isInterface()) {
                return c;
            }
        }
        return owner;
    }

    private static String simpleName(Class<?> c) {
        return c.getName().substring(c.getName().lastIndexOf('.') + 1);
    }

    /**
     * The classes a JSqlParser syntax tree is made of: everything in its jar but the parser itself (tokens, the
     * generated grammar), {@code net.sf.jsqlparser.util} (deparsers, visitors, validation) and the visitors kept
     * beside the nodes, which never appear in a tree.
     */
    static List<Class<?>> syntaxNodeClasses() throws IOException {
        Path jar;
        try {
            jar = Path.of(Statement.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<Class<?>> classes = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName();
                if (!name.startsWith("net/sf/jsqlparser/") || !name.endsWith(".class")
                        || name.startsWith("net/sf/jsqlparser/parser/") || name.startsWith("net/sf/jsqlparser/util/")
                        || name.contains("Visitor") || name.contains("DeParser")) {
                    continue;
                }
                try {
                    Class<?> c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                            RawTextFieldsTest.class.getClassLoader());
                    if (!c.isInterface() && !c.isEnum() && !c.isAnnotation()) {
                        classes.add(c);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // a class that needs an optional dependency cannot be in a tree this engine builds
                }
            }
        }
        return classes;
    }

    @Test
    void bindParameterMarkersOfEveryStyleAreReadAsMarkersAndNothingElse() {
        PolicyEngine engine = new PolicyEngine();
        for (String sql : new String[] {"SELECT * FROM orders WHERE order_id = ?",
                "SELECT * FROM orders WHERE order_id = $1", "SELECT * FROM orders WHERE order_id = :id"}) {
            assertThat(engine.decide(DemoPolicies.acme(), sql).isAllowed()).as(sql).isTrue();
        }
    }
}

package com.akkio.dbproxy.server.frontend.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import com.akkio.dbproxy.server.governed.ProxyError;
import org.apache.calcite.avatica.remote.ProtobufMeta;
import org.junit.jupiter.api.Test;

/** Refusing is the default for Avatica calls: only the calls the proxy governs are answered. */
class RefusingMetaTest {
    /** The calls AvaticaMeta answers; serving another one is a decision this list makes visible. */
    private static final Set<String> GOVERNED = Set.of("openConnection", "closeConnection", "connectionSync",
            "getDatabaseProperties", "commit", "rollback", "createStatement", "closeStatement", "prepare",
            "prepareAndExecute", "execute", "fetch", "prepareAndExecuteBatch", "executeBatch", "executeBatchProtobuf",
            "createIterable", "getCatalogs", "getSchemas", "getTables", "getColumns", "getTableTypes", "getTypeInfo");

    private static Method[] metaCalls() {
        return Arrays.stream(ProtobufMeta.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isDefault()).toArray(Method[]::new);
    }

    private static Object[] defaults(Method m) {
        return Arrays.stream(m.getParameterTypes()).map(t -> t == int.class ? (Object) 0 : t == long.class
                ? (Object) 0L : t == boolean.class ? (Object) false : null).toArray();
    }

    @Test
    void everyAvaticaCallIsRefusedUnlessOverridden() throws Exception {
        RefusingMeta meta = new RefusingMeta() {
            @Override
            protected void checkConnection(ConnectionHandle ch) {
            }

            @Override
            protected void checkStatement(StatementHandle h) {
            }
        };
        for (Method m : metaCalls()) {
            try {
                m.invoke(meta, defaults(m));
                throw new AssertionError(m.getName() + " was answered");
            } catch (InvocationTargetException e) {
                assertThat(e.getCause()).as(m.toString()).isInstanceOfSatisfying(ProxyError.class, p -> {
                    assertThat(p.getSqlState()).isEqualTo("0A000");
                    assertThat(p.getErrorCode()).isEqualTo(3201);
                });
            }
        }
    }

    @Test
    void theAvaticaFrontEndAnswersExactlyTheGovernedCalls() {
        Set<String> overridden = new TreeSet<>();
        for (Method m : AvaticaMeta.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && Arrays.stream(metaCalls())
                    .anyMatch(c -> c.getName().equals(m.getName()))) {
                overridden.add(m.getName());
            }
        }
        assertThat(overridden).isEqualTo(new TreeSet<>(GOVERNED));
    }

    @Test
    void aCallOnAnotherTenantsHandleIsUnknownBeforeItIsUnsupported() {
        RefusingMeta meta = new RefusingMeta() {
            @Override
            protected void checkConnection(ConnectionHandle ch) {
                throw ProxyError.unknownHandle("connection");
            }

            @Override
            protected void checkStatement(StatementHandle h) {
                throw ProxyError.unknownHandle("statement");
            }
        };
        try {
            meta.getPrimaryKeys(new org.apache.calcite.avatica.Meta.ConnectionHandle("x"), null, null, "orders");
            throw new AssertionError("answered");
        } catch (ProxyError e) {
            assertThat(e.getSqlState()).isEqualTo("08003");
        }
    }
}

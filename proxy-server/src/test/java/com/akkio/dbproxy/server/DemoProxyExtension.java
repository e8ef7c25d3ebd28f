package com.akkio.dbproxy.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link DemoProxy} started for the tests of a class, in a temporary directory of its own that is deleted after it
 * stops:
 * <pre>{@code
 * @RegisterExtension
 * static final DemoProxyExtension proxy = DemoProxyExtension.of(DemoProxy.builder().unthrottled());
 * }</pre>
 * In a static field one proxy serves the whole class (started before all its tests, closed after them); in an
 * instance field each test gets its own. The tests reach it through {@link #get()}, or the shortcuts below.
 */
public final class DemoProxyExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final DemoProxy.Builder demo;
    private Path dir;
    private DemoProxy proxy;
    private boolean perTest;

    private DemoProxyExtension(DemoProxy.Builder demo) {
        this.demo = demo;
    }

    /** The demo as {@code demo} describes it. */
    public static DemoProxyExtension of(DemoProxy.Builder demo) {
        return new DemoProxyExtension(demo);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (proxy == null) { // registered in an instance field: JUnit calls no class-level callback
            perTest = true;
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (perTest) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private void start() throws Exception {
        dir = Files.createTempDirectory("akkio-demo-");
        try {
            proxy = demo.start(dir);
        } catch (Exception | Error e) {
            delete(dir);
            dir = null;
            throw e;
        }
    }

    private void stop() throws Exception {
        if (proxy == null) {
            return;
        }
        try {
            proxy.close();
        } finally {
            proxy = null;
            delete(dir);
            dir = null;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    /** The running proxy. */
    public DemoProxy get() {
        if (proxy == null) {
            throw new IllegalStateException("the demo proxy runs only while the tests do");
        }
        return proxy;
    }

    public ProxyServer server() {
        return get().server;
    }

    /** The proxy's audit log, in its directory. */
    public Path auditLog() {
        return get().auditLog;
    }

    /** The proxy's log of refused logins, beside its audit log. */
    public Path refusalLog() {
        return get().refusalLog();
    }

    /** The proxy's directory (configuration copies, audit log). */
    public Path dir() {
        get();
        return dir;
    }

    public String url() {
        return get().url();
    }

    /** The PostgreSQL front end's port. */
    public int pgPort() {
        return get().pgPort();
    }

    public Connection connect(String tenant, String secret) throws SQLException {
        return get().connect(tenant, secret);
    }

    public Connection acme() throws SQLException {
        return get().acme();
    }

    public Connection globex() throws SQLException {
        return get().globex();
    }
}

package com.akkio.dbproxy.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test against something running: the proxy on a port of 127.0.0.1 (a {@link DemoProxy}, a {@code ProxyServer} of
 * its own, a {@code serve} process), the Databricks emulator, or a client in another process. Tagged {@value #TAG}, it
 * runs in {@code mvn verify}'s integration-test phase (failsafe), not in the fast unit tier of {@code mvn test}. The
 * tag expressions that select the tiers are in the parent pom; see TESTING.md.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(LiveServerTest.TAG)
public @interface LiveServerTest {
    /** The JUnit tag, as the parent pom's tag expressions name it. */
    String TAG = "live";
}

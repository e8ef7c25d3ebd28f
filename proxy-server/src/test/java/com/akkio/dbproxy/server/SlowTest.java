package com.akkio.dbproxy.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test that takes long by design (a soak for a set time, a throughput table, client libraries in other processes):
 * tagged {@value #TAG}, it runs in {@code mvn verify}'s integration-test phase (failsafe), not in the fast unit tier
 * of {@code mvn test}, nor in the live tier alone ({@code -Plive}). See TESTING.md.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(SlowTest.TAG)
public @interface SlowTest {
    /** The JUnit tag, as the parent pom's tag expressions name it. */
    String TAG = "slow";
}

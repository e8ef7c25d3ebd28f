package com.akkio.dbproxy.policy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test that runs for a bounded time rather than until it is done (fuzzers, random-input runs of several seconds):
 * tagged {@value #TAG}, it runs in {@code mvn verify}'s integration-test phase (failsafe), not in the fast unit tier
 * of {@code mvn test}. The tag expressions that select the tiers are in the parent pom; see TESTING.md.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(SlowTest.TAG)
public @interface SlowTest {
    /** The JUnit tag, as the parent pom's tag expressions name it. */
    String TAG = "slow";
}

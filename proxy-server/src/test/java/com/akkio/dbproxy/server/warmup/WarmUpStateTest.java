package com.akkio.dbproxy.server.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code /ready} makes of the warm-up at each stage. */
class WarmUpStateTest {
    @Test
    void aRunningWarmUpHoldsReadinessAndAnEndedOneReleasesIt() {
        WarmUpState running = WarmUpState.running(2, 10);
        assertThat(running.problem()).contains("warming up").contains("seconds: 2").contains("max_seconds: 10");
        assertThat(running.warning()).isNull();
        assertThat(running.ended()).isFalse();

        running.done(new WarmUp.Report(3, 120, 4, 600,
                new WarmUp.Judgement(28, new HostLoad.Share(0.012, 0.04, -1), false), 1.5,
                WarmUp.Ending.JIT_QUIET));
        assertThat(running.problem()).isNull();
        assertThat(running.warning()).isNull();
        assertThat(running.summary()).containsEntry("status", "done").containsEntry("statements", 120L)
                .containsEntry("statements_at_target_seconds", 28L).containsEntry("target_seconds", 2)
                .containsEntry("max_seconds", 10).containsEntry("ended_because", "the JIT compilers fell quiet")
                .containsEntry("host_busy_at_target_seconds", false)
                .containsEntry("host_cpu_to_others_at_target_seconds", 0.012)
                .containsEntry("host_cpu_idle_at_target_seconds", 0.04)
                .doesNotContainKey("cpu_quota_throttled_at_target_seconds");
    }

    @Test
    void aFailedWarmUpReleasesReadinessWithAWarningNamingTheCause() {
        WarmUpState failed = WarmUpState.running(2, 10);
        failed.failed("connection refused");
        assertThat(failed.problem()).isNull();
        assertThat(failed.warning()).contains("failed").contains("connection refused");
        assertThat(failed.ended()).isTrue();
    }

    @Test
    void withoutAWarmUpTheProxyIsReadyAtOnce() {
        assertThat(WarmUpState.off().problem()).isNull();
        assertThat(WarmUpState.off().summary()).containsOnlyKeys("status").containsEntry("status", "off");
    }
}

package com.akkio.dbproxy.server.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/** How the warm-up reads the host's load: Linux's accounting files, and a host really kept busy. */
class HostLoadTest {
    private static final String PROC_STAT = """
            cpu  5661058 7 475121 4432181 5450 0 31080 14055 0 0
            cpu0 2756582 0 230809 2298196 1172 0 15026 7187 0 0
            cpu1 2904476 7 244312 2133985 4278 0 16054 6867 0 0
            intr 56144664 0 0 0
            """;

    @Test
    void theHostsBusyTicksLeaveOutIdleAndIoWaitAndCountStolenTime() {
        long[] ticks = HostLoad.hostTicks(PROC_STAT);
        assertThat(ticks[0]).isEqualTo(5661058 + 7 + 475121 + 0 + 31080 + 14055);
        assertThat(ticks[1]).isEqualTo(ticks[0] + 4432181 + 5450);
        assertThat(HostLoad.hostTicks("cpu0 1 2 3 4\n")).containsExactly(-1, -1);
        assertThat(HostLoad.hostTicks("cpu  1 2 x 4 5\n")).containsExactly(-1, -1);
        assertThat(HostLoad.hostTicks(null)).containsExactly(-1, -1);
    }

    @Test
    void theProcessesOwnTicksAreCountedAfterACommandNameWithSpacesAndBrackets() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 9 0 0 0 1234 567 0 0 20 0 41 0 100 1 2";
        assertThat(HostLoad.ownTicks(stat)).isEqualTo(1234 + 567);
        assertThat(HostLoad.ownTicks("4242 (java) S 1 2")).isEqualTo(-1);
        assertThat(HostLoad.ownTicks("no bracket")).isEqualTo(-1);
    }

    @Test
    void aCgroupsThrottledTimeIsReadFromEitherVersionInNanoseconds() {
        assertThat(HostLoad.throttledNanos("usage_usec 10\nnr_periods 5\nnr_throttled 2\nthrottled_usec 1500\n"))
                .isEqualTo(1_500_000);
        assertThat(HostLoad.throttledNanos("nr_periods 5\nnr_throttled 2\nthrottled_time 2500\n")).isEqualTo(2500);
        assertThat(HostLoad.throttledNanos("nr_periods 0\n")).isEqualTo(-1);
    }

    @Test
    void aHostIsBusyWhenOthersTookItsIdleTimeOrItsQuotaHeldItBack() {
        HostLoad.Sample from = new HostLoad.Sample(1000, 2000, 100, 0, 0);
        // 1,000 ticks passed: 950 busy, of which 400 this process's: others 55 %, idle 5 %
        HostLoad.Share busy = HostLoad.between(from, new HostLoad.Sample(1950, 3000, 500, 0, 1_000_000_000));
        assertThat(busy.others()).isCloseTo(0.55, offset(1e-9));
        assertThat(busy.idle()).isCloseTo(0.05, offset(1e-9));
        assertThat(busy.throttled()).isZero();
        assertThat(busy.busy()).isTrue();
        // the same others with half the host idle: a large host with cores to spare
        assertThat(new HostLoad.Share(0.55, 0.5, 0).busy()).isFalse();
        // the warm-up alone took every core
        assertThat(HostLoad.between(from, new HostLoad.Sample(2000, 3000, 1100, 0, 1)).busy()).isFalse();
        // throttled for 30 % of a second, however quiet the host
        assertThat(HostLoad.between(from, new HostLoad.Sample(1100, 3000, 150, 300_000_000, 1_000_000_000))
                .busy()).isTrue();
        assertThat(HostLoad.between(new HostLoad.Sample(-1, -1, -1, -1, 0), new HostLoad.Sample(-1, -1, -1, -1, 5)))
                .isEqualTo(HostLoad.Share.UNKNOWN);
        assertThat(HostLoad.Share.UNKNOWN.busy()).as("unknown counts as quiet").isFalse();
    }

    @Test
    void otherProcessesSpinningOnEveryCoreMakeTheHostBusy() throws Exception {
        assumeThat(Files.isReadable(Path.of("/proc/stat"))).as("Linux's accounting").isTrue();
        long cpus = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        List<Process> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < cpus; i++) {
                spinners.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            TimeUnit.MILLISECONDS.sleep(200);
            HostLoad.Sample from = HostLoad.sample();
            TimeUnit.SECONDS.sleep(1);
            HostLoad.Share load = HostLoad.between(from, HostLoad.sample());
            assertThat(load.others()).as("%s", load).isGreaterThanOrEqualTo(HostLoad.BUSY_OTHERS);
            assertThat(load.busy()).as("%s", load).isTrue();
        } finally {
            spinners.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void thisProcessesOwnWorkIsNotTakenForOtherProcesses() throws Exception {
        assumeThat(Files.isReadable(Path.of("/proc/self/stat"))).as("Linux's accounting").isTrue();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            Thread t = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    n++;
                }
                assertThat(n).isNotNegative();
            });
            t.setDaemon(true);
            spinners.add(t);
            t.start();
        }
        try {
            TimeUnit.MILLISECONDS.sleep(200);
            HostLoad.Sample from = HostLoad.sample();
            TimeUnit.SECONDS.sleep(1);
            HostLoad.Sample to = HostLoad.sample();
            HostLoad.Share load = HostLoad.between(from, to);
            double own = (to.ownTicks() - from.ownTicks()) / (double) (to.hostTotalTicks() - from.hostTotalTicks());
            assertThat(load.others()).as("others %s, this process %s", load, own).isLessThan(own);
        } finally {
            stop.set(true);
        }
    }
}

package com.akkio.dbproxy.server.warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How much of the host's CPU went to other work while the warm-up ran, read from Linux's own accounting: the host's
 * busy time in {@code /proc/stat} less this process's in {@code /proc/self/stat} (both in the kernel's clock ticks,
 * so their ratio needs no tick rate), and the time the kernel held this container's cgroup back for its CPU quota
 * ({@code cpu.stat}). A busy host is what starves the JIT's compiler threads along with the warm-up's clients; a slow
 * start on a quiet host (no matching AppCDS archive, a cold page cache) also drives few statements but leaves the
 * other processes' share near nothing, which is what tells the two apart.
 *
 * <p>Where a file cannot be read (not Linux, a locked-down {@code /proc}) its part is unknown and counts as idle: the
 * warm-up then ends at its seconds, as it did before it judged the host at all.
 */
public final class HostLoad {
    /**
     * The share of the host's CPU time taken by other processes at or above which a host left without idle time is
     * busy: two spinning processes beside a warm-up on a 2-core host took 25–33 % of it, one 17–19 %, a quiet host's
     * background 0–3.5 % (bench/README).
     */
    public static final double BUSY_OTHERS = 0.2;
    /**
     * The host's idle share below which it had no cores to spare: a warm-up alone keeps a small host's cores busy, a
     * large host with busy neighbours may still have many idle.
     */
    public static final double NO_IDLE = 0.1;
    /** The share of the wall-clock time this cgroup spent held back for its CPU quota at or above which it is busy. */
    public static final double BUSY_THROTTLED = 0.1;

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path OWN_STAT = Path.of("/proc/self/stat");
    /** cgroup v2 ({@code throttled_usec}), then v1's two usual mounts ({@code throttled_time}, nanoseconds). */
    private static final List<Path> CPU_STATS = List.of(Path.of("/sys/fs/cgroup/cpu.stat"),
            Path.of("/sys/fs/cgroup/cpu/cpu.stat"), Path.of("/sys/fs/cgroup/cpu,cpuacct/cpu.stat"));

    private HostLoad() {
    }

    /**
     * One reading: the host's busy and total clock ticks over all its CPUs, this process's ticks, this cgroup's
     * throttled nanoseconds, and {@link System#nanoTime()}. A part that could not be read is -1.
     */
    public record Sample(long hostBusyTicks, long hostTotalTicks, long ownTicks, long throttledNanos, long nanos) {
    }

    /**
     * What the host's other work took between two samples: {@code others} and {@code idle} as shares of all its CPUs'
     * time, {@code throttled} as a share of the wall-clock time; -1 where unknown.
     */
    public record Share(double others, double idle, double throttled) {
        public static final Share UNKNOWN = new Share(-1, -1, -1);

        /**
         * The warm-up was starved: other processes took at least {@link #BUSY_OTHERS} of a host left with under
         * {@link #NO_IDLE} idle, or the cgroup's quota held it back at least {@link #BUSY_THROTTLED} of the time.
         */
        public boolean busy() {
            return others >= BUSY_OTHERS && idle >= 0 && idle < NO_IDLE || throttled >= BUSY_THROTTLED;
        }
    }

    /** Reads the host now. */
    public static Sample sample() {
        long[] host = hostTicks(read(PROC_STAT));
        long own = ownTicks(read(OWN_STAT));
        long throttled = -1;
        for (Path p : CPU_STATS) {
            throttled = throttledNanos(read(p));
            if (throttled >= 0) {
                break;
            }
        }
        return new Sample(host[0], host[1], own, throttled, System.nanoTime());
    }

    /** The share of the host the other work took from {@code from} to {@code to}. */
    public static Share between(Sample from, Sample to) {
        double others = -1;
        double idle = -1;
        long total = to.hostTotalTicks() - from.hostTotalTicks();
        if (from.hostTotalTicks() >= 0 && to.hostTotalTicks() >= 0 && total > 0) {
            long busy = to.hostBusyTicks() - from.hostBusyTicks();
            idle = Math.max(0, total - busy) / (double) total;
            if (from.ownTicks() >= 0 && to.ownTicks() >= 0) {
                // the two files are read a moment apart, so a quiet host can come out a tick below nothing
                others = Math.max(0, busy - (to.ownTicks() - from.ownTicks())) / (double) total;
            }
        }
        double throttled = -1;
        long wall = to.nanos() - from.nanos();
        if (from.throttledNanos() >= 0 && to.throttledNanos() >= 0 && wall > 0) {
            throttled = Math.max(0, to.throttledNanos() - from.throttledNanos()) / (double) wall;
        }
        return new Share(others, idle, throttled);
    }

    /**
     * The host's busy and total ticks from {@code /proc/stat}'s first line ({@code cpu user nice system idle iowait
     * irq softirq steal guest guest_nice}): idle and I/O wait are idle; the time a hypervisor gave to other guests
     * (steal) is busy, as the neighbours took it; guest time is already in user time. {-1, -1} if unreadable.
     */
    static long[] hostTicks(String procStat) {
        long[] unknown = {-1, -1};
        if (procStat == null || !procStat.startsWith("cpu ")) {
            return unknown;
        }
        int eol = procStat.indexOf('\n');
        String[] f = procStat.substring(4, eol < 0 ? procStat.length() : eol).trim().split(" +");
        if (f.length < 4) {
            return unknown;
        }
        long busy = 0;
        long total = 0;
        for (int i = 0; i < Math.min(f.length, 8); i++) {
            long ticks = parse(f[i]);
            if (ticks < 0) {
                return unknown;
            }
            total += ticks;
            if (i != 3 && i != 4) {
                busy += ticks;
            }
        }
        return new long[] {busy, total};
    }

    /**
     * This process's user and system ticks from {@code /proc/self/stat} (fields 14 and 15), counted after the
     * command name's closing bracket, as the name may hold spaces and brackets itself; -1 if unreadable.
     */
    static long ownTicks(String selfStat) {
        if (selfStat == null) {
            return -1;
        }
        int close = selfStat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        // after ") ": field 3 (state) is the first, so fields 14 and 15 are the 12th and 13th
        String[] f = selfStat.substring(close + 1).trim().split(" +");
        if (f.length < 13) {
            return -1;
        }
        long user = parse(f[11]);
        long system = parse(f[12]);
        return user < 0 || system < 0 ? -1 : user + system;
    }

    /** The cgroup's throttled time in nanoseconds from its {@code cpu.stat} (v2 or v1), -1 if it has none. */
    static long throttledNanos(String cpuStat) {
        if (cpuStat == null) {
            return -1;
        }
        for (String line : cpuStat.split("\n")) {
            String[] kv = line.trim().split(" +");
            if (kv.length == 2 && kv[0].equals("throttled_usec")) {
                long usec = parse(kv[1]);
                return usec < 0 ? -1 : usec * 1000;
            }
            if (kv.length == 2 && kv[0].equals("throttled_time")) {
                return parse(kv[1]);
            }
        }
        return -1;
    }

    private static long parse(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }

    private static String read(Path file) {
        try {
            return Files.isReadable(file) ? Files.readString(file) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

package com.akkio.dbproxy.server.warmup;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the warm-up at start stands, as {@code /ready} reports it. While it runs the proxy is not ready; it is ready
 * once the warm-up ended, failed, or ran {@value #GRACE_SECONDS} s past its bound: a warm-up can delay readiness, never
 * prevent it.
 */
public final class WarmUpState {
    /** How long past {@code max_seconds} readiness waits for a warm-up that has not ended (closing its copy). */
    public static final long GRACE_SECONDS = 5;

    private enum Phase { OFF, RUNNING, DONE, FAILED }

    private final int seconds;
    private final int maxSeconds;
    private volatile long startNanos;
    private volatile Phase phase;
    private volatile long endNanos;
    private volatile WarmUp.Report report;
    private volatile String failure;

    private WarmUpState(Phase phase, int seconds, int maxSeconds) {
        this.phase = phase;
        this.seconds = seconds;
        this.maxSeconds = maxSeconds;
        this.startNanos = System.nanoTime();
    }

    /** No warm-up configured: ready at once. */
    public static WarmUpState off() {
        return new WarmUpState(Phase.OFF, 0, 0);
    }

    /** A warm-up that starts now, with {@code server.warmup}'s two bounds. */
    public static WarmUpState running(int seconds, int maxSeconds) {
        return new WarmUpState(Phase.RUNNING, seconds, maxSeconds);
    }

    /** The warm-up itself starts now (alongside the opening of the server it warms): its bound counts from here. */
    public void begin() {
        startNanos = System.nanoTime();
    }

    public void done(WarmUp.Report result) {
        report = result;
        endNanos = System.nanoTime();
        phase = Phase.DONE;
    }

    public void failed(String why) {
        failure = why;
        endNanos = System.nanoTime();
        phase = Phase.FAILED;
    }

    /** The warm-up ended one way or another (or there is none). */
    public boolean ended() {
        return phase != Phase.RUNNING;
    }

    /** Why the proxy is not ready yet, or null. */
    public String problem() {
        if (phase != Phase.RUNNING || overran()) {
            return null;
        }
        return String.format(Locale.ROOT, "warming up for %.1f s (server.warmup.seconds: %d, max_seconds: %d)",
                elapsed(), seconds, maxSeconds);
    }

    /** What went wrong without making the proxy unready, or null. */
    public String warning() {
        if (phase == Phase.FAILED) {
            return "the warm-up failed (" + failure + "); serving without it, first statements slower";
        }
        if (phase == Phase.RUNNING && overran()) {
            return "the warm-up did not end within server.warmup.max_seconds (" + maxSeconds + " s); serving while"
                    + " it ends";
        }
        return null;
    }

    /** The figures {@code /ready} shows under {@code warm_up}. */
    public Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", phase.name().toLowerCase(Locale.ROOT));
        if (phase == Phase.OFF) {
            return out;
        }
        out.put("seconds", Math.round(elapsed() * 100) / 100.0);
        out.put("target_seconds", seconds);
        out.put("max_seconds", maxSeconds);
        WarmUp.Report r = report;
        if (r != null) {
            out.put("statements", r.statements());
            out.put("refused_on_purpose", r.refused());
            out.put("policy_decisions", r.decisions());
            WarmUp.Judgement j = r.atSeconds();
            if (j.statements() >= 0) {
                out.put("statements_at_target_seconds", j.statements());
                out.put("host_busy_at_target_seconds", j.busy());
                putShare(out, "host_cpu_to_others_at_target_seconds", j.load().others());
                putShare(out, "host_cpu_idle_at_target_seconds", j.load().idle());
                putShare(out, "cpu_quota_throttled_at_target_seconds", j.load().throttled());
            }
            out.put("ended_because", r.ending().why());
        }
        return out;
    }

    /** A share to three places, left out where the host could not tell it. */
    private static void putShare(Map<String, Object> out, String key, double share) {
        if (share >= 0) {
            out.put(key, Math.round(share * 1000) / 1000.0);
        }
    }

    private boolean overran() {
        return elapsed() > maxSeconds + GRACE_SECONDS;
    }

    private double elapsed() {
        long end = phase == Phase.RUNNING ? System.nanoTime() : endNanos;
        return (end - startNanos) / (double) TimeUnit.SECONDS.toNanos(1);
    }
}

package com.akkio.dbproxy.server.warmup;

/**
 * When the warm-up may end before {@code max_seconds}: fed one observation per round, it says whether the path is
 * warm. Two ways to be warm:
 * <ul>
 *   <li><b>the JIT fell quiet</b>: every client sent its whole script (the demo corpus included) and the compilers were
 *   busy less than {@value #QUIET_PERCENT} % of the round;</li>
 *   <li><b>a plateau</b>: every client sent each of its hot statements at least once, the fastest {@code SELECT 1}
 *   of a round has not improved on the best before it by more than {@value #IMPROVEMENT_PERCENT} % for
 *   {@value #FLAT_ROUNDS} rounds that sent one, and the compilers were busy less than {@value #DRAINED_PERCENT} % of
 *   the round. The last condition stands for a drained compile queue: a compiler thread with work queued compiles
 *   without pause, so a queue that held work all round would show at least 100 %.</li>
 * </ul>
 * Both wait for the clients to have sent their statements because clients blocked on class loading (a busy machine)
 * leave the JIT quiet too. The fastest rather than the median {@code SELECT 1}: on a shared machine the median mostly
 * measures the other processes, the fastest how much work the path itself still takes.
 */
final class SteadyState {
    static final int QUIET_PERCENT = 10;
    static final int DRAINED_PERCENT = 50;
    static final int IMPROVEMENT_PERCENT = 10;
    static final int FLAT_ROUNDS = 3;
    /** The first rounds start clients and load classes: never judged. */
    private static final int SKIPPED_ROUNDS = 2;

    enum Verdict { NOT_YET, JIT_QUIET, PLATEAU }

    private int rounds;
    private long bestProbeNanos = Long.MAX_VALUE;
    private int flatRounds;

    /**
     * One round: its wall time and the compilers' time in it (ms), the fastest {@code SELECT 1} in it (ns, or a
     * negative number if none ended in it), whether every client sent each hot statement, and its whole script.
     */
    Verdict round(long roundMillis, long jitMillis, long fastestProbeNanos, boolean hotCycled, boolean allCycled) {
        rounds++;
        if (fastestProbeNanos >= 0 && hotCycled) {
            // the best only counts once every hot statement ran: before that the probe mostly waits for class loading
            if (bestProbeNanos == Long.MAX_VALUE
                    || fastestProbeNanos * 100 < bestProbeNanos * (100 - IMPROVEMENT_PERCENT)) {
                flatRounds = 0;
            } else {
                flatRounds++;
            }
            bestProbeNanos = Math.min(bestProbeNanos, fastestProbeNanos);
        }
        if (rounds <= SKIPPED_ROUNDS) {
            return Verdict.NOT_YET;
        }
        if (allCycled && jitMillis * 100 < roundMillis * QUIET_PERCENT) {
            return Verdict.JIT_QUIET;
        }
        if (hotCycled && flatRounds >= FLAT_ROUNDS && jitMillis * 100 < roundMillis * DRAINED_PERCENT) {
            return Verdict.PLATEAU;
        }
        return Verdict.NOT_YET;
    }
}

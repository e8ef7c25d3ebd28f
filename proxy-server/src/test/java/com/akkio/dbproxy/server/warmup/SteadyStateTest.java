package com.akkio.dbproxy.server.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import com.akkio.dbproxy.server.warmup.SteadyState.Verdict;
import org.junit.jupiter.api.Test;

/** When the warm-up may end before its bound: a quiet JIT, or a plateau with the compile queue drained. */
class SteadyStateTest {
    private static final long MS = 1_000_000;

    @Test
    void theJitFallingQuietEndsTheWarmUpOnlyOnceEveryClientSentItsWholeScript() {
        SteadyState s = new SteadyState();
        s.round(500, 400, -1, false, false);
        s.round(500, 400, -1, false, false);
        assertThat(s.round(500, 10, -1, true, false)).as("the corpus not yet sent").isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 10, -1, true, true)).isEqualTo(Verdict.JIT_QUIET);
    }

    @Test
    void noRoundIsJudgedWhileClientsStart() {
        SteadyState s = new SteadyState();
        assertThat(s.round(500, 0, -1, true, true)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 0, -1, true, true)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 0, -1, true, true)).isEqualTo(Verdict.JIT_QUIET);
    }

    @Test
    void aSelectOneThatStoppedGettingFasterWithTheCompileQueueDrainedIsAPlateau() {
        SteadyState s = new SteadyState();
        assertThat(s.round(500, 900, 5 * MS, true, false)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 900, 2 * MS, true, false)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 800, MS, true, false)).isEqualTo(Verdict.NOT_YET);
        // three rounds within 10 % of the best: flat, but the compilers were busy all round
        assertThat(s.round(500, 600, 1_050_000, true, false)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 600, 980_000, true, false)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 600, MS, true, false)).as("queue not drained").isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 200, MS, true, false)).isEqualTo(Verdict.PLATEAU);
    }

    @Test
    void aRoundThatIsClearlyFasterStartsTheCountOfFlatRoundsAgain() {
        SteadyState s = new SteadyState();
        s.round(500, 100, 2 * MS, true, false);
        s.round(500, 100, 2 * MS, true, false);
        s.round(500, 100, 2 * MS, true, false);
        assertThat(s.round(500, 100, MS, true, false)).as("twice as fast: still improving").isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 100, MS, true, false)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 100, MS, true, false)).isEqualTo(Verdict.NOT_YET);
        assertThat(s.round(500, 100, MS, true, false)).isEqualTo(Verdict.PLATEAU);
    }

    @Test
    void roundsWithoutASelectOneOrBeforeEveryHotStatementRanDoNotCountTowardsAPlateau() {
        SteadyState s = new SteadyState();
        for (int i = 0; i < 5; i++) {
            assertThat(s.round(500, 100, MS, false, false)).as("hot statements not all sent")
                    .isEqualTo(Verdict.NOT_YET);
        }
        s.round(500, 100, MS, true, false);
        for (int i = 0; i < 5; i++) {
            assertThat(s.round(500, 100, -1, true, false)).as("no SELECT 1 in the round").isEqualTo(Verdict.NOT_YET);
        }
        s.round(500, 100, MS, true, false);
        s.round(500, 100, MS, true, false);
        assertThat(s.round(500, 100, MS, true, false)).isEqualTo(Verdict.PLATEAU);
    }
}

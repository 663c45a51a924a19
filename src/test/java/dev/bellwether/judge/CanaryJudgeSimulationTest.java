package dev.bellwether.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import dev.bellwether.judge.Verdict.Outcome;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Rollup;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sequential judging as the controller does it: every tick a batch of new events joins the canary's and control's
 * rollups for the step and the judge looks again, over the whole step and from each later tick on (each tick stands
 * for a minute: more and thinner windows than the service's, so false alarms are if anything overstated); the first
 * FAIL acts. Seeded and deterministic: each run draws from {@code new Random(seed)} for seeds 0 .. {@value #RUNS} - 1,
 * so the measured rates are the same on every machine.
 */
class CanaryJudgeSimulationTest {

    private static final int RUNS = 200;
    private static final int TICKS = 50;
    private static final long MIN_SAMPLE = 200;
    private static final Instant AT = Instant.parse("2026-11-25T11:00:00Z");

    private static final TelemetryEvent DEAD_LETTERED =
            new TelemetryEvent.Replay("e", AT, "m", ReplayOutcome.DEAD_LETTERED, 1, 100.0);
    private static final TelemetryEvent SUCCEEDED =
            new TelemetryEvent.Replay("e", AT, "m", ReplayOutcome.SUCCEEDED, 1, 100.0);

    /** What one tick adds to a cohort. */
    private interface Traffic {
        void add(Rollup rollup, Random random, int events);
    }

    private static Traffic deadLetters(double ratio) {
        return (rollup, random, events) -> {
            for (int i = 0; i < events; i++) {
                rollup.add(random.nextDouble() < ratio ? DEAD_LETTERED : SUCCEEDED);
            }
        };
    }

    /** Log-normal sync latency, median 200 ms, sigma 0.5; a share {@code tailShare} then {@code tailFactor} slower. */
    private static Traffic syncs(double tailShare, double tailFactor) {
        return (rollup, random, events) -> {
            for (int i = 0; i < events; i++) {
                double latency = 200 * Math.exp(0.5 * random.nextGaussian());
                if (random.nextDouble() < tailShare) {
                    latency *= tailFactor;
                }
                rollup.add(new TelemetryEvent.Sync("e", AT, latency, null));
            }
        };
    }

    private record Scenario(String name, Guard guard, int canaryPerTick, Traffic canary, int controlPerTick,
            Traffic control) {

        /** The tick of the first FAIL, or -1 when every tick passed or held. */
        int firstFailure(long seed) {
            Random random = new Random(seed);
            List<Rollup[]> ticks = new java.util.ArrayList<>();
            JudgeSettings settings = JudgeSettings.defaults(MIN_SAMPLE);
            for (int tick = 0; tick < TICKS; tick++) {
                Rollup[] added = {new Rollup(), new Rollup()};
                canary.add(added[0], random, canaryPerTick);
                control.add(added[1], random, controlPerTick);
                ticks.add(added);
                Verdict verdict = CanaryJudge.judge(List.of(guard), windows(ticks), settings);
                if (verdict.outcome() == Outcome.FAIL) {
                    assertThat(verdict.action()).isEqualTo(guard.action());
                    return tick;
                }
            }
            return -1;
        }

        /** The whole step, then from each later tick on. */
        private static List<StepWindows.Window> windows(List<Rollup[]> ticks) {
            java.util.TreeMap<Long, StepWindows.Minute> byTick = new java.util.TreeMap<>();
            for (int tick = 0; tick < ticks.size(); tick++) {
                byTick.put((long) tick, new StepWindows.Minute(ticks.get(tick)[0], ticks.get(tick)[1]));
            }
            return StepWindows.of(byTick, true);
        }

        /** Share of the runs with a FAIL at any tick. */
        double failureShare() {
            int failed = 0;
            for (long seed = 0; seed < RUNS; seed++) {
                if (firstFailure(seed) >= 0) {
                    failed++;
                }
            }
            double share = (double) failed / RUNS;
            System.out.printf(Locale.ROOT, "%s: %d of %d runs failed (%.1f %%)%n", name, failed, RUNS, 100 * share);
            return share;
        }
    }

    private static final Guard DEAD_LETTER_GUARD = Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL);
    private static final Guard LATENCY_GUARD = Guard.of(Sli.SYNC_LATENCY, GuardAction.ROLLBACK);

    private static Scenario deadLetterScenario(String name, int canaryPerTick, double canaryRatio, int controlPerTick) {
        return new Scenario(name, DEAD_LETTER_GUARD, canaryPerTick, deadLetters(canaryRatio), controlPerTick,
                deadLetters(0.01));
    }

    // ---------------------------------------------------------------- false alarms

    /*
     * Measured with these seeds (0..199), defaults alpha 0.05, minAbsoluteEffect 0.001, minRelativeEffect 0.25:
     *   dead letters 1 % vs 1 %, 20/380 per tick:    0 of 200
     *   dead letters 1 % vs 1 %, 200/3800 per tick:  0 of 200
     *   dead letters 1 % vs 1 %, 1000/1000 per tick: 0 of 200
     *   sync latency identical, 20/380 per tick:     0 of 200
     */
    static Stream<Arguments> aaScenarios() {
        return Stream.of(
                Arguments.of(deadLetterScenario("A/A dead letters 1 % vs 1 %, canary 5 % of traffic (20/380 a tick)",
                        20, 0.01, 380)),
                Arguments.of(deadLetterScenario("A/A dead letters 1 % vs 1 %, 200/3800 a tick", 200, 0.01, 3800)),
                Arguments.of(deadLetterScenario("A/A dead letters 1 % vs 1 %, 50/50 split (1000/1000 a tick)",
                        1000, 0.01, 1000)),
                Arguments.of(new Scenario("A/A sync latency, identical distributions, 20/380 a tick", LATENCY_GUARD,
                        20, syncs(0, 1), 380, syncs(0, 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("aaScenarios")
    void identicalCohortsJudgedEveryTickRaiseAFalseAlarmInAtMostFivePercentOfRuns(Scenario scenario) {
        double falseAlarms = scenario.failureShare();

        assertThat(falseAlarms)
                .as("%s: share of %d runs with any FAIL over %d ticks was %.3f", scenario.name(), RUNS, TICKS, falseAlarms)
                .isLessThanOrEqualTo(0.05);
    }

    @Test
    void theNormalMixtureSprtStaysWithinAlphaWhereAFixedSampleTestCheckedEveryTickDoesNot() {
        // the raw test at margin 0 (the null on its boundary), tau 0.005, 200/3800 a tick, 1 % in both, from 200 canary
        // events on; measured: sequential 0 of 200 runs, one-sided z > 1.645 checked every tick 32 of 200
        int sequential = 0;
        int peeking = 0;
        for (long seed = 0; seed < RUNS; seed++) {
            Random random = new Random(seed);
            long canaryBad = 0, canaryValid = 0, controlBad = 0, controlValid = 0;
            boolean sequentialFailed = false, peekingFailed = false;
            for (int tick = 0; tick < TICKS; tick++) {
                for (int i = 0; i < 200; i++, canaryValid++) {
                    canaryBad += random.nextDouble() < 0.01 ? 1 : 0;
                }
                for (int i = 0; i < 3800; i++, controlValid++) {
                    controlBad += random.nextDouble() < 0.01 ? 1 : 0;
                }
                NormalMixtureSprt.Result result = NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, 0,
                        0.005, 0.05);
                sequentialFailed |= result.regression();
                double variance = NormalMixtureSprt.smoothedVariance(canaryBad, canaryValid)
                        + NormalMixtureSprt.smoothedVariance(controlBad, controlValid);
                peekingFailed |= (result.canaryRatio() - result.controlRatio()) / Math.sqrt(variance) > 1.645;
            }
            sequential += sequentialFailed ? 1 : 0;
            peeking += peekingFailed ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "A/A raw sequential test: %d of %d; fixed-sample z every tick: %d of %d%n",
                sequential, RUNS, peeking, RUNS);

        assertThat(sequential).as("sequential false alarms: %d of %d", sequential, RUNS).isLessThanOrEqualTo(RUNS / 20);
        assertThat(peeking).as("peeking false alarms: %d of %d", peeking, RUNS).isGreaterThan(RUNS / 10);
    }

    // ---------------------------------------------------------------- power

    /*
     * Measured with these seeds (0..199) and the defaults (minRelativeEffect 0.25):
     *   dead letters 5 % vs 1 %, 20/380 a tick:            200 of 200
     *   dead letters 2 % vs 1 %, 200/3800 a tick:          200 of 200
     *   dead letters 2 % vs 1 %, 1000/1000 a tick:         200 of 200
     *   sync latency, 5 % of canary syncs 20x, 20/380:     200 of 200
     * and, not asserted here as a power (see twoFoldDeadLettersAtFivePercentOfTraffic...):
     *   dead letters 2 % vs 1 %, 20/380 a tick:             41 of 200 (20.5 %; 7 with the normal mixture alone)
     * With minRelativeEffect 0.5 the first two were 87.5 % and 79 %: JudgeAccuracyBenchmark has the whole-rollout view.
     */
    static Stream<Arguments> abScenarios() {
        return Stream.of(
                Arguments.of(deadLetterScenario("A/B dead letters 5 % vs 1 %, 20/380 a tick", 20, 0.05, 380), 0.95),
                Arguments.of(deadLetterScenario("A/B dead letters 2 % vs 1 %, 200/3800 a tick", 200, 0.02, 3800), 0.95),
                Arguments.of(deadLetterScenario("A/B dead letters 2 % vs 1 %, 1000/1000 a tick", 1000, 0.02, 1000), 0.95),
                Arguments.of(new Scenario("A/B sync latency, 5 % of canary syncs 20x slower, 20/380 a tick",
                        LATENCY_GUARD, 20, syncs(0.05, 20), 380, syncs(0, 1)), 0.95));
    }

    @ParameterizedTest(name = "{0}: power >= {1}")
    @MethodSource("abScenarios")
    void aRealRegressionFailsInMostRunsByTheEnd(Scenario scenario, double minPower) {
        double power = scenario.failureShare();

        assertThat(power)
                .as("%s: share of %d runs that failed by tick %d was %.3f", scenario.name(), RUNS, TICKS, power)
                .isGreaterThanOrEqualTo(minPower);
    }

    /**
     * The brief's scenario: a canary at 5 % of traffic (20 canary, 380 control events a tick, 50 ticks: 1000 canary
     * events in all) dead-lettering twice as often as control (2 % vs 1 %). Measured power with the defaults: 41 of
     * 200 runs (20.5 %; 7 with the normal mixture alone). With a margin of max(0.001, 0.25 × 1 %) = 0.25 point, the excess left to detect is 0.75 point
     * while the canary ratio's standard error over 1000 events is about 0.44 point, so no test could reach 80 % here;
     * it takes about ten times the traffic (200/3800 a tick: 100 %). A whole rollout gets there by its later steps
     * (JudgeAccuracyBenchmark). What can fail here: the evidence
     * must still move the right way, on average above the A/A's at the same traffic.
     */
    @Test
    void twoFoldDeadLettersAtFivePercentOfTrafficGatherMoreEvidenceThanAnAaButRarelyFail() {
        Scenario ab = deadLetterScenario("A/B dead letters 2 % vs 1 %, 20/380 a tick", 20, 0.02, 380);
        Scenario aa = deadLetterScenario("A/A dead letters 1 % vs 1 %, 20/380 a tick", 20, 0.01, 380);

        double power = ab.failureShare();
        double abEvidence = meanFinalCanaryExcess(ab);
        double aaEvidence = meanFinalCanaryExcess(aa);

        assertThat(power).as("power of 2x dead letters at 20/380 a tick, measured %.3f", power).isLessThan(0.8);
        assertThat(abEvidence).as("mean final canary - control ratio, A/B %.5f vs A/A %.5f", abEvidence, aaEvidence)
                .isGreaterThan(aaEvidence + 0.005);
    }

    /** Mean over the runs of the canary's final bad ratio less control's, as the judge reports them. */
    private static double meanFinalCanaryExcess(Scenario scenario) {
        double sum = 0;
        for (long seed = 0; seed < RUNS; seed++) {
            Random random = new Random(seed);
            Rollup canary = new Rollup();
            Rollup control = new Rollup();
            for (int tick = 0; tick < TICKS; tick++) {
                scenario.canary().add(canary, random, scenario.canaryPerTick());
                scenario.control().add(control, random, scenario.controlPerTick());
            }
            Verdict verdict = CanaryJudge.judge(List.of(scenario.guard()), canary, control,
                    JudgeSettings.defaults(MIN_SAMPLE));
            Verdict.Comparison comparison = verdict.guards().get(0).comparisons().get(0);
            sum += comparison.canaryRatio() - comparison.controlRatio();
        }
        return sum / RUNS;
    }

    @Test
    void aRegressionIsCaughtEarlierTheLargerItIs() {
        Scenario fiveFold = deadLetterScenario("5x", 200, 0.05, 3800);
        Scenario twoFold = deadLetterScenario("2x", 200, 0.02, 3800);
        long fiveFoldTicks = 0;
        long twoFoldTicks = 0;
        for (long seed = 0; seed < 50; seed++) {
            int five = fiveFold.firstFailure(seed);
            int two = twoFold.firstFailure(seed);
            fiveFoldTicks += five < 0 ? TICKS : five;
            twoFoldTicks += two < 0 ? TICKS : two;
        }

        assertThat(fiveFoldTicks).as("ticks to fail: 5x %d, 2x %d (50 runs)", fiveFoldTicks, twoFoldTicks)
                .isLessThan(twoFoldTicks / 2);
    }
}

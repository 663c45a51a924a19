package dev.bellwether.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import dev.bellwether.judge.Verdict.Comparison;
import dev.bellwether.judge.Verdict.GuardResult;
import dev.bellwether.judge.Verdict.Outcome;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Rollup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class CanaryJudgeTest {

    private static final Instant AT = Instant.parse("2026-11-25T11:00:00Z");
    /** The cases' margins are worked out for a relative effect of 0.5 (the service default is lower; see JudgeSettings). */
    private static final JudgeSettings SETTINGS = settings(200);

    private static JudgeSettings settings(long minSample) {
        return new JudgeSettings(0.05, 0.001, 0.5, 0.01, minSample);
    }
    private static int ids;

    // ---------------------------------------------------------------- building rollups

    private static String id() {
        return "e" + ids++;
    }

    /** {@code total} final replays of which {@code deadLettered} dead-lettered and the rest succeeded. */
    private static Rollup replays(Rollup rollup, int total, int deadLettered) {
        for (int i = 0; i < total; i++) {
            ReplayOutcome outcome = i < deadLettered ? ReplayOutcome.DEAD_LETTERED : ReplayOutcome.SUCCEEDED;
            rollup.add(new TelemetryEvent.Replay(id(), AT, "m", outcome, 1, 100.0));
        }
        return rollup;
    }

    private static Rollup replays(int total, int deadLettered) {
        return replays(new Rollup(), total, deadLettered);
    }

    private static Rollup migrations(Rollup rollup, int total, int bad, MigrationOutcome badOutcome) {
        for (int i = 0; i < total; i++) {
            rollup.add(new TelemetryEvent.Migration(id(), AT, 3, 4, i < bad ? badOutcome : MigrationOutcome.SUCCEEDED,
                    50.0));
        }
        return rollup;
    }

    private static Rollup conflicts(Rollup rollup, int count) {
        for (int i = 0; i < count; i++) {
            rollup.add(new TelemetryEvent.Conflict(id(), AT, "note", ConflictResolution.AUTO_MERGED));
        }
        return rollup;
    }

    /**
     * {@code count} syncs from a seeded log-normal latency (median 200 ms, sigma 0.5) times {@code factor}; a share
     * {@code tailShare} of them then {@code tailFactor} times slower. Staleness is the same kind of draw.
     */
    private static Rollup syncs(Rollup rollup, long seed, int count, double factor, double tailShare, double tailFactor) {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            double latency = 200 * Math.exp(0.5 * random.nextGaussian()) * factor;
            if (random.nextDouble() < tailShare) {
                latency *= tailFactor;
            }
            double staleness = 60000 * Math.exp(0.5 * random.nextGaussian());
            rollup.add(new TelemetryEvent.Sync(id(), AT, latency, staleness));
        }
        return rollup;
    }

    private static Rollup syncs(long seed, int count, double factor, double tailShare, double tailFactor) {
        return syncs(new Rollup(), seed, count, factor, tailShare, tailFactor);
    }

    private static Rollup syncs(long seed, int count) {
        return syncs(seed, count, 1, 0, 1);
    }

    private static Verdict judge(Guard guard, Rollup canary, Rollup control) {
        return CanaryJudge.judge(List.of(guard), canary, control, SETTINGS);
    }

    private static Comparison comparison(GuardResult result, String prefix) {
        return result.comparisons().stream().filter(c -> c.what().startsWith(prefix)).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- HOLD

    @Test
    void holdsWithoutGuards() {
        Verdict verdict = CanaryJudge.judge(List.of(), replays(5000, 500), replays(5000, 0), SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(verdict.action()).isNull();
        assertThat(verdict.reason()).isEqualTo("no guards to judge by");
        assertThat(verdict.guards()).isEmpty();
    }

    static Stream<Arguments> controlWithoutData() {
        Rollup controlWithOtherEventsOnly = syncs(1, 500);
        conflicts(controlWithOtherEventsOnly, 10);
        return Stream.of(
                Arguments.of(Sli.DEAD_LETTER_RATIO, replays(1000, 500), new Rollup(), 1000),
                Arguments.of(Sli.REPLAY_SUCCESS_RATIO, replays(1000, 500), new Rollup(), 1000),
                // control reported syncs and conflicts but no replays at all
                Arguments.of(Sli.DEAD_LETTER_RATIO, replays(1000, 500), controlWithOtherEventsOnly, 1000),
                Arguments.of(Sli.MIGRATION_FAILURE_RATIO, migrations(new Rollup(), 300, 300, MigrationOutcome.FAILED),
                        replays(1000, 0), 300),
                Arguments.of(Sli.SYNC_LATENCY, syncs(2, 800, 10, 0, 1), replays(1000, 0), 800),
                Arguments.of(Sli.STALENESS, syncs(3, 800), new Rollup(), 800));
    }

    @ParameterizedTest(name = "{0} with {3} canary events")
    @MethodSource("controlWithoutData")
    void holdsWhenControlHasNoDataHoweverBadTheCanaryLooks(Sli sli, Rollup canary, Rollup control, long canaryValid) {
        Verdict verdict = judge(Guard.of(sli, GuardAction.KILL), canary, control);

        assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(verdict.action()).isNull();
        assertThat(verdict.reason()).isEqualTo(sli.wireName() + ": no control data");
        GuardResult result = verdict.guards().get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(result.canaryValid()).isEqualTo(canaryValid);
        assertThat(result.controlValid()).isZero();
        assertThat(result.comparisons()).isEmpty();
    }

    @ParameterizedTest(name = "canary {0} ({1} bad), control {2}, min {3}")
    @CsvSource({
            // canary under the minimum, though every one of its replays dead-lettered
            "199,  199, 5000, 200",
            // control under the minimum
            "5000, 50,  199,  200",
            // both under
            "150,  150, 150,  200",
            // no canary data at all
            "0,    0,   5000, 200",
            // a minimum of 0 still needs one canary event
            "0,    0,   100,  0",
    })
    void holdsWhenEitherCohortIsUnderTheMinimumSampleAndSaysTheCounts(int canary, int canaryBad, int control,
            long minSample) {
        Verdict verdict = CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL)),
                replays(canary, canaryBad), replays(control, control / 100), settings(minSample));

        String reason = "too little data: " + canary + " canary and " + control + " control events, " + minSample
                + " needed in each";
        assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(verdict.action()).isNull();
        assertThat(verdict.reason()).isEqualTo("dead_letter_ratio: " + reason);
        GuardResult result = verdict.guards().get(0);
        assertThat(result.reason()).isEqualTo(reason);
        assertThat(result.canaryValid()).isEqualTo(canary);
        assertThat(result.controlValid()).isEqualTo(control);
        assertThat(result.comparisons()).isEmpty();
    }

    @Test
    void holdsForTooFewSyncsCountingDistributionValues() {
        Verdict verdict = judge(Guard.of(Sli.SYNC_LATENCY, GuardAction.ROLLBACK), syncs(1, 150, 3, 0, 1), syncs(2, 5000));

        assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(verdict.reason())
                .isEqualTo("sync_latency: too little data: 150 canary and 5000 control events, 200 needed in each");
    }

    @Test
    void judgesOnceBothCohortsReachTheMinimumExactly() {
        Verdict verdict = judge(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL), replays(200, 2), replays(200, 2));

        assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.guards().get(0).comparisons()).hasSize(1);
    }

    // ---------------------------------------------------------------- ratio indicators

    @ParameterizedTest(name = "canary {0}/{1} vs control {2}/{3}")
    @CsvSource({
            "100,  10000, 100,  10000",
            "1000, 20000, 1000, 20000",
            "0,    5000,  0,    5000",
            "2000, 10000, 2000, 10000",
            // canary at 5 % of traffic
            "20,   2000,  380,  38000",
    })
    void passesWhenCanaryAndControlHaveTheSameDeadLetterRatio(int canaryBad, int canary, int controlBad, int control) {
        Verdict verdict = judge(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL), replays(canary, canaryBad),
                replays(control, controlBad));

        assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.action()).isNull();
        assertThat(verdict.reason()).isEqualTo("no guard regressed");
        GuardResult result = verdict.guards().get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.PASS);
        assertThat(result.reason()).isEqualTo("no regression");
        assertThat(result.comparisons()).singleElement().satisfies(c -> {
            assertThat(c.regression()).isFalse();
            assertThat(c.canaryRatio()).isEqualTo(c.controlRatio());
        });
    }

    /**
     * A broken replay path, seen before its first dead letter: canary mutations fail their second attempts while
     * none has yet used up its retries, so the dead-letter guard has nothing to see.
     */
    @Test
    void repeatFailuresCatchABrokenReplayPathBeforeAnyDeadLetter() {
        Rollup canary = firstTwoAttempts(800, 40);
        Rollup control = firstTwoAttempts(8000, 80);
        List<Guard> guards = List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL),
                Guard.of(Sli.REPLAY_REPEAT_FAILURE_RATIO, GuardAction.KILL));

        Verdict verdict = CanaryJudge.judge(guards, canary, control, SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(GuardAction.KILL);
        assertThat(verdict.reason()).startsWith("replay_repeat_failure_ratio: bad ratio: canary 0.0500 vs control 0.0100");
        // no dead letter yet in either cohort: that guard sees nothing wrong
        assertThat(verdict.guards()).extracting(GuardResult::outcome).containsExactly(Outcome.PASS, Outcome.FAIL);
    }

    /**
     * {@code mutations} first attempts that all failed (retried), and {@code failedAgain} of them failed their second
     * attempt too; the rest succeeded at their second. No mutation has reached a final outcome but those successes.
     */
    private static Rollup firstTwoAttempts(int mutations, int failedAgain) {
        Rollup rollup = new Rollup();
        for (int i = 0; i < mutations; i++) {
            rollup.add(new TelemetryEvent.Replay(id(), AT, "m", ReplayOutcome.RETRIED, 1, 100.0));
            ReplayOutcome second = i < failedAgain ? ReplayOutcome.RETRIED : ReplayOutcome.SUCCEEDED;
            rollup.add(new TelemetryEvent.Replay(id(), AT, "m", second, 2, 100.0));
        }
        return rollup;
    }

    @ParameterizedTest(name = "control {1}/{0}, canary 5x, action {2}")
    @CsvSource({
            "5000,  50,  KILL",
            "5000,  100, ROLLBACK",
            "20000, 40,  FREEZE",
            "2000,  20,  KILL",
    })
    void failsWhenTheCanaryDeadLettersFiveTimesAsOftenWithTheGuardsAction(int valid, int controlBad,
            GuardAction action) {
        Verdict verdict = judge(Guard.of(Sli.DEAD_LETTER_RATIO, action), replays(valid, 5 * controlBad),
                replays(valid, controlBad));

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(action);
        assertThat(verdict.reason()).startsWith(String.format(java.util.Locale.ROOT,
                "dead_letter_ratio: bad ratio: canary %.4f vs control %.4f (evidence ",
                5.0 * controlBad / valid, (double) controlBad / valid));
        GuardResult result = verdict.guards().get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(result.action()).isEqualTo(action);
        assertThat(result.comparisons()).singleElement().satisfies(c -> {
            assertThat(c.regression()).isTrue();
            assertThat(c.likelihoodRatio()).isGreaterThanOrEqualTo(20);
        });
    }

    @ParameterizedTest(name = "canary {0}/{1} vs control {2}/{1}: margin {3}, {4}")
    @CsvSource({
            // 2.8 % vs 2 %: within the relative margin (half of 2 % = 1 point) despite 100 000 events each
            "2800,  100000, 2000,  0.01,  PASS",
            // 3.5 % vs 2 %: beyond it
            "3500,  100000, 2000,  0.01,  FAIL",
            // 0.05 % vs none: within the absolute margin of 0.1 point
            "100,   200000, 0,     0.001, PASS",
            // 0.15 % vs none: beyond it (caught by the normal mixture: with no bad events in control, the share test
            // alone sees next to nothing)
            "300,   200000, 0,     0.001, FAIL",
            // 14 % vs 10 %: within half of 10 %
            "14000, 100000, 10000, 0.05,  PASS",
    })
    void smallDifferencesBelowTheMarginsDoNotFail(int canaryBad, int valid, int controlBad, double margin,
            Outcome outcome) {
        Verdict verdict = judge(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL), replays(valid, canaryBad),
                replays(valid, controlBad));

        assertThat(verdict.outcome()).isEqualTo(outcome);
        Comparison comparison = verdict.guards().get(0).comparisons().get(0);
        assertThat(comparison.margin()).isCloseTo(margin, within(1e-12));
        assertThat(comparison.regression()).isEqualTo(outcome == Outcome.FAIL);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MigrationOutcome.class, names = {"FAILED", "ROLLED_BACK"})
    void migrationsThatFailedOrRolledBackAreBad(MigrationOutcome bad) {
        Rollup canary = migrations(new Rollup(), 2000, 200, bad);
        Rollup control = migrations(new Rollup(), 2000, 10, bad);

        Verdict verdict = judge(Guard.of(Sli.MIGRATION_FAILURE_RATIO, GuardAction.FREEZE), canary, control);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(GuardAction.FREEZE);
        assertThat(verdict.guards().get(0).comparisons().get(0).canaryRatio()).isEqualTo(0.1);
        assertThat(verdict.guards().get(0).comparisons().get(0).controlRatio()).isEqualTo(0.005);
    }

    // ---------------------------------------------------------------- distributions

    @Test
    void failsWhenTheCanarysWholeLatencyDistributionShiftsUpTwofold() {
        Verdict verdict = judge(Guard.of(Sli.SYNC_LATENCY, GuardAction.ROLLBACK), syncs(1, 5000, 2, 0, 1),
                syncs(2, 5000));

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(GuardAction.ROLLBACK);
        GuardResult result = verdict.guards().get(0);
        assertThat(result.comparisons()).extracting(Comparison::regression).containsExactly(true, true, true);
        assertThat(verdict.reason()).contains("above control p50", "above control p90", "above control p99");
    }

    @Test
    void failsWhenOnlyTheTailIsHeavierCaughtAboveControlsP99() {
        // 5 % of canary syncs take 20 times longer; the median does not move
        Rollup canary = syncs(1, 5000, 1, 0.05, 20);
        Rollup control = syncs(2, 5000);
        assertThat(canary.syncLatency().quantile(0.5)).isCloseTo(control.syncLatency().quantile(0.5),
                withinPercentage(10));

        Verdict verdict = judge(Guard.of(Sli.SYNC_LATENCY, GuardAction.ROLLBACK), canary, control);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        GuardResult result = verdict.guards().get(0);
        assertThat(comparison(result, "above control p50").regression()).isFalse();
        assertThat(comparison(result, "above control p90").regression()).isFalse();
        Comparison p99 = comparison(result, "above control p99");
        assertThat(p99.regression()).isTrue();
        assertThat(p99.canaryRatio()).isGreaterThan(0.05);
        assertThat(p99.controlRatio()).isLessThanOrEqualTo(0.011);
        assertThat(verdict.reason()).contains("above control p99").doesNotContain("above control p50")
                .doesNotContain("above control p90");
    }

    @ParameterizedTest(name = "seeds {0} and {1}")
    @CsvSource({"3, 103", "4, 104", "5, 105", "6, 106", "7, 107", "11, 12"})
    void passesForIdenticalLatencyDistributionsFromDifferentSeeds(long canarySeed, long controlSeed) {
        Verdict verdict = judge(Guard.of(Sli.SYNC_LATENCY, GuardAction.ROLLBACK), syncs(canarySeed, 5000),
                syncs(controlSeed, 5000));

        assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.guards().get(0).comparisons()).hasSize(3).noneMatch(Comparison::regression);
    }

    @Test
    void judgesStalenessAsADistributionToo() {
        Rollup canary = new Rollup();
        Random random = new Random(9);
        for (int i = 0; i < 3000; i++) {
            // data three times as old
            canary.add(new TelemetryEvent.Sync(id(), AT, 200, 180000 * Math.exp(0.5 * random.nextGaussian())));
        }

        Verdict verdict = judge(Guard.of(Sli.STALENESS, GuardAction.KILL), canary, syncs(10, 3000));

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.guards().get(0).comparisons()).hasSize(3);
    }

    // ---------------------------------------------------------------- the SLO bound

    static Stream<Arguments> equallyBadCohorts() {
        return Stream.of(
                // 5 % dead letters in both, the SLO allows 1 %
                Arguments.of("dead letters 5 % vs 5 %, budget 1 %", Sli.DEAD_LETTER_RATIO, replays(2000, 100),
                        replays(40000, 2000), 0.01, null),
                // both sync equally slowly: about a fifth of syncs over 300 ms, the SLO allows 1 %
                Arguments.of("latency, same distribution, 1 % over 300 ms allowed", Sli.SYNC_LATENCY,
                        syncs(21, 3000), syncs(22, 20000), 0.01, 300.0),
                Arguments.of("replay success 90 % vs 90 %, budget 2 %", Sli.REPLAY_SUCCESS_RATIO, replays(3000, 300),
                        replays(30000, 3000), 0.02, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("equallyBadCohorts")
    void aCanaryAboveTheSloBudgetFailsEvenWhenControlIsEquallyBad(String name, Sli sli, Rollup canary, Rollup control,
            double allowedErrorRatio, Double threshold) {
        Verdict bounded = judge(new Guard(sli, GuardAction.ROLLBACK, allowedErrorRatio, threshold, null), canary, control);
        Verdict unbounded = judge(Guard.of(sli, GuardAction.ROLLBACK), canary, control);

        assertThat(bounded.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(bounded.reason()).contains("slo error budget: canary").contains("vs budget");
        Comparison slo = comparison(bounded.guards().get(0), "slo error budget");
        assertThat(slo.regression()).isTrue();
        assertThat(slo.controlRatio()).isEqualTo(allowedErrorRatio);
        assertThat(slo.canaryRatio()).isGreaterThan(allowedErrorRatio);
        // only the bound failed: against control the canary is no worse
        assertThat(bounded.guards().get(0).comparisons().stream().filter(Comparison::regression))
                .containsExactly(slo);

        assertThat(unbounded.outcome()).isEqualTo(Outcome.PASS);
        assertThat(unbounded.guards().get(0).comparisons()).noneMatch(c -> c.what().equals("slo error budget"));
    }

    static Stream<Arguments> noControlLeft() {
        return Stream.of(
                // at 100 % nobody is left in control: a canary over its SLO's budget still fails, one within it holds
                Arguments.of("dead letters 5 %, budget 1 %, no control", Sli.DEAD_LETTER_RATIO, replays(2000, 100),
                        new Rollup(), 0.01, null, Outcome.FAIL),
                Arguments.of("dead letters 0.5 %, budget 1 %, no control", Sli.DEAD_LETTER_RATIO, replays(2000, 10),
                        new Rollup(), 0.01, null, Outcome.HOLD),
                Arguments.of("a fifth of syncs over 300 ms, 1 % allowed, 20 control syncs", Sli.SYNC_LATENCY,
                        syncs(21, 3000), syncs(22, 20), 0.01, 300.0, Outcome.FAIL),
                // under the minimum sample the bound is not tested either
                Arguments.of("dead letters 50 % in 100 events, no control", Sli.DEAD_LETTER_RATIO, replays(100, 50),
                        new Rollup(), 0.01, null, Outcome.HOLD));
    }

    @ParameterizedTest(name = "{0}: {6}")
    @MethodSource("noControlLeft")
    void withoutEnoughControlTheSloBoundStillJudgesTheCanary(String name, Sli sli, Rollup canary, Rollup control,
            double allowedErrorRatio, Double threshold, Outcome expected) {
        Verdict verdict = judge(new Guard(sli, GuardAction.KILL, allowedErrorRatio, threshold, null), canary, control);

        assertThat(verdict.outcome()).isEqualTo(expected);
        if (expected == Outcome.FAIL) {
            assertThat(verdict.action()).isEqualTo(GuardAction.KILL);
            assertThat(verdict.reason()).contains("slo error budget: canary").containsAnyOf("no control data", "too little data");
        } else {
            assertThat(verdict.guards().get(0).comparisons()).isEmpty();
        }
    }

    @Test
    void aCanaryWithinTheSloBudgetPassesWithTheBound() {
        Verdict verdict = judge(new Guard(Sli.DEAD_LETTER_RATIO, GuardAction.KILL, 0.01, null, null), replays(5000, 25),
                replays(50000, 250));

        assertThat(verdict.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.guards().get(0).comparisons()).extracting(Comparison::what)
                .containsExactly("bad ratio", "slo error budget");
    }

    @Test
    void theGuardsComparisonsShareItsAlpha() {
        // 3.9 % vs 1 % on 1000 each, margin 0.005 (computed independently): the normal mixture (tau 0.01 spread)
        // 43.9215320218 and the rate test 23.5139293, half the prior each; weighed 3/4 as the whole step: 25.288, a
        // failure at alpha 0.05 (needs 20) but not once a passing SLO bound halves it (needs 40)
        Rollup canary = replays(1000, 39);
        Rollup control = replays(1000, 10);
        double evidence = 0.75 * (43.9215320218 + 23.5139293) / 2;

        Verdict alone = judge(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL), canary, control);
        Verdict withBound = judge(new Guard(Sli.DEAD_LETTER_RATIO, GuardAction.KILL, 0.2, null, null), canary, control);

        assertThat(alone.guards().get(0).comparisons().get(0).likelihoodRatio()).isCloseTo(evidence, within(1e-6));
        assertThat(alone.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(withBound.outcome()).isEqualTo(Outcome.PASS);
        assertThat(withBound.guards().get(0).comparisons().get(0).likelihoodRatio()).isCloseTo(evidence, within(1e-6));
    }

    /** A clean control must not blind the test: the effect scale does not shrink with control's ratio. */
    @ParameterizedTest(name = "{0}: canary {2}/{1} vs control {4}/{3} fails")
    @CsvSource({
        "DEAD_LETTER_RATIO,       1000, 100, 19000, 19",
        "DEAD_LETTER_RATIO,        200,  60,  3800,  0",
        "MIGRATION_FAILURE_RATIO, 1000, 500, 10000,  0",
        "MIGRATION_FAILURE_RATIO, 1000, 300, 10000, 10"})
    void aBrokenCanaryFailsAgainstANearlyCleanControl(Sli sli, int canaryTotal, int canaryBad, int controlTotal, int controlBad) {
        Rollup canary = sli == Sli.DEAD_LETTER_RATIO ? replays(canaryTotal, canaryBad)
                : migrations(new Rollup(), canaryTotal, canaryBad, MigrationOutcome.FAILED);
        Rollup control = sli == Sli.DEAD_LETTER_RATIO ? replays(controlTotal, controlBad)
                : migrations(new Rollup(), controlTotal, controlBad, MigrationOutcome.FAILED);

        Verdict verdict = judge(Guard.of(sli, GuardAction.KILL), canary, control);

        assertThat(verdict.outcome()).as(verdict.reason()).isEqualTo(Outcome.FAIL);
    }

    // ---------------------------------------------------------------- several guards

    /** Data in which dead letters, migrations and sync latency regress and conflicts, staleness and outbox do not. */
    private static Rollup[] mixedCohorts() {
        Rollup canary = replays(5000, 250);
        Rollup control = replays(50000, 500);
        migrations(canary, 1000, 100, MigrationOutcome.FAILED);
        migrations(control, 10000, 100, MigrationOutcome.FAILED);
        conflicts(canary, 50);
        conflicts(control, 500);
        syncs(canary, 31, 5000, 3, 0, 1);
        syncs(control, 32, 20000, 1, 0, 1);
        return new Rollup[] {canary, control};
    }

    private static Sli failing(int index) {
        return List.of(Sli.DEAD_LETTER_RATIO, Sli.MIGRATION_FAILURE_RATIO, Sli.SYNC_LATENCY).get(index);
    }

    private static Sli passing(int index) {
        return List.of(Sli.CONFLICT_RATIO, Sli.STALENESS).get(index);
    }

    @ParameterizedTest(name = "failing {0}, passing {1} -> {2}")
    @CsvSource({
            "KILL ROLLBACK,          '',            KILL",
            "ROLLBACK KILL,          '',            KILL",
            "ROLLBACK FREEZE,        '',            FREEZE",
            "ROLLBACK KILL FREEZE,   '',            FREEZE",
            "KILL FREEZE ROLLBACK,   '',            FREEZE",
            "ROLLBACK ROLLBACK,      '',            ROLLBACK",
            // a passing guard's action does not count
            "ROLLBACK,               FREEZE KILL,   ROLLBACK",
            "KILL,                   FREEZE,        KILL",
    })
    void severalFailingGuardsTakeTheActionFirstInFreezeKillRollbackOrder(String failingActions, String passingActions,
            GuardAction expected) {
        List<Guard> guards = new ArrayList<>();
        String[] failing = failingActions.split(" ");
        for (int i = 0; i < failing.length; i++) {
            guards.add(Guard.of(failing(i), GuardAction.valueOf(failing[i])));
        }
        String[] passing = passingActions.isBlank() ? new String[0] : passingActions.split(" ");
        for (int i = 0; i < passing.length; i++) {
            guards.add(Guard.of(passing(i), GuardAction.valueOf(passing[i])));
        }
        Rollup[] cohorts = mixedCohorts();

        Verdict verdict = CanaryJudge.judge(guards, cohorts[0], cohorts[1], SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(expected);
        assertThat(verdict.guards()).hasSize(guards.size());
        assertThat(verdict.guards().stream().filter(r -> r.outcome() == Outcome.FAIL).count()).isEqualTo(failing.length);
        for (int i = 0; i < failing.length; i++) {
            assertThat(verdict.reason()).contains(failing(i).wireName() + ": ");
        }
        for (int i = 0; i < passing.length; i++) {
            assertThat(verdict.reason()).doesNotContain(passing(i).wireName());
        }
        assertThat(verdict.reason().split("; ")).hasSize(failing.length);
    }

    @Test
    void aFailingGuardOutweighsAHoldingOne() {
        Rollup canary = replays(5000, 500);
        Rollup control = replays(5000, 50);
        // no migrations in control: that guard holds

        Verdict verdict = CanaryJudge.judge(List.of(Guard.of(Sli.MIGRATION_FAILURE_RATIO, GuardAction.FREEZE),
                Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.ROLLBACK)), canary, control, SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(GuardAction.ROLLBACK);
        assertThat(verdict.guards()).extracting(GuardResult::outcome).containsExactly(Outcome.HOLD, Outcome.FAIL);
    }

    @Test
    void aHoldingGuardHoldsAVerdictWhoseOtherGuardsPass() {
        Rollup canary = replays(5000, 50);
        Rollup control = replays(5000, 50);

        Verdict verdict = CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL),
                Guard.of(Sli.SYNC_LATENCY, GuardAction.ROLLBACK)), canary, control, SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(verdict.action()).isNull();
        assertThat(verdict.reason()).isEqualTo("sync_latency: no control data");
    }

    // ---------------------------------------------------------------- the numbers behind a verdict

    @Test
    void theVerdictKeepsEachGuardsSampleSizesAndComparisons() {
        Rollup canary = replays(1000, 40);
        Rollup control = replays(19000, 190);
        syncs(canary, 41, 2500, 1, 0, 1);
        syncs(control, 42, 40000, 1, 0, 1);

        Verdict verdict = CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL),
                new Guard(Sli.SYNC_LATENCY, GuardAction.ROLLBACK, 0.5, 1000.0, null)), canary, control, SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(GuardAction.KILL);
        assertThat(verdict.guards()).hasSize(2);

        GuardResult deadLetters = verdict.guards().get(0);
        assertThat(deadLetters.sli()).isEqualTo("dead_letter_ratio");
        assertThat(deadLetters.action()).isEqualTo(GuardAction.KILL);
        assertThat(deadLetters.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(deadLetters.canaryValid()).isEqualTo(1000);
        assertThat(deadLetters.controlValid()).isEqualTo(19000);
        assertThat(deadLetters.comparisons()).singleElement().satisfies(c -> {
            assertThat(c.what()).isEqualTo("bad ratio");
            assertThat(c.canaryRatio()).isEqualTo(0.04);
            assertThat(c.controlRatio()).isEqualTo(0.01);
            assertThat(c.margin()).isCloseTo(0.005, within(1e-15));
            // 40/1000 vs 190/19000, margin 0.005, computed independently: the normal mixture (tau 0.01 spread)
            // 259.579498087 and the rate test 55247.66388, half each, weighed 3/4 (the whole step)
            assertThat(c.likelihoodRatio()).isCloseTo(0.75 * (259.579498087 + 55247.66388) / 2,
                    withinPercentage(1e-6));
            assertThat(c.regression()).isTrue();
        });

        GuardResult latency = verdict.guards().get(1);
        assertThat(latency.sli()).isEqualTo("sync_latency");
        assertThat(latency.action()).isEqualTo(GuardAction.ROLLBACK);
        assertThat(latency.outcome()).isEqualTo(Outcome.PASS);
        assertThat(latency.reason()).isEqualTo("no regression");
        assertThat(latency.canaryValid()).isEqualTo(2500);
        assertThat(latency.controlValid()).isEqualTo(40000);
        assertThat(latency.comparisons()).extracting(c -> c.what().replaceAll(" \\(\\d+\\)", ""))
                .containsExactly("above control p50", "above control p90", "above control p99", "slo error budget");
        // the share of control above its own quantile: about 1 - q (the sketch's bins put a little more at or below)
        assertThat(latency.comparisons().get(0).controlRatio()).isCloseTo(0.5, within(0.02));
        assertThat(latency.comparisons().get(1).controlRatio()).isCloseTo(0.1, within(0.01));
        assertThat(latency.comparisons().get(2).controlRatio()).isCloseTo(0.01, within(0.002));
        assertThat(latency.comparisons().get(0).margin())
                .isCloseTo(0.5 * latency.comparisons().get(0).controlRatio(), within(1e-12));
        // the p50 comparison names the bound: control's median, about 200 ms
        assertThat(latency.comparisons().get(0).what()).matches("above control p50 \\((19\\d|20\\d)\\)");
        Comparison slo = latency.comparisons().get(3);
        assertThat(slo.controlRatio()).isEqualTo(0.5);
        assertThat(slo.canaryRatio()).isCloseTo(0.0003, within(0.002)); // P(>1000 ms) = P(Z > 3.2) under sigma 0.5
        assertThat(slo.regression()).isFalse();
        assertThat(slo.likelihoodRatio()).as("a canary far within budget is no evidence").isZero();
        for (Comparison c : latency.comparisons()) {
            assertThat(c.canaryRatio()).isBetween(0.0, 1.0);
            assertThat(c.likelihoodRatio()).isNotNegative().isFinite();
            assertThat(c.sinceMinute()).isZero();
        }
    }

    // ---------------------------------------------------------------- a regression from the middle of a step

    /** The windows of a step whose minutes hold these canary and control rollups: from minute 0, and from each later one. */
    private static List<StepWindows.Window> windows(List<Rollup> canaryByMinute, List<Rollup> controlByMinute) {
        java.util.TreeMap<Long, StepWindows.Minute> byMinute = new java.util.TreeMap<>();
        for (int m = 0; m < canaryByMinute.size(); m++) {
            byMinute.put((long) m, new StepWindows.Minute(canaryByMinute.get(m), controlByMinute.get(m)));
        }
        return StepWindows.of(byMinute, true);
    }

    @Test
    void aStepsWindowsAreTheWholeStepThenEachLaterMinuteWithDataOn() {
        java.util.TreeMap<Long, StepWindows.Minute> byMinute = new java.util.TreeMap<>();
        byMinute.put(-30L, new StepWindows.Minute(replays(100, 1), replays(1000, 10))); // an hour bucket from before
        byMinute.put(0L, new StepWindows.Minute(replays(200, 2), replays(2000, 20)));
        byMinute.put(4L, new StepWindows.Minute(replays(300, 3), replays(3000, 30)));
        byMinute.put(9L, new StepWindows.Minute(replays(400, 40), replays(4000, 40)));

        List<StepWindows.Window> windows = StepWindows.of(byMinute, true);
        List<StepWindows.Window> withoutControl = StepWindows.of(byMinute, false);

        assertThat(windows).extracting(StepWindows.Window::minute).containsExactly(0L, 4L, 9L);
        assertThat(windows).extracting(w -> w.canary().terminalReplays()).containsExactly(1000L, 700L, 400L);
        assertThat(windows).extracting(w -> w.control().terminalReplays()).containsExactly(10000L, 7000L, 4000L);
        assertThat(windows).extracting(w -> w.canary().replays(ReplayOutcome.DEAD_LETTERED)).containsExactly(46L, 43L, 40L);
        assertThat(withoutControl).extracting(StepWindows.Window::control).containsOnlyNulls();
        assertThat(withoutControl).extracting(w -> w.canary().terminalReplays()).containsExactly(1000L, 700L, 400L);
    }

    /** Each minute 200 canary and 4000 control replays, 1 % dead-lettered; the canary's from {@code onset} on 10 %. */
    private static List<StepWindows.Window> deadLettersFrom(int onset, int minutes) {
        List<Rollup> canary = new ArrayList<>();
        List<Rollup> control = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            canary.add(replays(200, m < onset ? 2 : 20));
            control.add(replays(4000, 40));
        }
        return windows(canary, control);
    }

    @ParameterizedTest(name = "weight of the test from minute {0}: {1}")
    @CsvSource({"0, 0.75", "1, 0.125", "2, 0.041666666666666664", "3, 0.020833333333333332", "30, 0.00026881720430107527"})
    void theWholeStepWeighsThreeQuartersAndLaterMinutesShareAQuarter(long minute, double weight) {
        assertThat(StepWindows.weight(minute)).isCloseTo(weight, within(1e-15));
    }

    @Test
    void theWeightsOfAllMinutesSumToOne() {
        double sum = 0;
        for (long minute = 0; minute < 1_000_000; minute++) {
            sum += StepWindows.weight(minute);
        }
        assertThat(sum).isCloseTo(1, within(1e-6)).isLessThanOrEqualTo(1);
    }

    @Test
    void aRegressionFromMinuteThirtyIsCaughtFromThatMinuteWhereTheWholeStepStillLooksFine() {
        List<StepWindows.Window> windows = deadLettersFrom(30, 33);
        Guard guard = Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL);

        Verdict wholeStepOnly = CanaryJudge.judge(List.of(guard), windows.subList(0, 1), SETTINGS);
        Verdict verdict = CanaryJudge.judge(List.of(guard), windows, SETTINGS);

        // 30 healthy minutes dilute 3 bad ones: 1.82 % against control's 1 % and a margin of 0.5 %
        assertThat(wholeStepOnly.outcome()).isEqualTo(Outcome.PASS);
        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        Comparison ratio = verdict.guards().get(0).comparisons().get(0);
        assertThat(ratio.sinceMinute()).isEqualTo(30);
        assertThat(ratio.canaryRatio()).isEqualTo(0.1);
        assertThat(verdict.reason()).contains("canary 0.1000 vs control 0.0100 since minute 30 of the step");
    }

    @Test
    void theEvidenceIsTheWeightedSumOfTheWindowsWhereTheCanaryIsWorse() {
        List<StepWindows.Window> windows = deadLettersFrom(2, 3);
        Guard guard = Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL);
        double expected = 0;
        for (StepWindows.Window w : windows) {
            long canaryBad = w.canary().replays(ReplayOutcome.DEAD_LETTERED);
            long canaryValid = w.canary().terminalReplays();
            long controlBad = w.control().replays(ReplayOutcome.DEAD_LETTERED);
            long controlValid = w.control().terminalReplays();
            NormalMixtureSprt.Result normal = NormalMixtureSprt.test(canaryBad, canaryValid, controlBad, controlValid, 0.005,
                    NormalMixtureSprt.Mixture.spread(0.01), 0.05);
            NormalMixtureSprt.Result rates = BadEventShareSprt.test(canaryBad, canaryValid, controlBad, controlValid, 0.005,
                    0.05);
            expected += StepWindows.weight(w.minute()) * (normal.likelihoodRatio() + rates.likelihoodRatio()) / 2;
        }

        Comparison ratio = CanaryJudge.judge(List.of(guard), windows, SETTINGS).guards().get(0).comparisons().get(0);

        assertThat(ratio.likelihoodRatio()).isCloseTo(expected, withinPercentage(1e-9));
    }

    @Test
    void aLaterWindowWhereTheCanaryIsBetterAddsNoEvidence() {
        // bad for the first two minutes, then better than control: the later windows do not count against it
        List<Rollup> canary = List.of(replays(200, 20), replays(200, 20), replays(200, 0), replays(200, 0));
        List<Rollup> control = List.of(replays(4000, 40), replays(4000, 40), replays(4000, 40), replays(4000, 40));
        List<StepWindows.Window> windows = windows(canary, control);

        assertThat(deadLetterEvidence(windows, SETTINGS)).isPositive()
                .isEqualTo(deadLetterEvidence(windows.subList(0, 2), SETTINGS));
    }

    private static double deadLetterEvidence(List<StepWindows.Window> windows, JudgeSettings settings) {
        return CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL)), windows, settings).guards()
                .get(0).comparisons().get(0).likelihoodRatio();
    }

    @Test
    void aWindowWithTooLittleDataAddsNothing() {
        List<StepWindows.Window> windows = deadLettersFrom(0, 3);
        JudgeSettings settings = settings(500); // the whole step has 600 canary replays, each later window 400 or 200

        assertThat(deadLetterEvidence(windows, settings)).isPositive()
                .isEqualTo(deadLetterEvidence(windows.subList(0, 1), settings));
    }

    @Test
    void atOneHundredPercentTheSloBoundIsAlsoJudgedFromLaterMinutes() {
        List<Rollup> canary = new ArrayList<>();
        for (int m = 0; m < 32; m++) {
            canary.add(replays(200, m < 30 ? 2 : 100)); // the whole step: 4.06 %, within the 5 % budget
        }
        List<StepWindows.Window> windows = new ArrayList<>();
        for (StepWindows.Window w : windows(canary, canary)) {
            windows.add(new StepWindows.Window(w.minute(), w.canary(), null));
        }
        Guard guard = new Guard(Sli.DEAD_LETTER_RATIO, GuardAction.KILL, 0.05, null, null);

        Verdict verdict = CanaryJudge.judge(List.of(guard), windows, SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.guards().get(0).comparisons()).singleElement()
                .satisfies(c -> assertThat(c.sinceMinute()).isEqualTo(30));
    }

    @ParameterizedTest(name = "minutes {0}, with control {1}")
    @CsvSource({"'1', 'true'", "'0, 2, 1', 'true, true, true'", "'0, 1, 1', 'true, true, true'",
            "'0, 1', 'true, false'", "'0, 1', 'false, true'"})
    void windowsStartWithTheWholeStepGoByIncreasingMinuteAndAllHaveControlOrNone(String minutes, String withControl) {
        String[] minute = minutes.split(",");
        String[] control = withControl.split(",");
        List<StepWindows.Window> windows = new ArrayList<>();
        for (int i = 0; i < minute.length; i++) {
            windows.add(new StepWindows.Window(Long.parseLong(minute[i].trim()), replays(300, 3),
                    Boolean.parseBoolean(control[i].trim()) ? replays(300, 3) : null));
        }

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CanaryJudge.judge(
                List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL)), windows, SETTINGS))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.bellwether.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellwether.judge.StepWindows.Window;
import dev.bellwether.judge.Verdict.GuardResult;
import dev.bellwether.judge.Verdict.Outcome;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Rollup;
import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Guards on a journey judge its replays alone, and the guards of a rollout share its alpha. */
class JourneyGuardJudgeTest {

    private static final Instant AT = Instant.parse("2026-11-25T11:00:00Z");
    private static final JudgeSettings SETTINGS = JudgeSettings.defaults(200);
    private static int ids;

    @ParameterizedTest(name = "alpha {0} over {1} guards: {2} each")
    @CsvSource({
            "0.05, 1, 0.05",
            "0.05, 2, 0.025",
            "0.05, 4, 0.0125",
            "0.05, 5, 0.01",
            "0.01, 10, 0.001",
    })
    void theGuardsOfARolloutShareItsAlphaEqually(double alpha, int guards, double each) {
        JudgeSettings settings = new JudgeSettings(alpha, 0.001, 0.25, 0.01, 200);
        assertThat(settings.alphaPerGuard(guards)).isCloseTo(each, org.assertj.core.data.Offset.offset(1e-12));
        // the shares add up to the rollout's alpha: the union bound over its guards
        assertThat(settings.alphaPerGuard(guards) * guards).isCloseTo(alpha, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aRolloutWithoutGuardsHasNoShareToGive() {
        assertThatThrownBy(() -> SETTINGS.alphaPerGuard(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Each guard's result carries its share, and three guards act only on evidence three times as strong as one. */
    @Test
    void eachGuardIsJudgedAtItsShare() {
        Rollup canary = replays("note.update", 5000, 107);
        Rollup control = replays("note.update", 5000, 50);
        Verdict alone = CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL)), canary, control, SETTINGS);
        Verdict shared = CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL),
                Guard.of(Sli.REPLAY_SUCCESS_RATIO, GuardAction.KILL), Guard.of(Sli.CONFLICT_RATIO, GuardAction.ROLLBACK)),
                canary, control, SETTINGS);
        assertThat(alone.guards().get(0).alpha()).isEqualTo(0.05);
        assertThat(shared.guards()).extracting(GuardResult::alpha).containsOnly(0.05 / 3);
        double evidence = alone.guards().get(0).comparisons().get(0).likelihoodRatio();
        assertThat(shared.guards().get(0).comparisons().get(0).likelihoodRatio()).isEqualTo(evidence);
        // the same evidence, between the two thresholds: enough for a guard alone, not for one of three
        assertThat(evidence).isBetween(1 / 0.05, 3 / 0.05);
        assertThat(alone.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(shared.guards().get(0).outcome()).isEqualTo(Outcome.PASS);
    }

    /**
     * Checkout is 1,000 of 51,000 replays a cohort: its canary dead-letters 5 % against control's 1 %, which moves the
     * app's ratio from 1.00 % to 1.08 %, inside the margin. At the same sample the journey's guard fails, the app's
     * passes.
     */
    @Test
    void aJourneyGuardFailsOnARegressionConfinedToItsJourneyThatTheAppWideGuardDoesNotSee() {
        Rollup canaryCheckout = replays("order.submit", 1000, 50);
        Rollup controlCheckout = replays("order.submit", 1000, 10);
        Rollup canaryApp = merged(canaryCheckout, replays("note.update", 50_000, 500));
        Rollup controlApp = merged(controlCheckout, replays("note.update", 50_000, 500));
        Map<String, List<Window>> journeys = Map.of("checkout", List.of(new Window(0, canaryCheckout, controlCheckout)));
        List<Window> app = List.of(new Window(0, canaryApp, controlApp));

        Verdict verdict = CanaryJudge.judge(List.of(Guard.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL),
                Guard.onJourney(Sli.DEAD_LETTER_RATIO, "checkout", GuardAction.KILL)),
                journey -> journey == null ? app : journeys.get(journey), SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(verdict.action()).isEqualTo(GuardAction.KILL);
        GuardResult whole = verdict.guards().get(0);
        GuardResult checkout = verdict.guards().get(1);
        assertThat(whole.journey()).isNull();
        assertThat(whole.outcome()).isEqualTo(Outcome.PASS);
        assertThat(whole.canaryValid()).isEqualTo(51_000);
        assertThat(checkout.journey()).isEqualTo("checkout");
        assertThat(checkout.outcome()).isEqualTo(Outcome.FAIL);
        assertThat(checkout.canaryValid()).isEqualTo(1000);
        assertThat(checkout.comparisons().get(0).canaryRatio()).isEqualTo(0.05);
        assertThat(verdict.reason()).startsWith("dead_letter_ratio (journey checkout): bad ratio: canary 0.0500 vs control 0.0100");
    }

    /** The minimum sample is the journey's: a rare journey holds while the app has plenty of events. */
    @Test
    void aJourneyGuardHoldsBelowTheMinimumSampleOfItsOwnReplays() {
        Rollup canaryCheckout = replays("order.submit", 150, 30);
        Rollup controlCheckout = replays("order.submit", 300, 3);
        Rollup canaryApp = merged(canaryCheckout, replays("note.update", 5000, 50));
        Rollup controlApp = merged(controlCheckout, replays("note.update", 10_000, 100));

        Verdict verdict = CanaryJudge.judge(List.of(Guard.onJourney(Sli.DEAD_LETTER_RATIO, "checkout", GuardAction.KILL)),
                journey -> List.of(journey == null ? new Window(0, canaryApp, controlApp)
                        : new Window(0, canaryCheckout, controlCheckout)), SETTINGS);

        assertThat(verdict.outcome()).isEqualTo(Outcome.HOLD);
        assertThat(verdict.reason()).isEqualTo("dead_letter_ratio (journey checkout): too little data: 150 canary and"
                + " 300 control events, 200 needed in each");
    }

    private static Rollup replays(String mutation, int total, int deadLettered) {
        Rollup rollup = new Rollup();
        for (int i = 0; i < total; i++) {
            ReplayOutcome outcome = i < deadLettered ? ReplayOutcome.DEAD_LETTERED : ReplayOutcome.SUCCEEDED;
            rollup.add(new TelemetryEvent.Replay("e" + ids++, AT, mutation, outcome, 1, 100.0));
        }
        return rollup;
    }

    private static Rollup merged(Rollup... parts) {
        Rollup all = new Rollup();
        for (Rollup part : parts) {
            all.merge(part);
        }
        return all;
    }
}

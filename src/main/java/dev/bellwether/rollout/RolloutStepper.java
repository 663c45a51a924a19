package dev.bellwether.rollout;

import dev.bellwether.judge.CanaryJudge;
import dev.bellwether.judge.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * One controller step for one rollout, its row locked by the caller's transaction: confirm a pending actuation,
 * reconcile against the flag service, read the step's canary windows, judge them, and move if the judge says so.
 * When the flag service cannot be read, the canary is still judged and a failing guard still acts (its change
 * pending until the flag service confirms it), but there is no drift check and no step up.
 * The automation switch decides whether the controller's own moves are made or only recorded.
 */
@ApplicationScoped
public class RolloutStepper {

    private static final Logger LOG = Logger.getLogger(RolloutStepper.class);
    /** The actor of the controller's own moves. */
    static final String CONTROLLER = "bellwether";

    private final FlagActuator actuator;
    private final CanaryWindows canaryWindows;
    private final JudgeConfig judge;
    private final RolloutTransitions transitions;
    private final AutomationSwitch automation;
    private final RolloutMetrics metrics;
    private final Clock clock;
    private final RolloutNotices notices;

    public RolloutStepper(FlagActuator actuator, CanaryWindows canaryWindows, JudgeConfig judge,
            RolloutTransitions transitions, AutomationSwitch automation, RolloutMetrics metrics, Clock clock,
            RolloutNotices notices) {
        this.notices = notices;
        this.actuator = actuator;
        this.canaryWindows = canaryWindows;
        this.judge = judge;
        this.transitions = transitions;
        this.automation = automation;
        this.metrics = metrics;
        this.clock = clock;
    }

    void step(Rollout rollout) {
        if (!actuator.confirmPending(rollout) || rollout.state.finished()) {
            return;
        }
        FlagState actual;
        try {
            actual = actuator.read(rollout.flagRef());
        } catch (FlagControlException e) {
            // the judge reads Bellwether's own data, so a regression is still acted on; only a step up needs the flag
            LOG.warnf("rollout %d: flag service unreadable, no step up until it answers: %s", rollout.id, e.getMessage());
            actual = null;
        }
        if (actual != null && drifted(rollout, actual)) {
            return;
        }
        if (rollout.state != RolloutState.RUNNING) {
            return;
        }
        CanaryWindows.Windows windows = canaryWindows.of(rollout, clock.instant());
        Verdict verdict = CanaryJudge.judge(SloGuards.of(rollout), windows::of, judge.settings(rollout.minSamplePerCohort));
        rollout.verdict = verdict;
        metrics.verdict(rollout, verdict);
        if (verdict.outcome() == Verdict.Outcome.FAIL) {
            Trigger trigger = switch (verdict.action()) {
                case KILL -> Trigger.GUARD_KILL;
                case ROLLBACK -> Trigger.GUARD_ROLLBACK;
                case FREEZE -> Trigger.GUARD_FREEZE;
            };
            // kill, rollback and freeze expose nobody: decided even when the flag is unreadable, the change stays
            // pending and reaches the flag service at the first tick it answers
            tryMove(rollout, trigger, "canary regressed: " + verdict.reason(), verdict);
        } else if (actual == null) {
            // a step up from a flag state nobody could read could not be verified: it waits for the flag service
            return;
        } else if (Duration.between(rollout.stepStartedAt.toInstant(), clock.instant()).toSeconds() >= rollout.bakeSeconds) {
            Duration pastBake = Duration.between(rollout.stepStartedAt.toInstant().plusSeconds(rollout.bakeSeconds),
                    clock.instant());
            if (verdict.outcome() == Verdict.Outcome.PASS) {
                tryMove(rollout, Trigger.ADVANCE, "canary healthy through the bake time of step " + (rollout.step + 1), verdict);
            } else if (rollout.atOneHundredPercent()) {
                // at 100 % only the SLO bounds judge (control is clients on stale flags): no FAIL through the bake is a pass
                tryMove(rollout, Trigger.ADVANCE, "every client has the flag: judged by SLO bounds alone (control is clients"
                        + " on stale flags), no guard failed through the bake time at 100 %", verdict);
            } else {
                notices.holding(rollout, verdict, pastBake);
            }
        }
    }

    /** Whether the flag is not where the rollout holds it (changed by hand): if so, the rollout is paused. */
    private boolean drifted(Rollout rollout, FlagState actual) {
        Integer expected = RolloutMachine.expectedPercentage(rollout.position(), rollout.stepList());
        boolean watched = rollout.state == RolloutState.RUNNING || rollout.state == RolloutState.FROZEN;
        if (!watched || rollout.dryRun || expected == null
                || (actual.enabled() && actual.percentage() != null && actual.percentage().intValue() == expected)) {
            return false;
        }
        tryMove(rollout, Trigger.DRIFT, !actual.exists()
                ? "Unleash no longer has the flag (deleted or renamed by hand); paused"
                : String.format(Locale.ROOT,
                        "Unleash shows the flag %s at %s %%, Bellwether expected on at %d %%: changed by hand; paused",
                        actual.enabled() ? "on" : "off", actual.percentage(), expected), actual);
        return true;
    }

    private void tryMove(Rollout rollout, Trigger trigger, String reason, Object evidence) {
        AutomationSwitch.State state = automation.state();
        if (!state.allows(trigger)) {
            recordWithoutActing(rollout, trigger, reason, evidence, state);
            return;
        }
        try {
            transitions.move(rollout, trigger, reason, CONTROLLER, evidence);
        } catch (RolloutMachine.RefusedException e) {
            LOG.errorf("rollout %d: controller move %s refused: %s", rollout.id, trigger, e.getMessage());
        }
    }

    /** Automation is off (or unknown, for a step-up): the decision Bellwether would make is recorded once, and nothing moves. */
    private void recordWithoutActing(Rollout rollout, Trigger trigger, String reason, Object evidence,
            AutomationSwitch.State state) {
        RolloutMachine.Move move;
        try {
            move = RolloutMachine.apply(rollout.position(), trigger, rollout.stepList());
        } catch (RolloutMachine.RefusedException e) {
            return;
        }
        String answer = (state == AutomationSwitch.State.UNKNOWN ? "automation switch unknown (" : "automation is off (")
                + automation.describe(state) + "): recorded, not applied";
        RolloutDecision last = RolloutDecision.latest(rollout.id);
        if (last != null && answer.equals(last.answer) && last.trigger.equals(trigger.wireName())
                && last.fromState.equals(rollout.state.name()) && last.fromStep == rollout.step) {
            return;
        }
        RolloutDecision decision = transitions.decision(rollout, trigger, reason, CONTROLLER, move, evidence,
                transitions.now());
        decision.answer = answer;
        decision.dryRun = true;
        decision.applied = false;
        decision.persist();
        LOG.infof("rollout %d (%s): would %s, but %s", rollout.id, rollout.flagRef(), trigger.wireName(), answer);
    }
}

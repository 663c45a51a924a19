package dev.bellwether.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Moves a rollout whose row the caller's transaction holds locked, for a person or for the controller: the move
 * {@link RolloutMachine} allows is recorded as a decision with its evidence, counted, and actuated
 * ({@link FlagActuator}), so that replicas never act twice on one decision.
 */
@ApplicationScoped
public class RolloutTransitions {

    private static final Logger LOG = Logger.getLogger(RolloutTransitions.class);
    private final FlagActuator actuator;
    private final RolloutMetrics metrics;
    private final ObjectMapper json;
    private final Clock clock;
    private final RolloutNotices notices;

    public RolloutTransitions(FlagActuator actuator, RolloutMetrics metrics, ObjectMapper json, Clock clock,
            RolloutNotices notices) {
        this.actuator = actuator;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
        this.notices = notices;
    }

    /**
     * @param evidence what the move rests on (a verdict, the flag's actual state), kept with the decision; or null
     * @throws RolloutMachine.RefusedException if the machine does not allow it, or a previous change is still pending
     */
    void move(Rollout rollout, Trigger trigger, String reason, String actor, Object evidence)
            throws RolloutMachine.RefusedException {
        if (rollout.pendingActuation != null && trigger != Trigger.KILL) {
            throw new RolloutMachine.RefusedException("the previous change (" + rollout.pendingActuation.describe()
                    + ") has not reached Unleash yet; only kill is possible until it has");
        }
        RolloutMachine.Position from = rollout.position();
        RolloutMachine.Move move = RolloutMachine.apply(from, trigger, rollout.stepList());
        OffsetDateTime at = now();
        RolloutDecision decision = decision(rollout, trigger, reason, actor, move, evidence, at);
        decision.dryRun = rollout.dryRun;
        decision.persist();
        // a new step, or a return to RUNNING (resume): judge and bake only on what happens from now on
        if (move.to().step() != from.step() || (move.to().state() == RolloutState.RUNNING && from.state() != RolloutState.RUNNING)) {
            rollout.stepStartedAt = at;
        }
        rollout.state = move.to().state();
        rollout.step = move.to().step();
        rollout.updatedAt = at;
        LOG.infof("rollout %d (%s): %s -> %s by %s: %s", rollout.id, rollout.flagRef(), from, move.to(), actor, reason);
        actuator.actuate(rollout, move.actuation(), decision);
        // counted once the decision is acted on: a replica that lost its lease meanwhile gets an exception instead
        metrics.decision(rollout, trigger);
        // written with the decision, sent later by the webhook sender: a slow receiver never holds the decision up
        notices.decided(rollout, decision);
    }

    /** A decision to move {@code rollout} from where it stands, not yet stored. */
    RolloutDecision decision(Rollout rollout, Trigger trigger, String reason, String actor, RolloutMachine.Move move,
            Object evidence, OffsetDateTime at) {
        RolloutDecision decision = new RolloutDecision();
        decision.rolloutId = rollout.id;
        decision.at = at;
        decision.actor = actor;
        decision.trigger = trigger.wireName();
        decision.reason = reason;
        decision.fromState = rollout.state.name();
        decision.fromStep = rollout.step;
        decision.toState = move.to().state().name();
        decision.toStep = move.to().step();
        decision.actuation = move.actuation();
        decision.evidence = evidence == null ? null : json.valueToTree(evidence);
        return decision;
    }

    OffsetDateTime now() {
        return clock.instant().atOffset(ZoneOffset.UTC);
    }
}

package dev.bellwether.rollout;

import dev.bellwether.judge.Verdict;
import java.time.Duration;

/**
 * Where the rollout package tells what happened, for people to be notified (webhooks). Called inside the decision's
 * transaction; an implementation must be cheap and must never fail the caller: a notice that cannot be recorded is
 * lost, the decision is not.
 */
public interface RolloutNotices {

    /** A decision was made and acted on (or left pending): started, stepped up, killed, and so on. */
    void decided(Rollout rollout, RolloutDecision decision);

    /** The rollout is running past its step's bake time without a verdict to step up; called on each such tick. */
    void holding(Rollout rollout, Verdict verdict, Duration pastBake);

    /** A change to the flag service failed and is pending; called on each failed attempt. */
    void actuationFailing(Rollout rollout, Actuation actuation, String error);

    /** A change that had been pending reached the flag service. */
    void actuationRecovered(Rollout rollout);

    /** The automation switch as the controller read it at the start of a tick. */
    void automation(AutomationSwitch.State state, String description);
}

package dev.bellwether.rollout;

import java.util.List;

/**
 * The rollout state machine: from a state, step and trigger to the next state, step and what to ask of the flag
 * service. Pure: the controller applies the actuation and records the transition.
 *
 * <pre>
 * DRAFT --start--> RUNNING(0) --advance--> RUNNING(i+1) ... --advance at the last step--> PROMOTED
 * RUNNING --pause / drift--> PAUSED --resume--> RUNNING(same step)
 * RUNNING --guard: kill--> KILLED     --guard: rollback--> ROLLED_BACK     --guard: freeze--> FROZEN
 * RUNNING | PAUSED | FROZEN --promote--> PROMOTED, --rollback--> ROLLED_BACK
 * any state but KILLED --kill--> KILLED (a promoted flag can still be switched off)
 * </pre>
 */
public final class RolloutMachine {

    /** Where a rollout stands: its state and the index of its current step (-1 before it starts). */
    public record Position(RolloutState state, int step) {
    }

    /** The position after a trigger, and what the flag service must do for it. */
    public record Move(Position to, Actuation actuation) {
    }

    /** The trigger does not apply in this state; {@code getMessage()} says why, for the caller. */
    public static final class RefusedException extends Exception {
        public RefusedException(String message) {
            super(message);
        }
    }

    private RolloutMachine() {
    }

    public static Move apply(Position from, Trigger trigger, List<Integer> steps) throws RefusedException {
        RolloutState state = from.state();
        int step = from.step();
        return switch (trigger) {
            case START -> {
                require(state == RolloutState.DRAFT, trigger, state, "only a draft can start");
                yield new Move(new Position(RolloutState.RUNNING, 0), new Actuation.SetPercentage(steps.get(0)));
            }
            case PAUSE -> {
                require(state == RolloutState.RUNNING || state == RolloutState.FROZEN, trigger, state,
                        "only a running or frozen rollout can pause");
                yield new Move(new Position(RolloutState.PAUSED, step), Actuation.NONE);
            }
            case DRIFT -> {
                require(state == RolloutState.RUNNING || state == RolloutState.FROZEN, trigger, state,
                        "drift only pauses a running or frozen rollout");
                yield new Move(new Position(RolloutState.PAUSED, step), Actuation.NONE);
            }
            case RESUME -> {
                require(state == RolloutState.PAUSED || state == RolloutState.FROZEN, trigger, state,
                        "only a paused or frozen rollout can resume");
                // re-asserts the step's percentage, which also undoes a hand edit that paused it
                yield new Move(new Position(RolloutState.RUNNING, step), new Actuation.SetPercentage(steps.get(step)));
            }
            case ADVANCE -> {
                require(state == RolloutState.RUNNING, trigger, state, "only a running rollout advances");
                yield step + 1 < steps.size()
                        ? new Move(new Position(RolloutState.RUNNING, step + 1), new Actuation.SetPercentage(steps.get(step + 1)))
                        : new Move(new Position(RolloutState.PROMOTED, step), new Actuation.SetPercentage(100));
            }
            case PROMOTE -> {
                require(state == RolloutState.RUNNING || state == RolloutState.PAUSED || state == RolloutState.FROZEN,
                        trigger, state, "only a running, paused or frozen rollout can be promoted");
                yield new Move(new Position(RolloutState.PROMOTED, step), new Actuation.SetPercentage(100));
            }
            case ROLLBACK -> {
                require(state == RolloutState.RUNNING || state == RolloutState.PAUSED || state == RolloutState.FROZEN,
                        trigger, state, "only a running, paused or frozen rollout can be rolled back");
                yield new Move(new Position(RolloutState.ROLLED_BACK, step), new Actuation.SetPercentage(0));
            }
            case KILL -> {
                require(state != RolloutState.KILLED, trigger, state, "the flag is already off");
                yield new Move(new Position(RolloutState.KILLED, step), new Actuation.TurnOff());
            }
            case GUARD_KILL -> {
                require(state == RolloutState.RUNNING, trigger, state, "guards act on running rollouts only");
                yield new Move(new Position(RolloutState.KILLED, step), new Actuation.TurnOff());
            }
            case GUARD_ROLLBACK -> {
                require(state == RolloutState.RUNNING, trigger, state, "guards act on running rollouts only");
                yield new Move(new Position(RolloutState.ROLLED_BACK, step), new Actuation.SetPercentage(0));
            }
            case GUARD_FREEZE -> {
                require(state == RolloutState.RUNNING, trigger, state, "guards act on running rollouts only");
                yield new Move(new Position(RolloutState.FROZEN, step), Actuation.NONE);
            }
        };
    }

    /** The percentage the flag should have in a position: what the controller compares the actual state against. */
    public static Integer expectedPercentage(Position position, List<Integer> steps) {
        return switch (position.state()) {
            case DRAFT, KILLED -> null;
            case RUNNING, PAUSED, FROZEN -> steps.get(position.step());
            case PROMOTED -> 100;
            case ROLLED_BACK -> 0;
        };
    }

    private static void require(boolean allowed, Trigger trigger, RolloutState state, String why) throws RefusedException {
        if (!allowed) {
            throw new RefusedException(trigger.wireName() + " is not possible in state " + state + ": " + why);
        }
    }
}

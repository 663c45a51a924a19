package dev.bellwether.console;

import dev.bellwether.rollout.RolloutMachine;
import dev.bellwether.rollout.RolloutState;
import dev.bellwether.rollout.Trigger;
import dev.bellwether.security.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a page offers on a rollout: those the person's role may give (the API's rule, {@link Trigger#allows})
 * that the rollout's state accepts (the state machine's rule), so a page never shows a button the server would refuse.
 */
final class OfferedActions {

    private OfferedActions() {
    }

    static List<Overview.Action> of(RolloutState state, int step, List<Integer> steps, Role role, List<Trigger> triggers) {
        List<Overview.Action> actions = new ArrayList<>();
        for (Trigger trigger : triggers) {
            if (!trigger.allows(role)) {
                continue;
            }
            try {
                RolloutMachine.apply(new RolloutMachine.Position(state, step), trigger, steps);
            } catch (RolloutMachine.RefusedException notNow) {
                continue;
            }
            actions.add(new Overview.Action(trigger.wireName(), label(trigger)));
        }
        return actions;
    }

    static String label(Trigger trigger) {
        return switch (trigger) {
            case ROLLBACK -> "Roll back";
            default -> {
                String command = trigger.wireName();
                yield Character.toUpperCase(command.charAt(0)) + command.substring(1);
            }
        };
    }
}

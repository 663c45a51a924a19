package dev.bellwether.judge;

import java.util.Locale;

/**
 * What a failed guard does. When several guards fail at once, the first in this order wins. In JSON it is its wire
 * name ({@code dev.bellwether.rollout.GuardActionJson}).
 */
public enum GuardAction {
    /** Hold the percentage and page: for changes that cannot be undone safely, such as IndexedDB migrations. */
    FREEZE,
    /** Turn the flag off in the environment. */
    KILL,
    /** Set the percentage to 0 and stop. */
    ROLLBACK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static GuardAction fromWireName(String wireName) {
        for (GuardAction action : values()) {
            if (action.wireName().equals(wireName)) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown guard action '" + wireName + "'; one of kill, rollback, freeze");
    }
}

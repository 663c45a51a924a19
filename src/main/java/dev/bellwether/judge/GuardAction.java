package dev.bellwether.judge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a failed guard does. When several guards fail at once, the first in this order wins. */
public enum GuardAction {
    /** Hold the percentage and page: for changes that cannot be undone safely, such as IndexedDB migrations. */
    FREEZE,
    /** Turn the flag off in the environment. */
    KILL,
    /** Set the percentage to 0 and stop. */
    ROLLBACK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static GuardAction fromWireName(String wireName) {
        for (GuardAction action : values()) {
            if (action.wireName().equals(wireName)) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown guard action '" + wireName + "'; one of kill, rollback, freeze");
    }
}

package dev.bellwether.rollout;

/**
 * The global switch for automatic rollout actions. When it is off, the controller still judges and records what it
 * would do, but moves and actuates nothing; people's commands work as always. When it is unknown (not read yet), the
 * controller holds step-ups but still takes protective moves (kill, rollback, freeze, pause on drift): the switch
 * may be off, and those moves expose nobody.
 */
public interface AutomationSwitch {

    enum State {
        ON, OFF, UNKNOWN;

        /** Whether the controller may make this move itself: unknown holds only step-ups. */
        public boolean allows(Trigger trigger) {
            return this == ON || (this == UNKNOWN && trigger != Trigger.ADVANCE);
        }
    }

    State state();

    /** What the switch is and, for a state, why (for decisions and logs), e.g. "Unleash flag bellwether-automation". */
    String describe(State state);
}

package dev.bellwether.rollout;

/**
 * The global switch for automatic rollout actions. When it is off, the controller still judges and records what it
 * would do, but moves and actuates nothing; people's commands work as always.
 */
public interface AutomationSwitch {

    boolean on();

    /** What the switch is (for decisions and logs), e.g. "Unleash flag bellwether-automation". */
    String describe();
}

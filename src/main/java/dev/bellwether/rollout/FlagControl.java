package dev.bellwether.rollout;

import java.time.Duration;

/**
 * The port through which rollouts act on feature flags; Unleash is one implementation. Every write is
 * read-compare-write and idempotent: asking for the state the flag is already in changes nothing.
 */
public interface FlagControl {

    /** The actual state of the flag. */
    FlagState read(FlagRef flag) throws FlagControlException;

    /** Turns the environment on and sets the gradual rollout to {@code percentage} (0-100), creating the strategy if needed. */
    FlagState setPercentage(FlagRef flag, int percentage) throws FlagControlException;

    /** The kill switch: turns the flag off in the environment, leaving its strategies as they are. */
    FlagState turnOff(FlagRef flag) throws FlagControlException;

    /**
     * The longest one of the operations above can take, retries included: how long a caller's transaction may sit
     * idle in PostgreSQL while it waits for one.
     */
    Duration longestOperation();

    /** Whether the flag service answers at all. */
    boolean isOnline();

    /** Whether the flag service is configured at all (without it, rollouts cannot be created). */
    default boolean configured() {
        return true;
    }
}

package dev.bellwether.rollout;

/**
 * What the flag service says of a flag in one environment: whether the flag exists, whether the environment is on,
 * and the gradual-rollout percentage of the strategy Bellwether steers (null when there is no such strategy).
 */
public record FlagState(boolean exists, boolean enabled, Integer percentage) {

    public static final FlagState MISSING = new FlagState(false, false, null);
}

package dev.bellwether.unleash;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which strategy of a flag's environment Bellwether steers, and what its rollout means. Framework-free.
 *
 * <p>The steered strategy is the environment's {@value #FLEXIBLE_ROLLOUT} strategy: if there are several, the first
 * whose {@code groupId} is the flag's name (the default Unleash gives it), else the first one. Unleash lists strategies
 * in their sort order, so "first" is what an operator sees first.
 */
public final class RolloutStrategies {

    public static final String FLEXIBLE_ROLLOUT = "flexibleRollout";
    public static final String ROLLOUT = "rollout";
    public static final String GROUP_ID = "groupId";
    public static final String STICKINESS = "stickiness";

    /** The parts of an Unleash strategy that the choice needs. */
    public record Strategy(String id, String name, Map<String, String> parameters, boolean disabled) {

        public Strategy {
            parameters = parameters == null ? Map.of() : parameters;
        }

        String parameter(String key) {
            return parameters.get(key);
        }
    }

    private RolloutStrategies() {
    }

    /** The position of the steered strategy in {@code strategies}, or empty when there is no flexibleRollout. */
    public static OptionalInt steered(List<Strategy> strategies, String flag) {
        int firstRollout = -1;
        for (int i = 0; i < strategies.size(); i++) {
            Strategy strategy = strategies.get(i);
            if (!FLEXIBLE_ROLLOUT.equals(strategy.name())) {
                continue;
            }
            if (flag.equals(strategy.parameter(GROUP_ID))) {
                return OptionalInt.of(i);
            }
            if (firstRollout < 0) {
                firstRollout = i;
            }
        }
        return firstRollout < 0 ? OptionalInt.empty() : OptionalInt.of(firstRollout);
    }

    public static Optional<Strategy> steeredStrategy(List<Strategy> strategies, String flag) {
        OptionalInt index = steered(strategies, flag);
        return index.isPresent() ? Optional.of(strategies.get(index.getAsInt())) : Optional.empty();
    }

    /**
     * The percentage a {@code rollout} parameter gives: a whole number 0-100 as Unleash stores it ("25"); a decimal
     * counts by its whole part ("12.5" → 12), values outside 0-100 are clamped; a missing, empty or unreadable value is
     * 0, since SDKs then give the flag to nobody.
     */
    public static int percentage(String rollout) {
        if (rollout == null || rollout.isBlank()) {
            return 0;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(rollout.trim());
        } catch (NumberFormatException unreadable) {
            return 0;
        }
        if (value.signum() <= 0) {
            return 0;
        }
        if (value.compareTo(BigDecimal.valueOf(100)) >= 0) {
            return 100;
        }
        return value.setScale(0, RoundingMode.DOWN).intValueExact();
    }

    /** The {@code rollout} parameter Bellwether writes for a percentage: the whole number as a string. */
    public static String rollout(int percentage) {
        if (percentage < 0 || percentage > 100) {
            throw new IllegalArgumentException("a rollout percentage is 0-100, not " + percentage);
        }
        return Integer.toString(percentage);
    }

    /**
     * Whether the steered strategy already is what {@code setPercentage(percentage)} asks for: the rollout written
     * exactly as Bellwether writes it, and the strategy not disabled (Unleash does not evaluate disabled strategies).
     */
    public static boolean isAt(Strategy strategy, int percentage) {
        return rollout(percentage).equals(strategy.parameter(ROLLOUT)) && !strategy.disabled();
    }
}

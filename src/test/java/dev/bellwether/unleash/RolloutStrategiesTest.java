package dev.bellwether.unleash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellwether.unleash.RolloutStrategies.Strategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolloutStrategiesTest {

    private static final String FLAG = "new-sync-engine";

    /**
     * Strategies are written as {@code name:groupId:rollout} separated by spaces ({@code -} for none, {@code !} after a
     * strategy for disabled); the expected index is the one Bellwether steers, -1 for none.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            ''                                                                          | -1
            default:-:-                                                                 | -1
            userWithId:-:- remoteAddress:-:-                                            | -1
            flexibleRollout:new-sync-engine:5                                           |  0
            flexibleRollout:other:5                                                     |  0
            default:-:- flexibleRollout:other:5                                         |  1
            flexibleRollout:other:5 flexibleRollout:new-sync-engine:25                  |  1
            flexibleRollout:new-sync-engine:25 flexibleRollout:other:5                  |  0
            flexibleRollout:other:5 flexibleRollout:third:7                             |  0
            flexibleRollout:-:5 flexibleRollout:new-sync-engine:9 flexibleRollout:new-sync-engine:1 | 1
            flexibleRollout:NEW-SYNC-ENGINE:5 flexibleRollout:new-sync-engine:9         |  1
            flexibleRollout:new-sync-engine:5! default:-:-                              |  0
            gradualRolloutRandom:new-sync-engine:5 flexibleRollout:other:5              |  1
            """)
    void choosesTheSteeredStrategy(String strategies, int expected) {
        List<Strategy> list = parse(strategies);
        assertThat(RolloutStrategies.steered(list, FLAG).orElse(-1)).isEqualTo(expected);
        assertThat(RolloutStrategies.steeredStrategy(list, FLAG)).isEqualTo(
                expected < 0 ? java.util.Optional.empty() : java.util.Optional.of(list.get(expected)));
    }

    @ParameterizedTest(name = "rollout \"{0}\" -> {1}%")
    @CsvSource(nullValues = "null", textBlock = """
            0,      0
            5,      5
            25,     25
            100,    100
            ' 42 ', 42
            007,    7
            12.5,   12
            25.0,   25
            99.99,  99
            150,    100
            -5,     0
            '',     0
            ' ',    0
            null,   0
            abc,    0
            5%,     0
            1e2,    100
            """)
    void readsTheRolloutAsSdksDo(String rollout, int expected) {
        assertThat(RolloutStrategies.percentage(rollout)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}% is written \"{1}\"")
    @CsvSource({"0, 0", "5, 5", "100, 100"})
    void writesTheRolloutAsAWholeNumberString(int percentage, String rollout) {
        assertThat(RolloutStrategies.rollout(percentage)).isEqualTo(rollout);
    }

    @Test
    void refusesPercentagesOutsideZeroToHundred() {
        assertThatThrownBy(() -> RolloutStrategies.rollout(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RolloutStrategies.rollout(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "rollout \"{0}\" disabled={1} is at 25%: {2}")
    @CsvSource(nullValues = "null", textBlock = """
            25,    false, true
            25,    true,  false
            25.0,  false, false
            ' 25', false, false
            24,    false, false
            null,  false, false
            """)
    void isAtOnlyWhenWrittenExactlyAndEnabled(String rollout, boolean disabled, boolean expected) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("rollout", rollout);
        assertThat(RolloutStrategies.isAt(new Strategy("id", "flexibleRollout", parameters, disabled), 25)).isEqualTo(expected);
    }

    @Test
    void aStrategyWithoutParametersHasNone() {
        Strategy strategy = new Strategy("id", "flexibleRollout", null, false);
        assertThat(strategy.parameters()).isEmpty();
        assertThat(RolloutStrategies.steered(List.of(strategy), FLAG)).hasValue(0);
    }

    private static List<Strategy> parse(String text) {
        List<Strategy> strategies = new ArrayList<>();
        int n = 0;
        for (String part : text.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            boolean disabled = part.endsWith("!");
            String[] fields = (disabled ? part.substring(0, part.length() - 1) : part).split(":");
            Map<String, String> parameters = new HashMap<>();
            if (!fields[1].equals("-")) {
                parameters.put("groupId", fields[1]);
            }
            if (!fields[2].equals("-")) {
                parameters.put("rollout", fields[2]);
            }
            strategies.add(new Strategy("s" + n++, fields[0], parameters, disabled));
        }
        return strategies;
    }
}

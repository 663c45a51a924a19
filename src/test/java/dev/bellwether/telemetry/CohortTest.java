package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CohortTest {

    static Stream<Arguments> labels() {
        return Stream.of(
                Arguments.of(ordered("b", "blue", "a", true), "a=true,b=blue"),
                Arguments.of(ordered("a", true, "b", "blue"), "a=true,b=blue"),
                Arguments.of(ordered("zeta", false, "alpha", "v2", "mid", true), "alpha=v2,mid=true,zeta=false"),
                Arguments.of(ordered("only", false), "only=false"),
                Arguments.of(ordered("B", true, "a", true), "B=true,a=true"),
                Arguments.of(Map.of(), ""));
    }

    @ParameterizedTest(name = "{0} has label \"{1}\"")
    @MethodSource("labels")
    void labelListsFlagsSortedByNameAsNameEqualsValue(Map<String, Object> flags, String label) {
        assertThat(Cohort.of(flags).label()).isEqualTo(label);
    }

    @Test
    void theEmptyCohortHasTheEmptyLabel() {
        assertThat(Cohort.NONE.label()).isEmpty();
        assertThat(Cohort.NONE.flags()).isEmpty();
    }

    @Test
    void cohortsWithTheSameFlagsInAnyInsertionOrderAreEqual() {
        Cohort first = Cohort.of(ordered("b", "blue", "a", true));
        Cohort second = Cohort.of(ordered("a", true, "b", "blue"));

        assertThat(first).isEqualTo(second).hasSameHashCodeAs(second);
    }

    static Stream<Arguments> flagStates() {
        return Stream.of(
                Arguments.of("on", true, Boolean.TRUE),
                Arguments.of("off", false, Boolean.FALSE),
                Arguments.of("variant", "blue", Boolean.TRUE),
                Arguments.of("variant named false", "false", Boolean.TRUE));
    }

    @ParameterizedTest(name = "flag with value {1} is on = {2}")
    @MethodSource("flagStates")
    void isOnIsTrueForTrueAndVariantsAndFalseForFalse(String name, Object value, Boolean expected) {
        Cohort cohort = Cohort.of(Map.of(name, value, "other", false));

        assertThat(cohort.isOn(name)).isEqualTo(expected);
    }

    @Test
    void isOnIsNullForAFlagThatWasNotReported() {
        Cohort cohort = Cohort.of(Map.of("a", true));

        assertThat(cohort.isOn("b")).isNull();
        assertThat(Cohort.NONE.isOn("a")).isNull();
    }

    @Test
    void theCohortIsACopyThatLaterChangesToTheSourceMapDoNotAffect() {
        Map<String, Object> source = new HashMap<>(Map.of("a", true));
        Cohort cohort = Cohort.of(source);

        source.put("b", "blue");

        assertThat(cohort.label()).isEqualTo("a=true");
    }

    @Test
    void theFlagsOfACohortCannotBeModified() {
        Cohort cohort = Cohort.of(Map.of("a", true));

        assertThatThrownBy(() -> cohort.flags().put("b", false)).isInstanceOf(UnsupportedOperationException.class);
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}

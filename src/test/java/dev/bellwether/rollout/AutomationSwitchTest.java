package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.rollout.AutomationSwitch.State;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutomationSwitchTest {

    @ParameterizedTest(name = "switch {0}, {1}: allowed {2}")
    @CsvSource({
            "ON,      ADVANCE,        true",
            "ON,      GUARD_KILL,     true",
            "ON,      DRIFT,          true",
            "OFF,     ADVANCE,        false",
            "OFF,     GUARD_KILL,     false",
            "OFF,     GUARD_ROLLBACK, false",
            "OFF,     GUARD_FREEZE,   false",
            "OFF,     DRIFT,          false",
            // not read yet: it may be off, so no step-up; the protective moves expose nobody
            "UNKNOWN, ADVANCE,        false",
            "UNKNOWN, GUARD_KILL,     true",
            "UNKNOWN, GUARD_ROLLBACK, true",
            "UNKNOWN, GUARD_FREEZE,   true",
            "UNKNOWN, DRIFT,          true",
    })
    void whatTheControllerMayDoByItselfForEachStateOfTheSwitch(State state, Trigger trigger, boolean allowed) {
        assertThat(state.allows(trigger)).isEqualTo(allowed);
    }
}

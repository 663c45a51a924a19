package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.judge.GuardAction;
import dev.bellwether.slo.Sli;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which guards a rollout ends up with, given what its creator listed and the app's critical journeys. */
class CriticalJourneyGuardsTest {

    /**
     * Guards as {@code sli@journey:action} separated by spaces ({@code sli:action} on the whole app); the default is
     * replay_repeat_failure_ratio → kill.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no critical journey: as requested | dead_letter_ratio:kill | | true | dead_letter_ratio:kill",
            "one critical journey: its guard after the requested | dead_letter_ratio:kill | checkout | true"
                    + " | dead_letter_ratio:kill replay_repeat_failure_ratio@checkout:kill",
            "two, in the order given | dead_letter_ratio:kill | checkout signature | true"
                    + " | dead_letter_ratio:kill replay_repeat_failure_ratio@checkout:kill replay_repeat_failure_ratio@signature:kill",
            "the creator's guard on the same indicator and journey replaces the default | replay_repeat_failure_ratio@checkout:freeze"
                    + " | checkout | true | replay_repeat_failure_ratio@checkout:freeze",
            "another indicator on the journey does not | dead_letter_ratio@checkout:rollback | checkout | true"
                    + " | dead_letter_ratio@checkout:rollback replay_repeat_failure_ratio@checkout:kill",
            "the same indicator on the whole app does not | replay_repeat_failure_ratio:kill | checkout | true"
                    + " | replay_repeat_failure_ratio:kill replay_repeat_failure_ratio@checkout:kill",
            "replaced for one journey, added for the other | replay_repeat_failure_ratio@signature:rollback"
                    + " | checkout signature | true"
                    + " | replay_repeat_failure_ratio@signature:rollback replay_repeat_failure_ratio@checkout:kill",
            "left out when the creator asks for none | dead_letter_ratio:kill | checkout signature | false | dead_letter_ratio:kill",
    })
    void aRolloutGetsADefaultGuardOnEachCriticalJourneyItDoesNotGuardItself(String why, String requested,
            String critical, boolean wanted, String expected) {
        List<GuardSpec> guards = CriticalJourneyGuards.withDefaults(guards(requested),
                critical == null ? List.of() : List.of(critical.split(" ")), Sli.REPLAY_REPEAT_FAILURE_RATIO,
                GuardAction.KILL, wanted);
        assertThat(guards).as(why).isEqualTo(guards(expected));
    }

    private static List<GuardSpec> guards(String text) {
        return Arrays.stream(text.trim().split(" ")).map(guard -> {
            String[] sliAndAction = guard.split(":");
            String[] sliAndJourney = sliAndAction[0].split("@");
            return new GuardSpec(Sli.fromWireName(sliAndJourney[0]), sliAndJourney.length > 1 ? sliAndJourney[1] : null,
                    GuardAction.fromWireName(sliAndAction[1]));
        }).toList();
    }
}

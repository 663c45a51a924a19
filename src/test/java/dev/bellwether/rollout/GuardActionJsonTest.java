package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.judge.Verdict;
import dev.bellwether.platform.JsonCustomizer;
import dev.bellwether.slo.Sli;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Guard actions travel by their wire names, though the judge that defines them knows nothing of JSON. */
class GuardActionJsonTest {

    private final ObjectMapper json = mapper();

    private static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper();
        new JsonCustomizer().customize(mapper);
        new GuardActionJson().customize(mapper);
        return mapper;
    }

    @Test
    void aGuardIsWrittenAndReadByWireNames() throws Exception {
        GuardSpec guard = GuardSpec.of(Sli.DEAD_LETTER_RATIO, GuardAction.ROLLBACK);
        String text = json.writeValueAsString(guard);
        assertThat(text).isEqualTo("{\"sli\":\"dead_letter_ratio\",\"action\":\"rollback\"}");
        assertThat(json.readValue(text, GuardSpec.class)).isEqualTo(guard);
    }

    /** A guard on a journey keeps it; one stored before guards had journeys reads as a guard on the whole app. */
    @Test
    void aJourneyGuardRoundTripsAndAnOldGuardHasNone() throws Exception {
        GuardSpec guard = new GuardSpec(Sli.REPLAY_REPEAT_FAILURE_RATIO, "checkout", GuardAction.KILL);
        String text = json.writeValueAsString(guard);
        assertThat(text).isEqualTo("{\"sli\":\"replay_repeat_failure_ratio\",\"journey\":\"checkout\",\"action\":\"kill\"}");
        assertThat(json.readValue(text, GuardSpec.class)).isEqualTo(guard);
        assertThat(json.readValue("{\"sli\":\"dead_letter_ratio\",\"action\":\"kill\"}", GuardSpec.class))
                .isEqualTo(GuardSpec.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL));
    }

    /** As stored in its jsonb column, infinite evidence included. */
    @Test
    void aVerdictRoundTrips() throws Exception {
        Verdict verdict = new Verdict(Verdict.Outcome.FAIL, GuardAction.KILL, "canary regressed", List.of(
                new Verdict.GuardResult("dead_letter_ratio", "checkout", GuardAction.KILL, Verdict.Outcome.FAIL, "worse",
                        300, 600, 0.025, List.of(new Verdict.Comparison("bad ratio", 0.2, 0.01, 0.19, Double.POSITIVE_INFINITY, true, 3)))));
        String text = json.writeValueAsString(verdict);
        assertThat(text).contains("\"action\":\"kill\"");
        assertThat(json.readValue(text, Verdict.class)).isEqualTo(verdict);
    }

    @Test
    void anUnknownActionIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> json.readValue("{\"sli\":\"dead_letter_ratio\",\"action\":\"explode\"}", GuardSpec.class))
                .isInstanceOf(ValueInstantiationException.class)
                .hasRootCauseMessage("unknown guard action 'explode'; one of kill, rollback, freeze");
    }
}

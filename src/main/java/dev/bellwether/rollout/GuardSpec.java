package dev.bellwether.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.slo.Sli;
import java.util.EnumSet;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A guard as given at creation and stored with the rollout: which indicator, and what a regression of it does;
 * {@code journey}, for a replay indicator, narrows it to that journey's replays.
 */
public record GuardSpec(Sli sli,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(nullable = true, description = "A journey of the app, or 'other': the guard compares "
                                + "canary and control on that journey's replays alone. Only replay indicators take one: "
                                + "replay_success_ratio, dead_letter_ratio, replay_repeat_failure_ratio.")
                        String journey,
                        GuardAction action) {

    /** The indicators read from replays alone, the only events that belong to a journey. */
    public static final Set<Sli> JOURNEY_INDICATORS = EnumSet.of(Sli.REPLAY_SUCCESS_RATIO, Sli.DEAD_LETTER_RATIO,
            Sli.REPLAY_REPEAT_FAILURE_RATIO);

    public static GuardSpec of(Sli sli, GuardAction action) {
        return new GuardSpec(sli, null, action);
    }
}

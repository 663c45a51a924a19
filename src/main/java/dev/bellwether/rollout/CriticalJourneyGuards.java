package dev.bellwether.rollout;

import dev.bellwether.judge.GuardAction;
import dev.bellwether.slo.Sli;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The guards a rollout gets for the app's critical journeys unless its creator says otherwise: one guard on the
 * default indicator and action for each critical journey. A guard the creator lists on the same indicator and journey
 * replaces the default (the creator's action wins); asking for no defaults leaves every one out.
 */
public final class CriticalJourneyGuards {

    private CriticalJourneyGuards() {
    }

    /**
     * @param requested the creator's guards, already valid
     * @param criticalJourneys the app's critical journeys in force, in the order their guards are added
     * @param wanted false: the creator asked for no default guards
     * @return the requested guards, then a default guard for each critical journey they do not already guard so
     */
    public static List<GuardSpec> withDefaults(List<GuardSpec> requested, List<String> criticalJourneys, Sli sli,
            GuardAction action, boolean wanted) {
        List<GuardSpec> guards = new ArrayList<>(requested);
        if (!wanted) {
            return guards;
        }
        for (String journey : criticalJourneys) {
            boolean guarded = requested.stream().anyMatch(g -> g.sli() == sli && Objects.equals(g.journey(), journey));
            if (!guarded) {
                guards.add(new GuardSpec(sli, journey, action));
            }
        }
        return guards;
    }
}

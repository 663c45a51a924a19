package dev.bellwether.judge;

import dev.bellwether.slo.Sli;

/**
 * One indicator the canary is judged on, and what happens when it regresses. When the app has an SLO on this
 * indicator, {@code sloAllowedErrorRatio} (and for threshold indicators {@code sloThreshold}) bound the canary too:
 * it must not burn more than the SLO allows, even if control does as badly.
 */
public record Guard(Sli sli, GuardAction action, Double sloAllowedErrorRatio, Double sloThreshold) {

    public static Guard of(Sli sli, GuardAction action) {
        return new Guard(sli, action, null, null);
    }
}

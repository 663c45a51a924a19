package dev.bellwether.judge;

import dev.bellwether.slo.Sli;

/**
 * One indicator the canary is judged on, and what happens when it regresses. When the app has an SLO on this
 * indicator, {@code sloAllowedErrorRatio} (and for threshold indicators {@code sloThreshold}) bound the canary too:
 * it must not burn more than the SLO allows, even if control does as badly. {@code journey}: the guard reads that
 * journey's replays alone (null: every event of the app).
 */
public record Guard(Sli sli, GuardAction action, Double sloAllowedErrorRatio, Double sloThreshold, String journey) {

    public static Guard of(Sli sli, GuardAction action) {
        return new Guard(sli, action, null, null, null);
    }

    public static Guard onJourney(Sli sli, String journey, GuardAction action) {
        return new Guard(sli, action, null, null, journey);
    }

    /** How verdicts name the guard: its indicator, and its journey when it has one. */
    public String label() {
        return label(sli.wireName(), journey);
    }

    public static String label(String sli, String journey) {
        return journey == null ? sli : sli + " (journey " + journey + ")";
    }
}

package dev.bellwether.slo;

import dev.bellwether.telemetry.Durations;
import java.time.Duration;
import java.util.Locale;

/**
 * An objective: {@code objective} of the valid events of {@code sli} are good over {@code period}. Threshold
 * indicators need {@code threshold} (milliseconds for latency and staleness, mutations for outbox depth). With
 * {@code minEvents}, a window with fewer valid events cannot alert. A replay SLI may count one {@code journey}'s
 * replays alone (a declared journey or {@code other}); {@code severity}, when given, is what a fast burn raises
 * ({@link AlertSeverity#ofFastBurn}).
 */
public record SloSpec(String name, Sli sli, double objective, Duration period, Double threshold, Long minEvents,
                      String journey, AlertSeverity severity) {

    /** An app-wide SLO, alerting by default. */
    public SloSpec(String name, Sli sli, double objective, Duration period, Double threshold, Long minEvents) {
        this(name, sli, objective, period, threshold, minEvents, null, null);
    }

    public static final Duration DEFAULT_PERIOD = Duration.ofDays(30);
    /** Shorter periods make the 3-day window longer than the period the budget is for. */
    static final Duration SHORTEST_PERIOD = Duration.ofDays(7);
    static final Duration LONGEST_PERIOD = Duration.ofDays(90);
    private static final String NAME = "^[a-z0-9][a-z0-9._-]{0,62}$";

    /** The error budget as a share of valid events. */
    public double allowedErrorRatio() {
        return 1 - objective;
    }

    /** @throws InvalidSloException naming the field and why, when the objective cannot be evaluated */
    public SloSpec validated() {
        if (name == null || !name.matches(NAME)) {
            throw new InvalidSloException("name", "must be 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        if (sli == null) {
            throw new InvalidSloException("sli", "is required");
        }
        if (!(objective > 0 && objective < 1)) {
            throw new InvalidSloException("objective", "must lie strictly between 0 and 1 (0.995 = 99.5 %), got " + objective
                    + (objective >= 1 ? ": 100 % leaves no error budget to burn" : ""));
        }
        if (period == null || period.compareTo(SHORTEST_PERIOD) < 0 || period.compareTo(LONGEST_PERIOD) > 0) {
            throw new InvalidSloException("period", "must be between 7d and 90d, got " + period);
        }
        if (AlertCondition.WORKBOOK.stream().allMatch(c -> c.factor(period) * allowedErrorRatio() > 1)) {
            throw new InvalidSloException("objective", String.format(Locale.ROOT,
                    "%s over %s could never alert: even the slowest burn-rate condition needs more than 100 %% errors; "
                            + "tighten the objective or shorten the period", objective, Durations.format(period)));
        }
        if (sli.needsThreshold() && (threshold == null || !(threshold >= 0) || threshold.isInfinite())) {
            throw new InvalidSloException(thresholdField(sli), "is required for " + sli.wireName() + ", a number >= 0");
        }
        if (!sli.needsThreshold() && threshold != null) {
            throw new InvalidSloException("threshold", sli.wireName() + " is a ratio and takes no threshold");
        }
        if (minEvents != null && minEvents < 0) {
            throw new InvalidSloException("minEvents", "must be >= 0, got " + minEvents);
        }
        if (journey != null && !sli.perJourney()) {
            throw new InvalidSloException("journey", sli.wireName() + " is not counted per journey; only the replay SLIs "
                    + Sli.perJourneyNames() + " take a journey");
        }
        if (journey != null && !journey.matches(NAME)) {
            throw new InvalidSloException("journey", "must be a journey name: 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        return this;
    }


    public static String thresholdField(Sli sli) {
        return sli.thresholdUnit() == Sli.Unit.MILLISECONDS ? "thresholdMs" : "threshold";
    }
}

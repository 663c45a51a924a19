package dev.bellwether.slo;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import dev.bellwether.telemetry.Distribution;
import dev.bellwether.telemetry.Rollup;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The indicators an SLO can be set on, each read from a rollup as good events out of valid ones, so that every
 * objective is a ratio and burn rates apply. Threshold indicators count a value as good when it is at most the bound.
 */
public enum Sli {
    /** Final replays that succeeded. */
    REPLAY_SUCCESS_RATIO(Unit.NONE),
    /** Final replays that were not dead-lettered. */
    DEAD_LETTER_RATIO(Unit.NONE),
    /**
     * Mutations replayed (first attempts) that did not fail twice in a row: a failed second attempt, or a dead
     * letter at the first, is bad. A mutation that will be dead-lettered counts as soon as its second attempt fails,
     * long before its retries run out; one flaky attempt does not count. Needs {@code attempts} on replay events.
     */
    REPLAY_REPEAT_FAILURE_RATIO(Unit.NONE),
    /** Syncs that finished within {@code thresholdMs}. */
    SYNC_LATENCY(Unit.MILLISECONDS),
    /** Syncs whose data was at most {@code thresholdMs} old. */
    STALENESS(Unit.MILLISECONDS),
    /** Final replays without a conflict (conflicts per final replay is the error ratio). */
    CONFLICT_RATIO(Unit.NONE),
    /** Migrations that succeeded (failed and rolled back are bad). */
    MIGRATION_FAILURE_RATIO(Unit.NONE),
    /** Outbox reports with at most {@code threshold} queued mutations. */
    OUTBOX_DEPTH(Unit.COUNT);

    /** What the threshold of this indicator is measured in; NONE: it takes no threshold. */
    public enum Unit { NONE, MILLISECONDS, COUNT }

    private final Unit thresholdUnit;

    Sli(Unit thresholdUnit) {
        this.thresholdUnit = thresholdUnit;
    }

    public Unit thresholdUnit() {
        return thresholdUnit;
    }

    /** Replay SLIs can be counted per journey; every other event belongs to no journey. */
    public boolean perJourney() {
        return this == REPLAY_SUCCESS_RATIO || this == DEAD_LETTER_RATIO || this == REPLAY_REPEAT_FAILURE_RATIO;
    }

    public static String perJourneyNames() {
        return Arrays.stream(values()).filter(Sli::perJourney).map(Sli::wireName).collect(Collectors.joining(", "));
    }

    public boolean needsThreshold() {
        return thresholdUnit != Unit.NONE;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Sli fromWireName(String wireName) {
        for (Sli sli : values()) {
            if (sli.wireName().equals(wireName)) {
                return sli;
            }
        }
        throw new IllegalArgumentException("unknown SLI '" + wireName + "'; one of "
                + Arrays.stream(values()).map(Sli::wireName).collect(Collectors.joining(", ")));
    }

    public GoodValid count(Rollup rollup, Double threshold) {
        long terminal = rollup.terminalReplays();
        return switch (this) {
            case REPLAY_SUCCESS_RATIO -> new GoodValid(rollup.replays(ReplayOutcome.SUCCEEDED), terminal);
            case DEAD_LETTER_RATIO -> new GoodValid(terminal - rollup.replays(ReplayOutcome.DEAD_LETTERED), terminal);
            // more repeat failures than first attempts (a window that starts between the two) is all bad
            case REPLAY_REPEAT_FAILURE_RATIO -> new GoodValid(Math.max(0, rollup.firstAttempts() - rollup.repeatFailures()),
                    rollup.firstAttempts());
            // conflicts and replays are separate events: more conflicts than replays is all bad, not negative
            case CONFLICT_RATIO -> new GoodValid(Math.max(0, terminal - rollup.conflictCount()), terminal);
            case MIGRATION_FAILURE_RATIO -> {
                long succeeded = rollup.migrationCount(MigrationOutcome.SUCCEEDED);
                yield new GoodValid(succeeded, succeeded + rollup.migrationCount(MigrationOutcome.FAILED)
                        + rollup.migrationCount(MigrationOutcome.ROLLED_BACK));
            }
            case SYNC_LATENCY -> within(rollup.syncLatency(), threshold);
            case STALENESS -> within(rollup.staleness(), threshold);
            case OUTBOX_DEPTH -> within(rollup.outboxDepth(), threshold);
        };
    }

    private static GoodValid within(Distribution distribution, Double bound) {
        if (distribution == null || distribution.isEmpty()) {
            return GoodValid.NONE;
        }
        long valid = distribution.count();
        return new GoodValid(Math.min(valid, distribution.countAtMost(bound)), valid);
    }
}

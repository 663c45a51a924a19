package dev.bellwether.telemetry;

import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The service-level indicators of a rollup, as the SLI API reports them. Ratios are null without a denominator. For one
 * journey only the replays are the journey's: syncs, conflicts, outbox and migrations belong to no journey, and are null.
 */
public record SliSummary(long events, Replays replays, @Schema(nullable = true) Syncs syncs,
                         @Schema(nullable = true) Conflicts conflicts, @Schema(nullable = true) Outbox outbox,
                         @Schema(nullable = true) Migrations migrations) {

    /**
     * {@code firstAttempts}: mutations replayed; {@code repeatFailures}: those that failed twice in a row (see
     * {@code TelemetryEvent.Replay#repeatFailure}); both from replays that report {@code attempts}. {@code latencyMs}:
     * of every replay attempt that reports {@code latencyMs}.
     */
    public record Replays(long succeeded, long retried, long deadLettered, long conflicted, long terminal,
                          @Schema(nullable = true) Double successRatio, @Schema(nullable = true) Double deadLetterRatio,
                          long firstAttempts, long repeatFailures, @Schema(nullable = true) Double repeatFailureRatio,
                          Quantiles latencyMs) {
    }

    public record Syncs(long count, Quantiles latencyMs, long stalenessReports, @Schema(nullable = true) Double stalenessP95Ms) {
    }

    public record Quantiles(@Schema(nullable = true) Double p50, @Schema(nullable = true) Double p95,
                            @Schema(nullable = true) Double p99) {
    }

    /** {@code rate} is conflicts per terminal replay. */
    public record Conflicts(long count, @Schema(nullable = true) Double rate, Map<String, Long> resolutions) {
    }

    public record Outbox(long reports, @Schema(nullable = true) Double depthP95, @Schema(nullable = true) Long maxOldestAgeMs) {
    }

    /**
     * {@code failureRatio} counts failed and rolled-back migrations. Beacons choose the versions, so {@code byVersion}
     * lists only the steps with the most migrations; {@code otherVersions} sums the rest (null when there is none).
     */
    public record Migrations(long count, @Schema(nullable = true) Double failureRatio, List<VersionStep> byVersion,
                             @Schema(nullable = true) OtherVersions otherVersions) {
    }

    public record VersionStep(int fromVersion, int toVersion, long succeeded, long failed, long rolledBack,
                              @Schema(nullable = true) Double failureRatio) {
    }

    /** The version steps left out of {@code byVersion}: how many, and their migrations together. */
    public record OtherVersions(int steps, long succeeded, long failed, long rolledBack, @Schema(nullable = true) Double failureRatio) {
    }

    /** @param maxVersionSteps how many version steps {@code byVersion} lists on their own */
    public static SliSummary of(Rollup rollup, int maxVersionSteps) {
        long terminal = rollup.terminalReplays();
        Replays replays = replaysOf(rollup);

        Distribution latency = rollup.syncLatency();
        Distribution staleness = rollup.staleness();
        Syncs syncs = new Syncs(count(latency), quantiles(latency), count(staleness),
                staleness == null ? null : staleness.quantile(0.95));

        Map<String, Long> resolutions = new LinkedHashMap<>();
        for (ConflictResolution resolution : ConflictResolution.values()) {
            resolutions.put(resolution.wireName(), rollup.conflicts(resolution));
        }
        Conflicts conflicts = new Conflicts(rollup.conflictCount(), ratio(rollup.conflictCount(), terminal), resolutions);

        Distribution depth = rollup.outboxDepth();
        Outbox outbox = new Outbox(count(depth), depth == null ? null : depth.quantile(0.95), rollup.outboxOldestAgeMax());

        List<VersionStep> steps = new ArrayList<>();
        long migrationCount = 0;
        long migrationFailures = 0;
        for (Map.Entry<String, long[]> step : rollup.migrations().entrySet()) {
            String[] versions = step.getKey().split("->");
            long[] counts = step.getValue();
            long succeeded = counts[MigrationOutcome.SUCCEEDED.ordinal()];
            long failed = counts[MigrationOutcome.FAILED.ordinal()];
            long rolledBack = counts[MigrationOutcome.ROLLED_BACK.ordinal()];
            long total = succeeded + failed + rolledBack;
            migrationCount += total;
            migrationFailures += failed + rolledBack;
            steps.add(new VersionStep(Integer.parseInt(versions[0]), Integer.parseInt(versions[1]),
                    succeeded, failed, rolledBack, ratio(failed + rolledBack, total)));
        }
        Comparator<VersionStep> byVersions = Comparator.comparingInt(VersionStep::fromVersion)
                .thenComparingInt(VersionStep::toVersion);
        OtherVersions others = null;
        if (steps.size() > maxVersionSteps) {
            steps.sort(Comparator.comparingLong(SliSummary::migrationsOf).reversed().thenComparing(byVersions));
            List<VersionStep> rest = steps.subList(maxVersionSteps, steps.size());
            long succeeded = rest.stream().mapToLong(VersionStep::succeeded).sum();
            long failed = rest.stream().mapToLong(VersionStep::failed).sum();
            long rolledBack = rest.stream().mapToLong(VersionStep::rolledBack).sum();
            others = new OtherVersions(rest.size(), succeeded, failed, rolledBack,
                    ratio(failed + rolledBack, succeeded + failed + rolledBack));
            steps = new ArrayList<>(steps.subList(0, maxVersionSteps));
        }
        steps.sort(byVersions);
        Migrations migrations = new Migrations(migrationCount, ratio(migrationFailures, migrationCount), steps, others);

        return new SliSummary(rollup.events(), replays, syncs, conflicts, outbox, migrations);
    }

    /** The SLIs of one journey: its replays; the other sections belong to no journey and are null. */
    public static SliSummary ofJourney(Rollup replaysOnly) {
        return new SliSummary(replaysOnly.events(), replaysOf(replaysOnly), null, null, null, null);
    }

    public static Replays replaysOf(Rollup rollup) {
        long terminal = rollup.terminalReplays();
        return new Replays(rollup.replays(ReplayOutcome.SUCCEEDED), rollup.replays(ReplayOutcome.RETRIED),
                rollup.replays(ReplayOutcome.DEAD_LETTERED), rollup.replays(ReplayOutcome.CONFLICTED), terminal,
                ratio(rollup.replays(ReplayOutcome.SUCCEEDED), terminal),
                ratio(rollup.replays(ReplayOutcome.DEAD_LETTERED), terminal), rollup.firstAttempts(),
                rollup.repeatFailures(), ratio(Math.min(rollup.repeatFailures(), rollup.firstAttempts()), rollup.firstAttempts()),
                quantiles(rollup.replayLatency()));
    }

    private static Quantiles quantiles(Distribution distribution) {
        return distribution == null ? new Quantiles(null, null, null)
                : new Quantiles(distribution.quantile(0.50), distribution.quantile(0.95), distribution.quantile(0.99));
    }

    private static long migrationsOf(VersionStep step) {
        return step.succeeded() + step.failed() + step.rolledBack();
    }

    private static Double ratio(long part, long whole) {
        return whole == 0 ? null : (double) part / whole;
    }

    private static long count(Distribution distribution) {
        return distribution == null ? 0 : distribution.count();
    }
}

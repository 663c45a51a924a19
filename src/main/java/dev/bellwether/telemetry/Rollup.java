package dev.bellwether.telemetry;

import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.util.Map;
import java.util.TreeMap;

/**
 * The aggregate of events of one (app, release, cohort, journey, time bucket), or of any merge of such aggregates.
 * Counters add, sketches merge: a rollup of an hour equals the merge of its minutes.
 */
public final class Rollup {

    final long[] replays = new long[ReplayOutcome.values().length];
    /** Replays reporting {@code attempts} 1: one per mutation replayed, whatever became of it. */
    long firstAttempts;
    /**
     * Mutations that failed twice in a row: a failed second attempt, or a dead letter at the first (no retries).
     * A mutation counts once, when its second attempt fails, long before its retries run out.
     */
    long repeatFailures;
    Distribution replayLatency;
    final long[] conflicts = new long[ConflictResolution.values().length];
    Distribution syncLatency;
    Distribution staleness;
    Distribution outboxDepth;
    Long outboxOldestAgeMax;
    /** "from->to" version step to counts by {@link MigrationOutcome} ordinal. */
    final Map<String, long[]> migrations = new TreeMap<>();

    public void add(TelemetryEvent event) {
        // Java 17 has no pattern switch: the sealed hierarchy keeps this chain complete.
        if (event instanceof TelemetryEvent.Replay replay) {
            replays[replay.outcome().ordinal()]++;
            if (replay.firstAttempt()) {
                firstAttempts++;
            }
            if (replay.repeatFailure()) {
                repeatFailures++;
            }
            if (replay.latencyMs() != null) {
                replayLatency = addTo(replayLatency, replay.latencyMs());
            }
        } else if (event instanceof TelemetryEvent.Conflict conflict) {
            conflicts[conflict.resolution().ordinal()]++;
        } else if (event instanceof TelemetryEvent.Sync sync) {
            syncLatency = addTo(syncLatency, sync.latencyMs());
            if (sync.stalenessMs() != null) {
                staleness = addTo(staleness, sync.stalenessMs());
            }
        } else if (event instanceof TelemetryEvent.Outbox outbox) {
            outboxDepth = addTo(outboxDepth, outbox.depth());
            if (outbox.oldestAgeMs() != null) {
                long age = Math.round(outbox.oldestAgeMs());
                outboxOldestAgeMax = outboxOldestAgeMax == null ? age : Math.max(outboxOldestAgeMax, age);
            }
        } else if (event instanceof TelemetryEvent.Migration migration) {
            migrations.computeIfAbsent(migration.versionStep(), k -> new long[MigrationOutcome.values().length])
                    [migration.outcome().ordinal()]++;
        } else {
            throw new IllegalArgumentException("unhandled event type " + event.type());
        }
    }

    public void merge(Rollup other) {
        mergeReplays(other);
        for (int i = 0; i < conflicts.length; i++) {
            conflicts[i] += other.conflicts[i];
        }
        syncLatency = mergeInto(syncLatency, other.syncLatency);
        staleness = mergeInto(staleness, other.staleness);
        outboxDepth = mergeInto(outboxDepth, other.outboxDepth);
        if (other.outboxOldestAgeMax != null) {
            outboxOldestAgeMax = outboxOldestAgeMax == null ? other.outboxOldestAgeMax
                    : Math.max(outboxOldestAgeMax, other.outboxOldestAgeMax);
        }
        other.migrations.forEach((step, counts) -> {
            long[] mine = migrations.computeIfAbsent(step, k -> new long[MigrationOutcome.values().length]);
            for (int i = 0; i < mine.length; i++) {
                mine[i] += counts[i];
            }
        });
    }

    /** Merges only what replays add (what a journey has), leaving every other event of {@code other} out. */
    public void mergeReplays(Rollup other) {
        for (int i = 0; i < replays.length; i++) {
            replays[i] += other.replays[i];
        }
        firstAttempts += other.firstAttempts;
        repeatFailures += other.repeatFailures;
        replayLatency = mergeInto(replayLatency, other.replayLatency);
    }

    public long replays(ReplayOutcome outcome) {
        return replays[outcome.ordinal()];
    }

    public long firstAttempts() {
        return firstAttempts;
    }

    public long repeatFailures() {
        return repeatFailures;
    }

    public Distribution replayLatency() {
        return replayLatency;
    }

    public long conflicts(ConflictResolution resolution) {
        return conflicts[resolution.ordinal()];
    }

    public long conflictCount() {
        long total = 0;
        for (long count : conflicts) {
            total += count;
        }
        return total;
    }

    /** Replays that reached a final outcome: each replayed mutation ends in exactly one of these. */
    public long terminalReplays() {
        return replays(ReplayOutcome.SUCCEEDED) + replays(ReplayOutcome.DEAD_LETTERED) + replays(ReplayOutcome.CONFLICTED);
    }

    public Distribution syncLatency() {
        return syncLatency;
    }

    public Distribution staleness() {
        return staleness;
    }

    public Distribution outboxDepth() {
        return outboxDepth;
    }

    public Long outboxOldestAgeMax() {
        return outboxOldestAgeMax;
    }

    public Map<String, long[]> migrations() {
        return migrations;
    }

    public long migrationCount(MigrationOutcome outcome) {
        return migrations.values().stream().mapToLong(counts -> counts[outcome.ordinal()]).sum();
    }

    public long events() {
        long total = conflictCount() + count(syncLatency) + count(outboxDepth);
        for (long count : replays) {
            total += count;
        }
        for (long[] counts : migrations.values()) {
            for (long count : counts) {
                total += count;
            }
        }
        return total;
    }

    public boolean isEmpty() {
        return events() == 0;
    }

    private static long count(Distribution distribution) {
        return distribution == null ? 0 : distribution.count();
    }

    private static Distribution addTo(Distribution distribution, double value) {
        Distribution target = distribution == null ? new Distribution() : distribution;
        target.add(value);
        return target;
    }

    private static Distribution mergeInto(Distribution mine, Distribution other) {
        if (other == null) {
            return mine;
        }
        Distribution target = mine == null ? new Distribution() : mine;
        target.merge(other);
        return target;
    }
}

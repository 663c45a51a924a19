package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import dev.bellwether.telemetry.Rollup;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SliTest {

    private static final Instant AT = Instant.parse("2026-11-25T11:00:00Z");
    private static int ids;

    // ---------------------------------------------------------------- event factories

    private static String id() {
        return "e" + ids++;
    }

    private static void replays(Rollup rollup, int n, ReplayOutcome outcome) {
        for (int i = 0; i < n; i++) {
            rollup.add(new TelemetryEvent.Replay(id(), AT, "note.save", outcome, 1, 12.0));
        }
    }

    private static void conflicts(Rollup rollup, int n) {
        ConflictResolution[] resolutions = ConflictResolution.values();
        for (int i = 0; i < n; i++) {
            rollup.add(new TelemetryEvent.Conflict(id(), AT, "note", resolutions[i % resolutions.length]));
        }
    }

    private static void migrations(Rollup rollup, int n, MigrationOutcome outcome, int from) {
        for (int i = 0; i < n; i++) {
            rollup.add(new TelemetryEvent.Migration(id(), AT, from, from + 1, outcome, 40.0));
        }
    }

    private static double[] values(String spaceSeparated) {
        String text = spaceSeparated.trim();
        return text.isEmpty() ? new double[0] : Arrays.stream(text.split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }

    // ---------------------------------------------------------------- replay based ratios

    @ParameterizedTest(name = "[{index}] succeeded={0} retried={1} dead={2} conflicted={3}: {4}/{5} good")
    @CsvSource({
            "8, 5, 1, 1, 8, 10",
            "1, 0, 0, 0, 1, 1",
            "0, 0, 3, 1, 0, 4",
            "1, 9, 1, 0, 1, 2",
            "0, 7, 0, 0, 0, 0",
            "0, 0, 0, 0, 0, 0"})
    void replaySuccessRatioIsSucceededOverTerminalReplaysWithRetriesLeftOut(int succeeded, int retried,
            int deadLettered, int conflicted, long good, long valid) {
        Rollup rollup = new Rollup();
        replays(rollup, succeeded, ReplayOutcome.SUCCEEDED);
        replays(rollup, retried, ReplayOutcome.RETRIED);
        replays(rollup, deadLettered, ReplayOutcome.DEAD_LETTERED);
        replays(rollup, conflicted, ReplayOutcome.CONFLICTED);
        conflicts(rollup, 3);

        assertThat(Sli.REPLAY_SUCCESS_RATIO.count(rollup, null)).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] succeeded={0} retried={1} dead={2} conflicted={3}: {4}/{5} good")
    @CsvSource({
            "8, 5, 1, 1, 9, 10",
            "1, 0, 0, 0, 1, 1",
            "0, 0, 3, 1, 1, 4",
            "0, 4, 2, 0, 0, 2",
            "0, 0, 0, 5, 5, 5",
            "0, 7, 0, 0, 0, 0"})
    void deadLetterRatioCountsEveryTerminalReplayButDeadLetteredAsGood(int succeeded, int retried, int deadLettered,
            int conflicted, long good, long valid) {
        Rollup rollup = new Rollup();
        replays(rollup, succeeded, ReplayOutcome.SUCCEEDED);
        replays(rollup, retried, ReplayOutcome.RETRIED);
        replays(rollup, deadLettered, ReplayOutcome.DEAD_LETTERED);
        replays(rollup, conflicted, ReplayOutcome.CONFLICTED);

        assertThat(Sli.DEAD_LETTER_RATIO.count(rollup, null)).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] first attempts={0} (of which {1} dead-lettered), failed second attempts={2}: {3}/{4} good")
    @CsvSource({
            "10, 0, 2, 8, 10",
            "10, 1, 2, 7, 10",
            "4,  0, 0, 4, 4",
            "0,  0, 0, 0, 0",
            "1,  0, 3, 0, 1", // a window that starts between first and second attempts: never negative
    })
    void replayRepeatFailureRatioCountsMutationsThatFailedTwiceInARowAmongThoseReplayed(int firstAttempts,
            int deadLetteredAtFirst, int failedSecondAttempts, long good, long valid) {
        Rollup rollup = new Rollup();
        for (int i = 0; i < firstAttempts; i++) {
            ReplayOutcome outcome = i < deadLetteredAtFirst ? ReplayOutcome.DEAD_LETTERED : ReplayOutcome.RETRIED;
            rollup.add(new TelemetryEvent.Replay(id(), AT, "note.save", outcome, 1, 12.0));
        }
        for (int i = 0; i < failedSecondAttempts; i++) {
            rollup.add(new TelemetryEvent.Replay(id(), AT, "note.save", ReplayOutcome.RETRIED, 2, 12.0));
        }
        // later attempts of the same mutations do not count again
        rollup.add(new TelemetryEvent.Replay(id(), AT, "note.save", ReplayOutcome.DEAD_LETTERED, 5, 12.0));

        assertThat(Sli.REPLAY_REPEAT_FAILURE_RATIO.count(rollup, null)).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] {0} terminal replays, {1} retried, {2} conflicts: {3}/{4} good")
    @CsvSource({
            "8, 0, 2, 6, 8",
            "4, 3, 0, 4, 4",
            "3, 0, 3, 0, 3",
            "3, 0, 6, 0, 3",
            "1, 5, 9, 0, 1",
            "0, 2, 3, 0, 0",
            "0, 0, 0, 0, 0"})
    void conflictRatioCountsTerminalReplaysWithoutAConflictAndNeverGoesNegative(int terminal, int retried,
            int conflictEvents, long good, long valid) {
        Rollup rollup = new Rollup();
        replays(rollup, terminal, ReplayOutcome.SUCCEEDED);
        replays(rollup, retried, ReplayOutcome.RETRIED);
        conflicts(rollup, conflictEvents);

        assertThat(Sli.CONFLICT_RATIO.count(rollup, null)).isEqualTo(new GoodValid(good, valid));
    }

    @Test
    void conflictRatioTakesTerminalReplaysOfEveryOutcome() {
        Rollup rollup = new Rollup();
        replays(rollup, 2, ReplayOutcome.SUCCEEDED);
        replays(rollup, 3, ReplayOutcome.DEAD_LETTERED);
        replays(rollup, 5, ReplayOutcome.CONFLICTED);
        conflicts(rollup, 4);

        assertThat(Sli.CONFLICT_RATIO.count(rollup, null)).isEqualTo(new GoodValid(6, 10));
    }

    // ---------------------------------------------------------------- migrations

    @ParameterizedTest(name = "[{index}] succeeded={0} failed={1} rolledBack={2}: {3}/{4} good")
    @CsvSource({
            "2, 1, 1, 2, 4",
            "4, 0, 0, 4, 4",
            "0, 1, 0, 0, 1",
            "0, 0, 3, 0, 3",
            "3, 1, 0, 3, 4",
            "3, 0, 1, 3, 4",
            "0, 0, 0, 0, 0"})
    void migrationFailureRatioCountsSucceededOverAllMigrations(int succeeded, int failed, int rolledBack, long good,
            long valid) {
        Rollup rollup = new Rollup();
        migrations(rollup, succeeded, MigrationOutcome.SUCCEEDED, 4);
        migrations(rollup, failed, MigrationOutcome.FAILED, 4);
        migrations(rollup, rolledBack, MigrationOutcome.ROLLED_BACK, 4);

        assertThat(Sli.MIGRATION_FAILURE_RATIO.count(rollup, null)).isEqualTo(new GoodValid(good, valid));
    }

    @Test
    void migrationFailureRatioAddsUpEveryVersionStep() {
        Rollup rollup = new Rollup();
        migrations(rollup, 3, MigrationOutcome.SUCCEEDED, 1);
        migrations(rollup, 1, MigrationOutcome.FAILED, 1);
        migrations(rollup, 2, MigrationOutcome.SUCCEEDED, 2);
        migrations(rollup, 2, MigrationOutcome.ROLLED_BACK, 2);
        migrations(rollup, 1, MigrationOutcome.SUCCEEDED, 7);

        assertThat(Sli.MIGRATION_FAILURE_RATIO.count(rollup, null)).isEqualTo(new GoodValid(6, 9));
    }

    // ---------------------------------------------------------------- threshold indicators

    @ParameterizedTest(name = "[{index}] latencies [{0}] within {1} ms: {2}/{3} good")
    @CsvSource({
            "'10 50 120 480 900',         500,   4, 5",
            "'10 50 120 480 900',         100,   2, 5",
            "'10 50 120 480 900',         1000,  5, 5",
            "'10 50 120 480 900',         5,     0, 5",
            "'0 0 0 200',                 0,     3, 4",
            "'1500 2500 3500 4500 30000', 3000,  2, 5",
            "'250',                       244,   0, 1",
            "'250',                       256,   1, 1"})
    void syncLatencyCountsSyncsWithinTheThresholdAsGood(String latencies, double thresholdMs, long good, long valid) {
        Rollup rollup = new Rollup();
        for (double latency : values(latencies)) {
            rollup.add(new TelemetryEvent.Sync(id(), AT, latency, null));
        }

        assertThat(Sli.SYNC_LATENCY.count(rollup, thresholdMs)).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] staleness [{0}] plus {1} syncs without staleness, within {2} ms: {3}/{4} good")
    @CsvSource({
            "'1000 5000 60000 600000',  0, 10000,   2, 4",
            "'1000 5000 60000 600000',  3, 10000,   2, 4",
            "'1000 5000 60000 600000',  3, 1000000, 4, 4",
            "'1000 5000 60000 600000',  0, 500,     0, 4",
            "'',                        5, 10000,   0, 0"})
    void stalenessCountsSyncsWhoseDataIsNoOlderThanTheThresholdAsGood(String staleness, int withoutStaleness,
            double thresholdMs, long good, long valid) {
        Rollup rollup = new Rollup();
        for (double value : values(staleness)) {
            rollup.add(new TelemetryEvent.Sync(id(), AT, 30.0, value));
        }
        for (int i = 0; i < withoutStaleness; i++) {
            rollup.add(new TelemetryEvent.Sync(id(), AT, 30.0, null));
        }

        assertThat(Sli.STALENESS.count(rollup, thresholdMs)).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] depths [{0}] at most {1}: {2}/{3} good")
    @CsvSource({
            "'0 1 5 10 100',  20,  4, 5",
            "'0 1 5 10 100',  0,   1, 5",
            "'0 0 0',         0,   3, 3",
            "'0 1 5 10 100',  200, 5, 5",
            "'40 60 80',      50,  1, 3",
            "'1 2 3',         0,   0, 3"})
    void outboxDepthCountsReportsWithAtMostThresholdQueuedMutationsAsGood(String depths, double threshold, long good,
            long valid) {
        Rollup rollup = new Rollup();
        for (double depth : values(depths)) {
            rollup.add(new TelemetryEvent.Outbox(id(), AT, (long) depth, null));
        }

        assertThat(Sli.OUTBOX_DEPTH.count(rollup, threshold)).isEqualTo(new GoodValid(good, valid));
    }

    @ParameterizedTest(name = "[{index}] {0} on an empty rollup is 0/0")
    @EnumSource(Sli.class)
    void everyIndicatorOfAnEmptyRollupIsZeroOfZero(Sli sli) {
        assertThat(sli.count(new Rollup(), sli.needsThreshold() ? 100.0 : null)).isEqualTo(GoodValid.NONE);
    }

    @ParameterizedTest(name = "[{index}] {0} without its kind of event is 0/0")
    @EnumSource(value = Sli.class, names = {"SYNC_LATENCY", "STALENESS", "OUTBOX_DEPTH"})
    void thresholdIndicatorsWithoutTheirDistributionAreZeroOfZero(Sli sli) {
        Rollup rollup = new Rollup();
        replays(rollup, 5, ReplayOutcome.SUCCEEDED);
        migrations(rollup, 2, MigrationOutcome.FAILED, 3);
        if (sli != Sli.SYNC_LATENCY && sli != Sli.STALENESS) {
            rollup.add(new TelemetryEvent.Sync(id(), AT, 30.0, 100.0));
        }
        if (sli == Sli.STALENESS) {
            rollup.add(new TelemetryEvent.Sync(id(), AT, 30.0, null));
            rollup.add(new TelemetryEvent.Outbox(id(), AT, 3, null));
        }
        if (sli == Sli.SYNC_LATENCY) {
            rollup.add(new TelemetryEvent.Outbox(id(), AT, 3, null));
        }

        assertThat(sli.count(rollup, 1000.0)).isEqualTo(GoodValid.NONE);
    }

    @ParameterizedTest(name = "[{index}] {0} ignores syncs, outbox reports and migrations")
    @EnumSource(value = Sli.class, names = {"REPLAY_SUCCESS_RATIO", "DEAD_LETTER_RATIO", "CONFLICT_RATIO"})
    void replayIndicatorsIgnoreOtherEventTypes(Sli sli) {
        Rollup rollup = new Rollup();
        rollup.add(new TelemetryEvent.Sync(id(), AT, 30.0, 100.0));
        rollup.add(new TelemetryEvent.Outbox(id(), AT, 3, 100.0));
        migrations(rollup, 2, MigrationOutcome.FAILED, 3);

        assertThat(sli.count(rollup, null)).isEqualTo(GoodValid.NONE);
    }

    // ---------------------------------------------------------------- wire names and thresholds

    @ParameterizedTest(name = "[{index}] {0} <-> {1}")
    @CsvSource({
            "replay_success_ratio,    REPLAY_SUCCESS_RATIO",
            "dead_letter_ratio,       DEAD_LETTER_RATIO",
            "replay_repeat_failure_ratio, REPLAY_REPEAT_FAILURE_RATIO",
            "sync_latency,            SYNC_LATENCY",
            "staleness,               STALENESS",
            "conflict_ratio,          CONFLICT_RATIO",
            "migration_failure_ratio, MIGRATION_FAILURE_RATIO",
            "outbox_depth,            OUTBOX_DEPTH"})
    void wireNamesRoundTrip(String wireName, Sli sli) {
        assertThat(sli.wireName()).isEqualTo(wireName);
        assertThat(Sli.fromWireName(wireName)).isSameAs(sli);
    }

    @Test
    void everyIndicatorHasAWireNameInTheTable() {
        assertThat(Sli.values()).hasSize(8);
        for (Sli sli : Sli.values()) {
            assertThat(Sli.fromWireName(sli.wireName())).isSameAs(sli);
        }
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' is not an SLI")
    @NullAndEmptySource
    @ValueSource(strings = {"latency", "REPLAY_SUCCESS_RATIO", "Sync_Latency", "replay-success-ratio", " staleness",
            "staleness ", "outbox"})
    void unknownWireNamesAreRefusedWithTheListOfValidNames(String wireName) {
        assertThatThrownBy(() -> Sli.fromWireName(wireName))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + wireName + "'")
                .hasMessageContaining("replay_success_ratio")
                .hasMessageContaining("dead_letter_ratio")
                .hasMessageContaining("sync_latency")
                .hasMessageContaining("staleness")
                .hasMessageContaining("conflict_ratio")
                .hasMessageContaining("migration_failure_ratio")
                .hasMessageContaining("outbox_depth");
    }

    @ParameterizedTest(name = "[{index}] {0}: needs a threshold {1}, unit {2}")
    @CsvSource({
            "REPLAY_SUCCESS_RATIO,    false, NONE",
            "DEAD_LETTER_RATIO,       false, NONE",
            "SYNC_LATENCY,            true,  MILLISECONDS",
            "STALENESS,               true,  MILLISECONDS",
            "CONFLICT_RATIO,          false, NONE",
            "MIGRATION_FAILURE_RATIO, false, NONE",
            "OUTBOX_DEPTH,            true,  COUNT"})
    void onlyLatencyStalenessAndOutboxDepthNeedAThreshold(Sli sli, boolean needsThreshold, Sli.Unit unit) {
        assertThat(sli.needsThreshold()).isEqualTo(needsThreshold);
        assertThat(sli.thresholdUnit()).isEqualTo(unit);
    }
}

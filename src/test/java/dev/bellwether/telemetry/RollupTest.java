package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RollupTest {

    private static final Instant AT = Instant.parse("2026-11-25T11:00:00Z");
    private static int ids;

    // ---------------------------------------------------------------- event factories

    private static TelemetryEvent replay(ReplayOutcome outcome) {
        return new TelemetryEvent.Replay(id(), AT, "note.save", outcome, 1, 10.0);
    }

    private static TelemetryEvent conflict(ConflictResolution resolution) {
        return new TelemetryEvent.Conflict(id(), AT, "note", resolution);
    }

    private static TelemetryEvent sync(double latencyMs, Double stalenessMs) {
        return new TelemetryEvent.Sync(id(), AT, latencyMs, stalenessMs);
    }

    private static TelemetryEvent outbox(long depth, Double oldestAgeMs) {
        return new TelemetryEvent.Outbox(id(), AT, depth, oldestAgeMs);
    }

    private static TelemetryEvent migration(int from, int to, MigrationOutcome outcome) {
        return new TelemetryEvent.Migration(id(), AT, from, to, outcome, 100.0);
    }

    private static String id() {
        return "e" + ids++;
    }

    private static Rollup rollupOf(List<TelemetryEvent> events) {
        Rollup rollup = new Rollup();
        events.forEach(rollup::add);
        return rollup;
    }

    private static Rollup rollupOf(TelemetryEvent... events) {
        return rollupOf(Arrays.asList(events));
    }

    private static List<TelemetryEvent> times(int count, java.util.function.Supplier<TelemetryEvent> event) {
        List<TelemetryEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(event.get());
        }
        return events;
    }

    /** A seeded mix of every event type and outcome. */
    private static List<TelemetryEvent> randomEvents(long seed, int count) {
        Random random = new Random(seed);
        List<TelemetryEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            switch (random.nextInt(5)) {
                case 0 -> events.add(replay(ReplayOutcome.values()[random.nextInt(ReplayOutcome.values().length)]));
                case 1 -> events.add(conflict(ConflictResolution.values()[random.nextInt(ConflictResolution.values().length)]));
                case 2 -> events.add(sync(Math.exp(5 + random.nextGaussian()),
                        random.nextBoolean() ? null : random.nextDouble() * 600_000));
                case 3 -> events.add(outbox(random.nextInt(50), random.nextBoolean() ? null : random.nextDouble() * 3_600_000));
                default -> {
                    int from = random.nextInt(3);
                    events.add(migration(from, from + 1, MigrationOutcome.values()[random.nextInt(MigrationOutcome.values().length)]));
                }
            }
        }
        return events;
    }

    // ---------------------------------------------------------------- Rollup

    @Test
    void addingEventsCountsEachTypeAndOutcome() {
        Rollup rollup = rollupOf(
                replay(ReplayOutcome.SUCCEEDED), replay(ReplayOutcome.SUCCEEDED), replay(ReplayOutcome.RETRIED),
                replay(ReplayOutcome.DEAD_LETTERED), replay(ReplayOutcome.CONFLICTED),
                conflict(ConflictResolution.AUTO_MERGED), conflict(ConflictResolution.AUTO_MERGED),
                conflict(ConflictResolution.UNRESOLVED),
                sync(100, 5_000.0), sync(200, null), sync(300, 1_000.0),
                outbox(2, 1_000.0), outbox(7, null),
                migration(1, 2, MigrationOutcome.SUCCEEDED), migration(1, 2, MigrationOutcome.FAILED),
                migration(2, 3, MigrationOutcome.ROLLED_BACK));

        assertThat(rollup.replays(ReplayOutcome.SUCCEEDED)).isEqualTo(2);
        assertThat(rollup.replays(ReplayOutcome.RETRIED)).isEqualTo(1);
        assertThat(rollup.replays(ReplayOutcome.DEAD_LETTERED)).isEqualTo(1);
        assertThat(rollup.replays(ReplayOutcome.CONFLICTED)).isEqualTo(1);
        assertThat(rollup.terminalReplays()).isEqualTo(4);
        assertThat(rollup.conflicts(ConflictResolution.AUTO_MERGED)).isEqualTo(2);
        assertThat(rollup.conflicts(ConflictResolution.UNRESOLVED)).isEqualTo(1);
        assertThat(rollup.conflicts(ConflictResolution.SERVER_WINS)).isZero();
        assertThat(rollup.conflictCount()).isEqualTo(3);
        assertThat(rollup.syncLatency().count()).isEqualTo(3);
        assertThat(rollup.staleness().count()).isEqualTo(2);
        assertThat(rollup.outboxDepth().count()).isEqualTo(2);
        assertThat(rollup.outboxOldestAgeMax()).isEqualTo(1_000L);
        assertThat(rollup.migrations()).containsOnlyKeys("1->2", "2->3");
        assertThat(rollup.migrations().get("1->2")).containsExactly(1, 1, 0);
        assertThat(rollup.migrations().get("2->3")).containsExactly(0, 0, 1);
        assertThat(rollup.migrationCount(MigrationOutcome.FAILED)).isEqualTo(1);
        assertThat(rollup.migrationCount(MigrationOutcome.ROLLED_BACK)).isEqualTo(1);
        assertThat(rollup.events()).isEqualTo(16);
        assertThat(rollup.isEmpty()).isFalse();
    }

    @Test
    void aNewRollupIsEmptyWithoutDistributions() {
        Rollup rollup = new Rollup();

        assertThat(rollup.isEmpty()).isTrue();
        assertThat(rollup.events()).isZero();
        assertThat(rollup.syncLatency()).isNull();
        assertThat(rollup.staleness()).isNull();
        assertThat(rollup.outboxDepth()).isNull();
        assertThat(rollup.outboxOldestAgeMax()).isNull();
        assertThat(rollup.migrations()).isEmpty();
    }

    @Test
    void syncAndOutboxValuesLandInTheirDistributions() {
        Rollup rollup = rollupOf(sync(100, 50.0), sync(100, 50.0), outbox(40, null));

        assertThat(rollup.syncLatency().quantile(0.5)).isCloseTo(100, withinPercentage(1.0001));
        assertThat(rollup.staleness().quantile(0.5)).isCloseTo(50, withinPercentage(1.0001));
        assertThat(rollup.outboxDepth().quantile(0.5)).isCloseTo(40, withinPercentage(1.0001));
    }

    static Stream<Arguments> splits() {
        return Stream.of(
                Arguments.of(1L, 400, 0.5),
                Arguments.of(2L, 400, 0.1),
                Arguments.of(3L, 400, 0.9),
                Arguments.of(4L, 50, 0.0),
                Arguments.of(5L, 50, 1.0));
    }

    @ParameterizedTest(name = "seed {0}, {1} events, split at {2}")
    @MethodSource("splits")
    void mergingTwoRollupsEqualsTheRollupOfAllTheirEvents(long seed, int count, double split) {
        List<TelemetryEvent> events = randomEvents(seed, count);
        int cut = (int) (events.size() * split);

        Rollup merged = rollupOf(events.subList(0, cut));
        merged.merge(rollupOf(events.subList(cut, events.size())));
        Rollup whole = rollupOf(events);

        assertSameSummary(summary(merged), summary(whole));
        assertThat(merged.events()).isEqualTo(count);
    }

    @Test
    void mergeIsAssociativeOverMinuteRollupsIntoAnHour() {
        List<TelemetryEvent> events = randomEvents(8, 600);
        Rollup hour = new Rollup();
        for (int minute = 0; minute < 60; minute++) {
            hour.merge(rollupOf(events.subList(minute * 10, minute * 10 + 10)));
        }

        assertSameSummary(summary(hour), summary(rollupOf(events)));
    }

    @Test
    void mergeKeepsTheLargerOutboxOldestAgeFromEitherSide() {
        Rollup smaller = rollupOf(outbox(1, 1_000.0));
        Rollup larger = rollupOf(outbox(1, 9_000.0));
        Rollup none = rollupOf(outbox(1, null));

        Rollup first = rollupOf(outbox(1, 1_000.0));
        first.merge(larger);
        Rollup second = rollupOf(outbox(1, 9_000.0));
        second.merge(smaller);
        none.merge(smaller);

        assertThat(first.outboxOldestAgeMax()).isEqualTo(9_000L);
        assertThat(second.outboxOldestAgeMax()).isEqualTo(9_000L);
        assertThat(none.outboxOldestAgeMax()).isEqualTo(1_000L);
    }

    @Test
    void mergeDoesNotChangeTheOtherRollup() {
        Rollup target = rollupOf(sync(10, null), migration(1, 2, MigrationOutcome.SUCCEEDED));
        Rollup other = rollupOf(sync(20, null), migration(1, 2, MigrationOutcome.FAILED));

        target.merge(other);

        assertThat(other.syncLatency().count()).isEqualTo(1);
        assertThat(other.migrations().get("1->2")).containsExactly(0, 1, 0);
        assertThat(target.migrations().get("1->2")).containsExactly(1, 1, 0);
    }

    private static void assertSameSummary(SliSummary actual, SliSummary expected) {
        assertThat(actual.events()).isEqualTo(expected.events());
        assertThat(actual.replays()).isEqualTo(expected.replays());
        assertThat(actual.conflicts()).isEqualTo(expected.conflicts());
        assertThat(actual.migrations()).isEqualTo(expected.migrations());
        assertThat(actual.syncs().count()).isEqualTo(expected.syncs().count());
        assertThat(actual.syncs().stalenessReports()).isEqualTo(expected.syncs().stalenessReports());
        assertThat(actual.syncs().latencyMs().p50()).isEqualTo(expected.syncs().latencyMs().p50());
        assertThat(actual.syncs().latencyMs().p95()).isEqualTo(expected.syncs().latencyMs().p95());
        assertThat(actual.syncs().latencyMs().p99()).isEqualTo(expected.syncs().latencyMs().p99());
        assertThat(actual.syncs().stalenessP95Ms()).isEqualTo(expected.syncs().stalenessP95Ms());
        assertThat(actual.outbox().reports()).isEqualTo(expected.outbox().reports());
        assertThat(actual.outbox().depthP95()).isEqualTo(expected.outbox().depthP95());
        assertThat(actual.outbox().maxOldestAgeMs()).isEqualTo(expected.outbox().maxOldestAgeMs());
    }

    // ---------------------------------------------------------------- SliSummary

    @ParameterizedTest(name = "succeeded={0} retried={1} dead={2} conflicted={3}: success {4}, dead-letter {5}")
    @CsvSource(nullValues = "null", value = {
            "8, 5, 1, 1, 0.8,  0.1",
            "1, 0, 0, 0, 1.0,  0.0",
            "0, 0, 3, 1, 0.0,  0.75",
            "1, 9, 1, 0, 0.5,  0.5",
            "0, 7, 0, 0, null, null",
            "0, 0, 0, 0, null, null"})
    void successAndDeadLetterRatiosAreOverTerminalReplaysExcludingRetries(int succeeded, int retried, int deadLettered,
            int conflicted, Double successRatio, Double deadLetterRatio) {
        List<TelemetryEvent> events = new ArrayList<>();
        events.addAll(times(succeeded, () -> replay(ReplayOutcome.SUCCEEDED)));
        events.addAll(times(retried, () -> replay(ReplayOutcome.RETRIED)));
        events.addAll(times(deadLettered, () -> replay(ReplayOutcome.DEAD_LETTERED)));
        events.addAll(times(conflicted, () -> replay(ReplayOutcome.CONFLICTED)));

        SliSummary.Replays replays = summary(rollupOf(events)).replays();

        // every replay here is a first attempt, and a dead letter at the first attempt is a repeat failure
        long first = succeeded + retried + deadLettered + conflicted;
        assertThat(replays).usingRecursiveComparison().ignoringFields("latencyMs").isEqualTo(new SliSummary.Replays(
                succeeded, retried, deadLettered, conflicted, succeeded + deadLettered + conflicted, successRatio,
                deadLetterRatio, first, deadLettered, first == 0 ? null : (double) deadLettered / first, null));
    }

    @ParameterizedTest(name = "{0} at attempt {1}: first attempt {2}, repeat failure {3}")
    @CsvSource(nullValues = "null", value = {
            "SUCCEEDED,     1,    true,  false",
            "CONFLICTED,    1,    true,  false",
            "RETRIED,       1,    true,  false", // one flaky attempt is not a repeat failure
            "DEAD_LETTERED, 1,    true,  true",  // given up at once: no retries configured
            "RETRIED,       2,    false, true",
            "DEAD_LETTERED, 2,    false, true",
            "SUCCEEDED,     2,    false, false",
            "RETRIED,       3,    false, false", // counted at its second attempt already
            "DEAD_LETTERED, 5,    false, false",
            "RETRIED,       null, false, false", // attempts is optional: such replays count in neither
            "SUCCEEDED,     null, false, false"})
    void aMutationCountsOnceAsReplayedAtItsFirstAttemptAndOnceAsFailingAtItsSecond(ReplayOutcome outcome,
            Integer attempts, boolean first, boolean repeat) {
        Rollup rollup = rollupOf(List.of(new TelemetryEvent.Replay(id(), AT, "note.save", outcome, attempts, 10.0)));

        assertThat(rollup.firstAttempts()).isEqualTo(first ? 1 : 0);
        assertThat(rollup.repeatFailures()).isEqualTo(repeat ? 1 : 0);
        assertThat(rollup.replays(outcome)).isEqualTo(1);
    }

    @Test
    void firstAttemptsAndRepeatFailuresAddUpInAMerge() {
        Rollup a = rollupOf(List.of(new TelemetryEvent.Replay(id(), AT, "m", ReplayOutcome.RETRIED, 1, 10.0),
                new TelemetryEvent.Replay(id(), AT, "m", ReplayOutcome.RETRIED, 2, 10.0)));
        Rollup b = rollupOf(List.of(new TelemetryEvent.Replay(id(), AT, "n", ReplayOutcome.SUCCEEDED, 1, 10.0)));

        a.merge(b);

        assertThat(a.firstAttempts()).isEqualTo(2);
        assertThat(a.repeatFailures()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} conflicts over {1} terminal replays gives rate {2}")
    @CsvSource(nullValues = "null", value = {
            "2, 8,  0.25",
            "0, 4,  0.0",
            "6, 3,  2.0",
            "3, 0,  null",
            "0, 0,  null"})
    void conflictRateIsConflictsPerTerminalReplay(int conflicts, int terminalReplays, Double rate) {
        List<TelemetryEvent> events = new ArrayList<>();
        events.addAll(times(conflicts, () -> conflict(ConflictResolution.SERVER_WINS)));
        events.addAll(times(terminalReplays, () -> replay(ReplayOutcome.SUCCEEDED)));
        events.addAll(times(5, () -> replay(ReplayOutcome.RETRIED)));

        SliSummary.Conflicts summary = summary(rollupOf(events)).conflicts();

        assertThat(summary.count()).isEqualTo(conflicts);
        assertThat(summary.rate()).isEqualTo(rate);
    }

    @Test
    void conflictResolutionsAreReportedByWireNameIncludingZeros() {
        SliSummary summary = summary(rollupOf(conflict(ConflictResolution.CLIENT_WINS),
                conflict(ConflictResolution.CLIENT_WINS), conflict(ConflictResolution.USER_RESOLVED)));

        assertThat(summary.conflicts().resolutions()).containsExactly(
                Map.entry("auto_merged", 0L), Map.entry("user_resolved", 1L), Map.entry("server_wins", 0L),
                Map.entry("client_wins", 2L), Map.entry("unresolved", 0L));
    }

    @ParameterizedTest(name = "succeeded={0} failed={1} rolledBack={2}: failure ratio {3}")
    @CsvSource(nullValues = "null", value = {
            "2, 1, 1, 0.5",
            "4, 0, 0, 0.0",
            "0, 1, 0, 1.0",
            "0, 0, 3, 1.0",
            "3, 1, 0, 0.25",
            "3, 0, 1, 0.25",
            "0, 0, 0, null"})
    void migrationFailureRatioCountsFailedAndRolledBack(int succeeded, int failed, int rolledBack, Double ratio) {
        List<TelemetryEvent> events = new ArrayList<>();
        events.addAll(times(succeeded, () -> migration(4, 5, MigrationOutcome.SUCCEEDED)));
        events.addAll(times(failed, () -> migration(4, 5, MigrationOutcome.FAILED)));
        events.addAll(times(rolledBack, () -> migration(4, 5, MigrationOutcome.ROLLED_BACK)));

        SliSummary.Migrations migrations = summary(rollupOf(events)).migrations();

        assertThat(migrations.count()).isEqualTo(succeeded + failed + rolledBack);
        assertThat(migrations.failureRatio()).isEqualTo(ratio);
    }

    @Test
    void migrationsAreSplitByVersionStepWithTheirOwnFailureRatio() {
        SliSummary summary = summary(rollupOf(
                migration(1, 2, MigrationOutcome.SUCCEEDED), migration(1, 2, MigrationOutcome.SUCCEEDED),
                migration(1, 2, MigrationOutcome.SUCCEEDED), migration(1, 2, MigrationOutcome.FAILED),
                migration(2, 3, MigrationOutcome.ROLLED_BACK),
                migration(10, 12, MigrationOutcome.SUCCEEDED)));

        assertThat(summary.migrations().count()).isEqualTo(6);
        assertThat(summary.migrations().failureRatio()).isEqualTo(2.0 / 6);
        assertThat(summary.migrations().byVersion()).containsExactlyInAnyOrder(
                new SliSummary.VersionStep(1, 2, 3, 1, 0, 0.25),
                new SliSummary.VersionStep(2, 3, 0, 0, 1, 1.0),
                new SliSummary.VersionStep(10, 12, 1, 0, 0, 0.0));
    }

    @Test
    void outboxReportsTheMaximumOldestAgeRoundedToMilliseconds() {
        SliSummary summary = summary(rollupOf(outbox(3, 1_200.4), outbox(9, 5_000.6), outbox(1, null)));

        assertThat(summary.outbox().reports()).isEqualTo(3);
        assertThat(summary.outbox().maxOldestAgeMs()).isEqualTo(5_001L);
        // depths 1, 3, 9: the sketch resolves p95 to rank floor(0.95 * 2) = 1 of the sorted depths
        assertThat(summary.outbox().depthP95()).isCloseTo(3, withinPercentage(1.0001));
    }

    @Test
    void outboxMaxOldestAgeIsNullWhenNoReportCarriedAnAge() {
        SliSummary summary = summary(rollupOf(outbox(3, null)));

        assertThat(summary.outbox().reports()).isEqualTo(1);
        assertThat(summary.outbox().maxOldestAgeMs()).isNull();
    }

    @Test
    void syncLatencyQuantilesAndStalenessComeFromTheSketches() {
        List<TelemetryEvent> events = new ArrayList<>();
        for (int latency = 1; latency <= 1_000; latency++) {
            events.add(sync(latency, latency % 10 == 0 ? (double) latency * 100 : null));
        }

        SliSummary.Syncs syncs = summary(rollupOf(events)).syncs();

        assertThat(syncs.count()).isEqualTo(1_000);
        assertThat(syncs.latencyMs().p50()).isCloseTo(500, withinPercentage(1.0001));
        assertThat(syncs.latencyMs().p95()).isCloseTo(950, withinPercentage(1.0001));
        assertThat(syncs.latencyMs().p99()).isCloseTo(990, withinPercentage(1.0001));
        assertThat(syncs.stalenessReports()).isEqualTo(100);
        assertThat(syncs.stalenessP95Ms()).isCloseTo(95_000, withinPercentage(1.0001));
    }

    @Test
    void replayLatencyIsASketchAndAJourneyTakesOnlyTheReplays() {
        Rollup rollup = rollupOf(List.of(replay(ReplayOutcome.SUCCEEDED), replay(ReplayOutcome.DEAD_LETTERED),
                new TelemetryEvent.Sync(id(), AT, 900, 1000.0)));
        assertThat(summary(rollup).replays().latencyMs().p50()).isCloseTo(10.0, org.assertj.core.data.Percentage.withPercentage(1));

        Rollup journey = new Rollup();
        journey.mergeReplays(rollup);
        SliSummary only = SliSummary.ofJourney(journey);
        assertThat(only.events()).isEqualTo(2);
        assertThat(only.replays().deadLettered()).isEqualTo(1);
        assertThat(only.replays().latencyMs().p95()).isNotNull();
        assertThat(only.syncs()).isNull();
        assertThat(only.conflicts()).isNull();
    }

    @Test
    void anEmptyRollupHasZeroCountsAndNullRatiosAndQuantiles() {
        SliSummary summary = summary(new Rollup());

        assertThat(summary.events()).isZero();
        assertThat(summary.replays()).isEqualTo(new SliSummary.Replays(0, 0, 0, 0, 0, null, null, 0, 0, null,
                new SliSummary.Quantiles(null, null, null)));
        assertThat(summary.syncs()).isEqualTo(new SliSummary.Syncs(0, new SliSummary.Quantiles(null, null, null), 0, null));
        assertThat(summary.conflicts().count()).isZero();
        assertThat(summary.conflicts().rate()).isNull();
        assertThat(summary.outbox()).isEqualTo(new SliSummary.Outbox(0, null, null));
        assertThat(summary.migrations()).isEqualTo(new SliSummary.Migrations(0, null, List.of(), null));
    }

    @Test
    void summaryEventsCountsEveryEventOnce() {
        List<TelemetryEvent> events = randomEvents(21, 250);

        assertThat(summary(rollupOf(events)).events()).isEqualTo(250);
    }

    private static SliSummary summary(Rollup rollup) {
        return SliSummary.of(rollup, Integer.MAX_VALUE);
    }
}

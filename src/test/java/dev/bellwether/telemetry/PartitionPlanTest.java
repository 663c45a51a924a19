package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.telemetry.PartitionPlan.Partition;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PartitionPlanTest {

    private static final Partition NOV_28 = PartitionPlan.day(LocalDate.parse("2026-11-28"));
    private static final Partition NOV_29 = PartitionPlan.day(LocalDate.parse("2026-11-29"));
    private static final Partition NOV_30 = PartitionPlan.day(LocalDate.parse("2026-11-30"));
    /** What the migration leaves of events stored before partitioning: everything up to the end of a day. */
    private static final Partition LEGACY = new Partition("event_legacy", null, Instant.parse("2026-11-30T00:00:00Z"));

    static Stream<Arguments> creations() {
        return Stream.of(
                Arguments.of("nothing yet: every day from the earliest to the latest", List.of(),
                        "2026-11-28T23:59:59Z", "2026-11-30T00:00:00Z", List.of("event_p20261128", "event_p20261129", "event_p20261130")),
                Arguments.of("one instant: its day", List.of(), "2026-11-29T12:00:00Z", "2026-11-29T12:00:00Z",
                        List.of("event_p20261129")),
                Arguments.of("days that exist are left alone", List.of(NOV_28, NOV_30), "2026-11-28T00:00:00Z",
                        "2026-11-30T10:00:00Z", List.of("event_p20261129")),
                Arguments.of("days the legacy partition covers are not created", List.of(LEGACY), "2026-11-20T00:00:00Z",
                        "2026-12-01T05:00:00Z", List.of("event_p20261130", "event_p20261201")),
                Arguments.of("all there", List.of(NOV_28, NOV_29, NOV_30), "2026-11-28T00:00:00Z", "2026-11-30T23:59:59.999999Z",
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("creations")
    void createsTheMissingDaysOfTheAcceptableWindow(String description, List<Partition> existing, String earliest,
            String latest, List<String> created) {
        assertThat(PartitionPlan.toCreate(existing, Instant.parse(earliest), Instant.parse(latest)))
                .extracting(Partition::name).containsExactlyElementsOf(created);
    }

    static Stream<Arguments> drops() {
        return Stream.of(
                Arguments.of("a day ending exactly at the cutoff holds nothing to keep", "2026-11-29T00:00:00Z", List.of("event_p20261128")),
                Arguments.of("a day the cutoff falls inside is kept whole", "2026-11-28T23:59:59.999999Z", List.of()),
                Arguments.of("the legacy partition goes once its end is past", "2026-11-30T00:00:00Z",
                        List.of("event_legacy", "event_p20261128", "event_p20261129")),
                Arguments.of("nothing before the cutoff", "2026-11-01T00:00:00Z", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drops")
    void dropsOnlyPartitionsWhollyBeforeTheCutoff(String description, String keepFrom, List<String> dropped) {
        assertThat(PartitionPlan.toDrop(List.of(LEGACY, NOV_28, NOV_29, NOV_30), Instant.parse(keepFrom)))
                .extracting(Partition::name).containsExactlyInAnyOrderElementsOf(dropped);
    }

    @ParameterizedTest(name = "{0} belongs to {1}")
    @MethodSource("boundaries")
    void aDayPartitionHoldsItsFirstInstantAndNotTheNextDays(String at, String day) {
        Partition partition = PartitionPlan.day(LocalDate.parse(day));
        Instant instant = Instant.parse(at);
        assertThat(!instant.isBefore(partition.from()) && instant.isBefore(partition.to())).isTrue();
    }

    static Stream<Arguments> boundaries() {
        return Stream.of(Arguments.of("2026-11-29T00:00:00Z", "2026-11-29"),
                Arguments.of("2026-11-29T23:59:59.999999Z", "2026-11-29"),
                Arguments.of("2026-11-30T00:00:00Z", "2026-11-30"));
    }
}

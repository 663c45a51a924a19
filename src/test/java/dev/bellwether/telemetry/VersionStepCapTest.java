package dev.bellwether.telemetry;

import dev.bellwether.journey.JourneyMatcher;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Migration version steps come from beacons: the series and the SLI answer they feed are bounded per app. */
class VersionStepCapTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final int CAP = 3;

    private static MetricsConfig config() {
        return new MetricsConfig() {
            public int maxReleasesPerApp() {
                return 10;
            }

            public int maxCohortsPerApp() {
                return 20;
            }

            public int maxVersionStepsPerApp() {
                return CAP;
            }

            public int maxCohortsPerSliReport() {
                return 50;
            }
        };
    }

    private static TelemetryEvent migration(int from, int to, MigrationOutcome outcome) {
        return new TelemetryEvent.Migration("e-" + from + "-" + to, NOW, from, to, outcome, null);
    }

    @Test
    void versionStepsBeyondTheCapShareTheOverflowSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TelemetryMetrics metrics = new TelemetryMetrics(registry, Clock.fixed(NOW, ZoneOffset.UTC), config());
        List<EventStore.NewEvent> events = new ArrayList<>();
        for (int from = 0; from < 50; from++) {
            TelemetryEvent migration = migration(from, from + 1, MigrationOutcome.SUCCEEDED);
            events.add(new EventStore.NewEvent(new EventStore.Key(1, "c-1", migration.id()), 1, 1, JourneyMatcher.OTHER_ID,
                    migration));
        }

        metrics.record("field-notes", "r1", "", JourneyMatcher.NONE, events);

        List<Counter> series = registry.find("bellwether.migrations").counters().stream().toList();
        assertThat(series).hasSize(CAP + 1);
        assertThat(series.stream().mapToDouble(Counter::count).sum()).isEqualTo(50);
        Counter overflow = registry.find("bellwether.migrations")
                .tags("from_version", LabelCap.OVERFLOW, "to_version", LabelCap.OVERFLOW).counter();
        assertThat(overflow).isNotNull();
        assertThat(overflow.count()).isEqualTo(50 - CAP);
    }

    @Test
    void theSliAnswerListsTheBusiestStepsAndSumsTheRest() {
        Rollup rollup = new Rollup();
        for (int from = 0; from < 10; from++) {
            for (int i = 0; i <= from; i++) {
                rollup.add(migration(from, from + 1, i == 0 ? MigrationOutcome.FAILED : MigrationOutcome.SUCCEEDED));
            }
        }

        SliSummary.Migrations migrations = SliSummary.of(rollup, CAP).migrations();

        assertThat(migrations.byVersion()).extracting(SliSummary.VersionStep::fromVersion).containsExactly(7, 8, 9);
        assertThat(migrations.otherVersions().steps()).isEqualTo(7);
        assertThat(migrations.otherVersions().succeeded()).isEqualTo(21);
        assertThat(migrations.otherVersions().failed()).isEqualTo(7);
        assertThat(migrations.count()).isEqualTo(55);
    }

    @Test
    void withinTheCapThereIsNoOverflow() {
        Rollup rollup = new Rollup();
        rollup.add(migration(3, 4, MigrationOutcome.SUCCEEDED));

        SliSummary.Migrations migrations = SliSummary.of(rollup, CAP).migrations();

        assertThat(migrations.byVersion()).hasSize(1);
        assertThat(migrations.otherVersions()).isNull();
    }
}

package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.journey.JourneyMatcher;
import dev.bellwether.telemetry.TelemetryEvent.MigrationOutcome;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The meters of a series are kept between beacons; a release or version step label that retires takes its meters out
 * of the registry and out of that keeping, so that its events counted after it comes back are counted again, not lost.
 */
class SeriesRetirementTest {

    private static final String APP = "field-notes";
    private static final int RELEASES = 2;
    private static final int VERSION_STEPS = 5;

    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-11-30T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MovingClock clock = new MovingClock();
    private final TelemetryMetrics metrics = new TelemetryMetrics(registry, clock, new MetricsConfig() {
        public int maxReleasesPerApp() {
            return RELEASES;
        }

        public int maxCohortsPerApp() {
            return 5;
        }

        public int maxVersionStepsPerApp() {
            return VERSION_STEPS;
        }

        public int maxCohortsPerSliReport() {
            return 5;
        }
    });
    private int sequence;

    @Test
    void aReleaseThatRetiresAndComesBackIsCountedInAFreshSeries() {
        replays("r1", 3);
        replays("r2", 1);
        assertThat(succeeded("r1")).isEqualTo(3);

        clock.now = clock.now.plus(TelemetryMetrics.IDLE_BEFORE_RETIRE).plus(Duration.ofMinutes(1));
        replays("r3", 1);
        assertThat(registry.find("bellwether.replays").tag("release", "r1").counters()).as("r1 retired for r3").isEmpty();

        clock.now = clock.now.plus(TelemetryMetrics.IDLE_BEFORE_RETIRE).plus(Duration.ofMinutes(1));
        replays("r1", 2);
        assertThat(succeeded("r1")).as("counted in the registry again, from zero").isEqualTo(2);
    }

    @Test
    void aVersionStepThatRetiresAndComesBackIsCountedInAFreshSeries() {
        migrations(1, 3);
        for (int from = 2; from <= VERSION_STEPS; from++) {
            migrations(from, 1);
        }
        assertThat(migrated(1)).isEqualTo(3);

        clock.now = clock.now.plus(TelemetryMetrics.IDLE_BEFORE_RETIRE).plus(Duration.ofMinutes(1));
        migrations(10, 1);
        assertThat(registry.find("bellwether.migrations").tag("from_version", "1").counters()).as("1->2 retired for 10->11")
                .isEmpty();

        clock.now = clock.now.plus(TelemetryMetrics.IDLE_BEFORE_RETIRE).plus(Duration.ofMinutes(1));
        migrations(1, 2);
        assertThat(migrated(1)).as("counted in the registry again, from zero").isEqualTo(2);
    }

    @Test
    void aSeriesCountsEveryBeaconOfIt() {
        for (int beacon = 0; beacon < 5; beacon++) {
            replays("r1", 4);
        }
        assertThat(succeeded("r1")).isEqualTo(20);
    }

    private void replays(String release, int count) {
        List<EventStore.NewEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "e-" + sequence++;
            events.add(new EventStore.NewEvent(new EventStore.Key(1, "c-1", id), 1, 1, JourneyMatcher.OTHER_ID,
                    new TelemetryEvent.Replay(id, clock.now, "note.update", ReplayOutcome.SUCCEEDED, 1, 10.0)));
        }
        metrics.record(APP, release, "", JourneyMatcher.NONE, events);
    }

    private void migrations(int from, int count) {
        List<EventStore.NewEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "e-" + sequence++;
            events.add(new EventStore.NewEvent(new EventStore.Key(1, "c-1", id), 1, 1, JourneyMatcher.OTHER_ID,
                    new TelemetryEvent.Migration(id, clock.now, from, from + 1, MigrationOutcome.SUCCEEDED, 5.0)));
        }
        metrics.record(APP, "r1", "", JourneyMatcher.NONE, events);
    }

    private double migrated(int from) {
        Counter counter = registry.find("bellwether.migrations")
                .tags("app", APP, "from_version", String.valueOf(from), "outcome", "succeeded").counter();
        return counter == null ? 0 : counter.count();
    }

    private double succeeded(String release) {
        Counter counter = registry.find("bellwether.replays").tags("app", APP, "release", release, "outcome", "succeeded").counter();
        return counter == null ? 0 : counter.count();
    }
}

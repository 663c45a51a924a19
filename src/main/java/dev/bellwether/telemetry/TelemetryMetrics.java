package dev.bellwether.telemetry;

import dev.bellwether.journey.JourneyMatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SLIs as Prometheus series labelled app, release and cohort, counted when events are committed (arrival
 * time; the SLI API is the event-time view). Releases, cohorts and migration version steps per app are capped, see
 * {@link LabelCap}: a beacon chooses them all. Replays are counted by journey too, in series of their own labelled app
 * and journey only (not release and cohort, which would multiply them): the journey is a declared one's name or
 * {@code other}, so a beacon cannot add a value whatever mutation it names.
 */
@ApplicationScoped
public class TelemetryMetrics {

    static final Duration IDLE_BEFORE_RETIRE = Duration.ofHours(1);

    private final MeterRegistry registry;
    private final Clock clock;
    private final int maxReleases;
    private final int maxCohorts;
    private final int maxVersionSteps;
    private final ConcurrentHashMap<String, LabelCap> releaseCaps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LabelCap> cohortCaps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LabelCap> versionStepCaps = new ConcurrentHashMap<>();

    public TelemetryMetrics(MeterRegistry registry, Clock clock, MetricsConfig config) {
        this.registry = registry;
        this.clock = clock;
        this.maxReleases = config.maxReleasesPerApp();
        this.maxCohorts = config.maxCohortsPerApp();
        this.maxVersionSteps = config.maxVersionStepsPerApp();
    }

    public void record(String app, String release, String cohort, JourneyMatcher journeys, List<TelemetryEvent> events) {
        var now = clock.instant();
        String releaseLabel = releaseCaps.computeIfAbsent(app, a -> new LabelCap(maxReleases, IDLE_BEFORE_RETIRE,
                retired -> remove(Tags.of("app", app, "release", retired)))).label(release, now);
        String cohortLabel = cohortCaps.computeIfAbsent(app, a -> new LabelCap(maxCohorts, IDLE_BEFORE_RETIRE,
                retired -> remove(Tags.of("app", app, "cohort", retired)))).label(cohort.isEmpty() ? "none" : cohort, now);
        Tags series = Tags.of("app", app, "release", releaseLabel, "cohort", cohortLabel);
        // a registry lookup hashes every tag, which costs more than the update: look each meter up once per call
        Map<String, Counter> counters = new HashMap<>();
        Map<String, DistributionSummary> summaries = new HashMap<>();
        for (TelemetryEvent event : events) {
            if (event instanceof TelemetryEvent.Replay replay) {
                String outcome = replay.outcome().wireName();
                counters.computeIfAbsent("replays " + outcome, k -> counter("bellwether.replays", series.and("outcome", outcome)))
                        .increment();
                if (replay.firstAttempt()) {
                    counters.computeIfAbsent("first attempts", k -> counter("bellwether.replay.first.attempts", series)).increment();
                }
                if (replay.repeatFailure()) {
                    counters.computeIfAbsent("repeat failures", k -> counter("bellwether.replay.repeat.failures", series))
                            .increment();
                }
                String journey = journeys.nameOf(journeys.journeyOf(replay.mutation()));
                Tags journeySeries = Tags.of("app", app, "journey", journey);
                counters.computeIfAbsent("journey replays " + journey + " " + outcome,
                        k -> counter("bellwether.journey.replays", journeySeries.and("outcome", outcome))).increment();
                if (replay.firstAttempt()) {
                    counters.computeIfAbsent("journey first attempts " + journey,
                            k -> counter("bellwether.journey.replay.first.attempts", journeySeries)).increment();
                }
                if (replay.repeatFailure()) {
                    counters.computeIfAbsent("journey repeat failures " + journey,
                            k -> counter("bellwether.journey.replay.repeat.failures", journeySeries)).increment();
                }
            } else if (event instanceof TelemetryEvent.Conflict conflict) {
                String resolution = conflict.resolution().wireName();
                counters.computeIfAbsent("conflicts " + resolution,
                        k -> counter("bellwether.conflicts", series.and("resolution", resolution))).increment();
            } else if (event instanceof TelemetryEvent.Sync sync) {
                summaries.computeIfAbsent("sync latency", k -> summary("bellwether.sync.latency", "seconds",
                        MetricBuckets.LATENCY_SECONDS, series)).record(sync.latencyMs() / 1000);
                if (sync.stalenessMs() != null) {
                    summaries.computeIfAbsent("staleness", k -> summary("bellwether.staleness", "seconds",
                            MetricBuckets.AGE_SECONDS, series)).record(sync.stalenessMs() / 1000);
                }
            } else if (event instanceof TelemetryEvent.Outbox outbox) {
                summaries.computeIfAbsent("outbox depth", k -> summary("bellwether.outbox.depth", null, MetricBuckets.DEPTH,
                        series)).record(outbox.depth());
                if (outbox.oldestAgeMs() != null) {
                    summaries.computeIfAbsent("outbox oldest age", k -> summary("bellwether.outbox.oldest.age", "seconds",
                            MetricBuckets.AGE_SECONDS, series)).record(outbox.oldestAgeMs() / 1000);
                }
            } else if (event instanceof TelemetryEvent.Migration migration) {
                String step = versionStepCaps.computeIfAbsent(app, a -> new LabelCap(maxVersionSteps, IDLE_BEFORE_RETIRE,
                        retired -> removeMigrations(app, retired))).label(migration.versionStep(), now);
                Tags versions = step.equals(LabelCap.OVERFLOW)
                        ? Tags.of("from_version", LabelCap.OVERFLOW, "to_version", LabelCap.OVERFLOW)
                        : Tags.of("from_version", String.valueOf(migration.fromVersion()),
                                "to_version", String.valueOf(migration.toVersion()));
                String outcome = migration.outcome().wireName();
                counters.computeIfAbsent("migrations " + step + " " + outcome,
                        k -> counter("bellwether.migrations", series.and(versions).and("outcome", outcome))).increment();
            }
        }
    }

    private Counter counter(String name, Tags tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    private DistributionSummary summary(String name, String unit, double[] buckets, Tags tags) {
        return DistributionSummary.builder(name).baseUnit(unit).serviceLevelObjectives(buckets).tags(tags).register(registry);
    }

    private void removeMigrations(String app, String retiredStep) {
        String[] versions = retiredStep.split("->");
        for (Meter meter : registry.find("bellwether.migrations")
                .tags("app", app, "from_version", versions[0], "to_version", versions[1]).meters()) {
            registry.remove(meter);
        }
    }

    private void remove(Tags retired) {
        for (String name : List.of("bellwether.replays", "bellwether.replay.first.attempts",
                "bellwether.replay.repeat.failures", "bellwether.conflicts", "bellwether.sync.latency",
                "bellwether.staleness", "bellwether.outbox.depth", "bellwether.outbox.oldest.age", "bellwether.migrations")) {
            for (Meter meter : registry.find(name).tags(retired).meters()) {
                registry.remove(meter);
            }
        }
    }
}

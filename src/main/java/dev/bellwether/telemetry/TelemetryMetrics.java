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
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
    /** Bounded by the apps and their release and cohort caps, as the registry's series are. */
    private final ConcurrentHashMap<SeriesKey, SeriesMeters> series = new ConcurrentHashMap<>();
    /** Bounded by the apps and their declared journeys. */
    private final ConcurrentHashMap<SeriesKey, SeriesMeters> journeySeries = new ConcurrentHashMap<>();

    public TelemetryMetrics(MeterRegistry registry, Clock clock, MetricsConfig config) {
        this.registry = registry;
        this.clock = clock;
        this.maxReleases = config.maxReleasesPerApp();
        this.maxCohorts = config.maxCohortsPerApp();
        this.maxVersionSteps = config.maxVersionStepsPerApp();
    }

    /**
     * Counts newly stored events of one beacon.
     *
     * @param journeys names the journeys of the events' {@link EventStore.NewEvent#journeyId}s
     */
    public void record(String app, String release, String cohort, JourneyMatcher journeys, List<EventStore.NewEvent> events) {
        var now = clock.instant();
        String releaseLabel = releaseCaps.computeIfAbsent(app, a -> new LabelCap(maxReleases, IDLE_BEFORE_RETIRE,
                retired -> remove(app, "release", retired))).label(release, now);
        String cohortLabel = cohortCaps.computeIfAbsent(app, a -> new LabelCap(maxCohorts, IDLE_BEFORE_RETIRE,
                retired -> remove(app, "cohort", retired))).label(cohort.isEmpty() ? "none" : cohort, now);
        SeriesMeters meters = series.computeIfAbsent(new SeriesKey(app, releaseLabel, cohortLabel),
                key -> new SeriesMeters(Tags.of("app", app, "release", releaseLabel, "cohort", cohortLabel)));
        for (EventStore.NewEvent stored : events) {
            TelemetryEvent event = stored.event();
            if (event instanceof TelemetryEvent.Replay replay) {
                meters.replay(replay);
                String journey = journeys.nameOf(stored.journeyId());
                journeySeries.computeIfAbsent(new SeriesKey(app, journey, ""),
                        key -> new SeriesMeters(Tags.of("app", app, "journey", journey))).journeyReplay(replay);
            } else if (event instanceof TelemetryEvent.Conflict conflict) {
                meters.conflict(conflict);
            } else if (event instanceof TelemetryEvent.Sync sync) {
                meters.sync(sync);
            } else if (event instanceof TelemetryEvent.Outbox outbox) {
                meters.outbox(outbox);
            } else if (event instanceof TelemetryEvent.Migration migration) {
                String step = versionStepCaps.computeIfAbsent(app, a -> new LabelCap(maxVersionSteps, IDLE_BEFORE_RETIRE,
                        retired -> removeMigrations(app, retired))).label(migration.versionStep(), now);
                meters.migration(step, migration);
            }
        }
    }

    /** A migration counter of a series: its version step's label (or the overflow) and its outcome. */
    private record MigrationKey(String step, TelemetryEvent.MigrationOutcome outcome) {
    }

    /** A series: app, release and cohort labels; or app, journey and "" for a journey's replays. */
    private record SeriesKey(String app, String first, String second) {
    }

    /**
     * The meters of one series, each looked up in the registry on its first use and kept until its label retires:
     * a registry lookup hashes every tag, which costs more than the update. Writer threads share them, so each is
     * published through a volatile field; two threads that look one up at once get the same meter.
     */
    private final class SeriesMeters {
        private final Tags tags;
        private final AtomicReferenceArray<Counter> replays = new AtomicReferenceArray<>(TelemetryEvent.ReplayOutcome.values().length);
        private final AtomicReferenceArray<Counter> conflicts =
                new AtomicReferenceArray<>(TelemetryEvent.ConflictResolution.values().length);
        private volatile Counter firstAttempts;
        private volatile Counter repeatFailures;
        private volatile DistributionSummary syncLatency;
        private volatile DistributionSummary staleness;
        private volatile DistributionSummary outboxDepth;
        private volatile DistributionSummary outboxOldestAge;
        /** Bounded by the app's version step cap and the outcomes; a retired step leaves it with its meters. */
        private final ConcurrentHashMap<MigrationKey, Counter> migrations = new ConcurrentHashMap<>();

        SeriesMeters(Tags tags) {
            this.tags = tags;
        }

        void replay(TelemetryEvent.Replay replay) {
            replayCounts("bellwether.replays", "bellwether.replay.first.attempts", "bellwether.replay.repeat.failures", replay);
        }

        void journeyReplay(TelemetryEvent.Replay replay) {
            replayCounts("bellwether.journey.replays", "bellwether.journey.replay.first.attempts",
                    "bellwether.journey.replay.repeat.failures", replay);
        }

        private void replayCounts(String replaysName, String firstAttemptsName, String repeatFailuresName,
                TelemetryEvent.Replay replay) {
            int outcome = replay.outcome().ordinal();
            Counter replays = this.replays.get(outcome);
            if (replays == null) {
                replays = counter(replaysName, tags.and("outcome", replay.outcome().wireName()));
                this.replays.set(outcome, replays);
            }
            replays.increment();
            if (replay.firstAttempt()) {
                if (firstAttempts == null) {
                    firstAttempts = counter(firstAttemptsName, tags);
                }
                firstAttempts.increment();
            }
            if (replay.repeatFailure()) {
                if (repeatFailures == null) {
                    repeatFailures = counter(repeatFailuresName, tags);
                }
                repeatFailures.increment();
            }
        }

        void conflict(TelemetryEvent.Conflict conflict) {
            int resolution = conflict.resolution().ordinal();
            Counter conflicts = this.conflicts.get(resolution);
            if (conflicts == null) {
                conflicts = counter("bellwether.conflicts", tags.and("resolution", conflict.resolution().wireName()));
                this.conflicts.set(resolution, conflicts);
            }
            conflicts.increment();
        }

        void sync(TelemetryEvent.Sync sync) {
            if (syncLatency == null) {
                syncLatency = summary("bellwether.sync.latency", "seconds", MetricBuckets.LATENCY_SECONDS, tags);
            }
            syncLatency.record(sync.latencyMs() / 1000);
            if (sync.stalenessMs() != null) {
                if (staleness == null) {
                    staleness = summary("bellwether.staleness", "seconds", MetricBuckets.AGE_SECONDS, tags);
                }
                staleness.record(sync.stalenessMs() / 1000);
            }
        }

        void migration(String step, TelemetryEvent.Migration migration) {
            migrations.computeIfAbsent(new MigrationKey(step, migration.outcome()), key -> {
                Tags versions = step.equals(LabelCap.OVERFLOW)
                        ? Tags.of("from_version", LabelCap.OVERFLOW, "to_version", LabelCap.OVERFLOW)
                        : Tags.of("from_version", String.valueOf(migration.fromVersion()),
                                "to_version", String.valueOf(migration.toVersion()));
                return counter("bellwether.migrations", tags.and(versions).and("outcome", key.outcome().wireName()));
            }).increment();
        }

        void outbox(TelemetryEvent.Outbox outbox) {
            if (outboxDepth == null) {
                outboxDepth = summary("bellwether.outbox.depth", null, MetricBuckets.DEPTH, tags);
            }
            outboxDepth.record(outbox.depth());
            if (outbox.oldestAgeMs() != null) {
                if (outboxOldestAge == null) {
                    outboxOldestAge = summary("bellwether.outbox.oldest.age", "seconds", MetricBuckets.AGE_SECONDS, tags);
                }
                outboxOldestAge.record(outbox.oldestAgeMs() / 1000);
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
        series.forEach((key, meters) -> {
            if (key.app().equals(app)) {
                meters.migrations.keySet().removeIf(migration -> migration.step().equals(retiredStep));
            }
        });
        String[] versions = retiredStep.split("->");
        for (Meter meter : registry.find("bellwether.migrations")
                .tags("app", app, "from_version", versions[0], "to_version", versions[1]).meters()) {
            registry.remove(meter);
        }
    }

    /** Retires a release or cohort label of an app: its meters leave the registry, and their series its cache. */
    private void remove(String app, String label, String retired) {
        series.keySet().removeIf(key -> key.app().equals(app)
                && (label.equals("release") ? key.first() : key.second()).equals(retired));
        remove(Tags.of("app", app, label, retired));
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

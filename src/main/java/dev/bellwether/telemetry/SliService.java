package dev.bellwether.telemetry;

import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.Journey;
import dev.bellwether.journey.JourneyMatcher;
import dev.bellwether.journey.JourneySpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Answers SLI questions from the rollups: any event-time window, optionally one release, optionally split by a flag,
 * optionally one journey's replays.
 */
@ApplicationScoped
public class SliService {

    private final RollupStore rollups;
    private final ReleaseAndCohortIds releasesAndCohorts;
    private final RetentionConfig retention;
    private final Clock clock;
    private final int maxVersionSteps;
    private final int maxCohorts;

    public SliService(RollupStore rollups, ReleaseAndCohortIds releasesAndCohorts, RetentionConfig retention, Clock clock,
            MetricsConfig metrics) {
        this.rollups = rollups;
        this.releasesAndCohorts = releasesAndCohorts;
        this.retention = retention;
        this.clock = clock;
        this.maxVersionSteps = metrics.maxVersionStepsPerApp();
        this.maxCohorts = metrics.maxCohortsPerSliReport();
    }

    /**
     * @param journeys the app's journeys, for the per-journey breakdown
     * @param journey a journey of {@code journeys} or {@code other}, to count its replays alone; null for every event
     */
    public SliReport report(long appId, String appName, Instant from, Instant to, String release, String flag,
            AppJourneys journeys, String journey) {
        Long journeyId = journeys.rollupIdOf(journey);
        Function<Rollup, SliSummary> summary = journeyId == null ? rollup -> SliSummary.of(rollup, maxVersionSteps)
                : SliSummary::ofJourney;
        Rollup total = new Rollup();
        Map<String, Rollup> byCohort = new TreeMap<>();
        Map<String, Cohort> cohortOf = new HashMap<>();
        Map<Long, Rollup> byJourney = new HashMap<>();
        Long releaseId = release == null ? null : releasesAndCohorts.existingReleaseId(appId, release);
        if (release == null || releaseId != null) {
            Map<Long, Cohort> cohorts = releasesAndCohorts.cohorts(appId);
            rollups.read(appId, from, to, releaseId, clock.instant().minus(retention.rawEvents()), row -> {
                long rowJourney = row.key().journeyId();
                byJourney.computeIfAbsent(rowJourney, k -> new Rollup()).mergeReplays(row.rollup());
                Rollup rollup = row.rollup();
                if (journeyId != null) {
                    if (rowJourney != journeyId) {
                        return;
                    }
                    rollup = new Rollup();
                    rollup.mergeReplays(row.rollup());
                }
                total.merge(rollup);
                Cohort cohort = cohorts.getOrDefault(row.key().cohortId(), Cohort.NONE);
                Cohort group = flag == null ? cohort : flagGroup(cohort, flag);
                byCohort.computeIfAbsent(group.label(), k -> new Rollup()).merge(rollup);
                cohortOf.putIfAbsent(group.label(), group);
            });
        }
        SliReport.OtherCohorts others = null;
        if (byCohort.size() > maxCohorts) {
            List<Map.Entry<String, Rollup>> largestFirst = new ArrayList<>(byCohort.entrySet());
            largestFirst.sort(Comparator.comparingLong((Map.Entry<String, Rollup> e) -> e.getValue().events()).reversed()
                    .thenComparing(Map.Entry::getKey));
            Rollup rest = new Rollup();
            List<Map.Entry<String, Rollup>> left = largestFirst.subList(maxCohorts, largestFirst.size());
            left.forEach(e -> {
                rest.merge(e.getValue());
                byCohort.remove(e.getKey());
            });
            others = new SliReport.OtherCohorts(left.size(), summary.apply(rest));
        }
        List<SliReport.CohortSli> perCohort = new ArrayList<>();
        byCohort.forEach((label, rollup) -> {
            Cohort cohort = cohortOf.get(label);
            String arm = flag == null ? null : armOf(cohort.isOn(flag));
            perCohort.add(new SliReport.CohortSli(label.isEmpty() ? "none" : label, cohort.flags(), arm, summary.apply(rollup)));
        });
        return new SliReport(appName, from, to, release, flag, journey, summary.apply(total), perCohort, others,
                perJourney(journeys, journeyId, byJourney));
    }

    /** Declared journeys by name, removed ones with replays in the window, then {@code other}; or the one asked for. */
    private static List<SliReport.JourneySli> perJourney(AppJourneys journeys, Long only, Map<Long, Rollup> byJourney) {
        List<SliReport.JourneySli> listed = new ArrayList<>();
        for (Journey journey : journeys.all()) {
            Rollup rollup = byJourney.get(journey.id());
            if ((only == null || only == journey.id()) && (!journey.removed() || rollup != null)) {
                listed.add(new SliReport.JourneySli(journey.name(), journey.criticality(), journey.removed(),
                        SliSummary.replaysOf(rollup == null ? new Rollup() : rollup)));
            }
        }
        if (only == null || only == JourneyMatcher.OTHER_ID) {
            listed.add(new SliReport.JourneySli(JourneySpec.OTHER, null, false,
                    SliSummary.replaysOf(byJourney.getOrDefault(JourneyMatcher.OTHER_ID, new Rollup()))));
        }
        return listed;
    }

    /** The SLIs of one release over a window. */
    public record ReleaseSli(String release, SliSummary sli) {
    }

    /**
     * The SLIs per release over [from, to), the releases with the most events first; as for cohorts, only as many as
     * a report lists on their own ({@code bellwether.metrics.max-cohorts-per-sli-report}), the rest summed in
     * {@code others} (null when there is none).
     */
    public record ByRelease(List<ReleaseSli> releases, SliReport.OtherCohorts others) {
    }

    public ByRelease byRelease(long appId, Instant from, Instant to) {
        Map<Long, String> names = releasesAndCohorts.releases(appId);
        Map<String, Rollup> byName = new HashMap<>();
        rollups.read(appId, from, to, null, clock.instant().minus(retention.rawEvents()),
                row -> byName.computeIfAbsent(names.getOrDefault(row.key().releaseId(), "unknown"), k -> new Rollup())
                        .merge(row.rollup()));
        List<Map.Entry<String, Rollup>> largestFirst = new ArrayList<>(byName.entrySet());
        largestFirst.sort(Comparator.comparingLong((Map.Entry<String, Rollup> e) -> e.getValue().events()).reversed()
                .thenComparing(Map.Entry::getKey));
        List<ReleaseSli> shown = new ArrayList<>();
        Rollup rest = new Rollup();
        for (int i = 0; i < largestFirst.size(); i++) {
            Map.Entry<String, Rollup> release = largestFirst.get(i);
            if (i < maxCohorts) {
                shown.add(new ReleaseSli(release.getKey(), SliSummary.of(release.getValue(), maxVersionSteps)));
            } else {
                rest.merge(release.getValue());
            }
        }
        int left = largestFirst.size() - shown.size();
        return new ByRelease(shown, left == 0 ? null : new SliReport.OtherCohorts(left, SliSummary.of(rest, maxVersionSteps)));
    }

    /** Events of clients that ran with {@code flag} on (canary) and off (control); clients without it are left out. */
    public record CanaryControl(Rollup canary, Rollup control) {
    }

    /** How far back the judge reads minute by minute; before that, whole hours by the hour. */
    static final Duration JUDGED_BY_MINUTE = Duration.ofHours(2);

    /**
     * Canary against control bucket by bucket: for the whole app, and for each journey asked for, its replays alone.
     *
     * @param journeys by journey id ({@code JourneyMatcher.OTHER_ID} for {@code other}); a journey without rows in the
     *     range has an empty map
     */
    public record CanaryBuckets(NavigableMap<Instant, CanaryControl> app,
                                Map<Long, NavigableMap<Instant, CanaryControl>> journeys) {
    }

    /** The whole app's buckets, as {@link #canaryAgainstControl(long, String, Instant, Instant, Set)} reads them. */
    public NavigableMap<Instant, CanaryControl> canaryAgainstControl(long appId, String flag, Instant from, Instant to) {
        return canaryAgainstControl(appId, flag, from, to, Set.of()).app();
    }

    /**
     * The judge's read of the telemetry: canary against control over [from, to), by event time, bucket by bucket (each
     * minute of the last two hours or more; each whole hour before that), so that the judge can weigh what happened
     * since a bucket apart from what came before. One read of the rollups serves the app and every journey asked for.
     *
     * @param journeyIds the journeys whose replays are also wanted on their own
     * @return by the bucket's start, oldest first; the first bucket is {@code from}'s minute (or hour, when older than
     *     the minute rollups)
     */
    public CanaryBuckets canaryAgainstControl(long appId, String flag, Instant from, Instant to, Set<Long> journeyIds) {
        Map<Long, Cohort> cohorts = releasesAndCohorts.cohorts(appId);
        TreeMap<Instant, CanaryControl> buckets = new TreeMap<>();
        Map<Long, NavigableMap<Instant, CanaryControl>> byJourney = new HashMap<>();
        journeyIds.forEach(id -> byJourney.put(id, new TreeMap<>()));
        Consumer<RollupStore.Row> add = row -> {
            Boolean on = cohorts.getOrDefault(row.key().cohortId(), Cohort.NONE).isOn(flag);
            if (on != null) {
                CanaryControl bucket = buckets.computeIfAbsent(row.key().bucket(), b -> new CanaryControl(new Rollup(), new Rollup()));
                (on ? bucket.canary() : bucket.control()).merge(row.rollup());
                NavigableMap<Instant, CanaryControl> journey = byJourney.get(row.key().journeyId());
                if (journey != null) {
                    CanaryControl own = journey.computeIfAbsent(row.key().bucket(),
                            b -> new CanaryControl(new Rollup(), new Rollup()));
                    // journey 0 (other) also holds every event that is no replay: a journey is its replays alone
                    (on ? own.canary() : own.control()).mergeReplays(row.rollup());
                }
            }
        };
        // whole hours before the recent ones as hour rows (cheap for a long step), the recent ones minute by minute
        Instant byMinute = to.minus(JUDGED_BY_MINUTE).truncatedTo(ChronoUnit.HOURS);
        if (byMinute.isAfter(from)) {
            rollups.read(appId, from, byMinute, null, clock.instant().minus(retention.rawEvents()), add);
        } else {
            byMinute = from;
        }
        rollups.readMinutes(appId, byMinute, to, add);
        return new CanaryBuckets(buckets, byJourney);
    }

    private static Cohort flagGroup(Cohort cohort, String flag) {
        Object value = cohort.flags().get(flag);
        return value == null ? Cohort.NONE : Cohort.of(Map.of(flag, value));
    }

    private static String armOf(Boolean on) {
        return on == null ? "absent" : on ? "canary" : "control";
    }
}

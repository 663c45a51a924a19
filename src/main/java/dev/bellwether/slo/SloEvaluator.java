package dev.bellwether.slo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.platform.LeaseIdleLimit;
import dev.bellwether.telemetry.Durations;
import dev.bellwether.telemetry.Granularity;
import dev.bellwether.telemetry.Rollup;
import dev.bellwether.telemetry.RollupStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Evaluates every SLO on a schedule. Replicas sharing one PostgreSQL take turns ({@link EvaluationTicks}), so each
 * tick is evaluated exactly once.
 *
 * <p>Counts are kept in memory per SLO and bucket ({@link SloSeries}); a tick re-reads only the buckets whose rollup
 * rows were written or compacted by transactions that began after the previous tick began, less
 * {@link #OPEN_TRANSACTION_MARGIN}, so late events change the windows they belong to, and a tick costs what changed,
 * not what is stored. A bucket missed by a transaction open longer than the margin is caught when the compactor
 * rewrites it.
 *
 * <p>Each tick also stores the counts it changed ({@link SloCounts}), in its own transaction, with the database time
 * it began at: a replica without counts in memory (after a start, a failed tick, or an SLO counted by another replica)
 * loads them and re-reads what was written since that time, less the margin, as if it had evaluated that tick itself.
 * Only an SLO without stored counts for its SLI, threshold, journey and period is counted from every rollup row.
 *
 * <p>The evaluation lock lasts only while its holder keeps talking to PostgreSQL: a replica frozen mid-tick loses its
 * session, the lock and its claim of the tick after {@code bellwether.lease-idle-timeout} ({@link LeaseIdleLimit}),
 * and another replica evaluates the next tick. The frozen one, when it wakes, fails at its next statement and counts
 * nothing.
 */
@ApplicationScoped
public class SloEvaluator {

    private static final Logger LOG = Logger.getLogger(SloEvaluator.class);
    static final Duration OPEN_TRANSACTION_MARGIN = Duration.ofSeconds(30);

    private final AgroalDataSource dataSource;
    private final RollupStore rollups;
    private final ObjectMapper json;
    private final SloMetrics metrics;
    private final Clock clock;
    private final Duration interval;
    private final Duration leaseIdle;
    private final String instance = ManagementFactory.getRuntimeMXBean().getName();
    private final Map<Long, Known> series = new HashMap<>();
    /** Database time at the start of this instance's previous evaluation; null before the first. */
    private Instant previousEvaluation;
    private final SloNotices notices;

    public SloEvaluator(AgroalDataSource dataSource, RollupStore rollups, ObjectMapper json, SloMetrics metrics, Clock clock,
            @ConfigProperty(name = "bellwether.evaluation-interval") String interval,
            @ConfigProperty(name = "bellwether.lease-idle-timeout") Duration leaseIdleTimeout, SloNotices notices) {
        this.notices = notices;
        this.dataSource = dataSource;
        this.rollups = rollups;
        this.json = json;
        this.metrics = metrics;
        this.clock = clock;
        this.interval = Durations.parse(interval);
        this.leaseIdle = LeaseIdleLimit.positive(leaseIdleTimeout);
    }

    /** An SLO's counts in memory and what they count ({@link SloDefinition.Stored#countedAs}). */
    private record Known(String countedAs, SloSeries counts) {
    }

    public Duration interval() {
        return interval;
    }

    @Scheduled(every = "${bellwether.evaluation-schedule}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            tick(clock.instant());
        } catch (SQLException | RuntimeException e) {
            metrics.failed();
            LOG.warnf(e, "SLO evaluation failed, will retry next tick");
        }
    }

    /** Evaluates the tick {@code now} falls in, unless another replica is evaluating or has evaluated it. */
    public boolean tick(Instant now) throws SQLException {
        return run(now, now.getEpochSecond() / Math.max(1, interval.toSeconds()));
    }

    /** Evaluates at once, outside the schedule (still one replica at a time). */
    public boolean evaluateNow() throws SQLException {
        return run(clock.instant(), null);
    }

    private synchronized boolean run(Instant now, Long tick) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                LeaseIdleLimit.apply(connection, leaseIdle);
                if (!EvaluationTicks.lock(connection)
                        || (tick != null && !EvaluationTicks.claim(connection, tick, instance, now))) {
                    connection.rollback();
                    metrics.skipped();
                    metrics.refresh();
                    return false;
                }
                long started = System.nanoTime();
                int evaluated = evaluate(connection, now);
                double millis = (System.nanoTime() - started) / 1e6;
                if (tick != null) {
                    EvaluationTicks.finish(connection, tick, evaluated, millis, clock.instant());
                }
                connection.commit();
                metrics.evaluated(Duration.ofNanos(System.nanoTime() - started), clock.instant());
                metrics.refresh();
                return true;
            } catch (SQLException | RuntimeException e) {
                // the caches may hold a half-loaded series: start over from the rollups next time (cleared first, as
                // the rollback fails too when the session is gone)
                series.clear();
                previousEvaluation = null;
                rollBack(connection, e);
                throw e;
            }
        }
    }

    private static void rollBack(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException alsoFailed) {
            failure.addSuppressed(alsoFailed);
        }
    }

    private int evaluate(Connection connection, Instant now) throws SQLException {
        Instant databaseNow = databaseNow(connection);
        List<SloDefinition.Stored> slos = SloDefinition.readAll(connection);
        Map<Long, List<SloDefinition.Stored>> byApp = slos.stream().collect(Collectors.groupingBy(SloDefinition.Stored::appId));
        series.keySet().retainAll(slos.stream().map(SloDefinition.Stored::id).collect(Collectors.toSet()));
        Set<Long> reloadApps = new HashSet<>();
        List<Long> recounted = new ArrayList<>();
        Map<Long, SloSpec> storedToLoad = new HashMap<>();
        Instant earliestStored = null;
        for (SloDefinition.Stored slo : slos) {
            Known known = series.get(slo.id());
            String countedAs = slo.countedAs();
            // Stored counts of another SLI, threshold, journey or period (written by a replica that saw another spec)
            // are recounted even when those in memory are right, as later ticks only add changes to them.
            boolean storedMatches = slo.counted() != null && slo.counted().as().equals(countedAs);
            if (storedMatches && known != null && known.countedAs().equals(countedAs)) {
                continue;
            }
            if (storedMatches) {
                storedToLoad.put(slo.id(), slo.spec());
                earliestStored = earliestStored == null || slo.counted().at().isBefore(earliestStored)
                        ? slo.counted().at() : earliestStored;
            } else {
                // what a journey SLO counts names its journey's id, so a change of journey recounts it too
                series.put(slo.id(), new Known(countedAs, new SloSeries(slo.spec())));
                reloadApps.add(slo.appId());
                recounted.add(slo.id());
            }
        }
        if (!storedToLoad.isEmpty()) { // a steady tick has nothing to load: no query, no map of every SLO
            Map<Long, String> countedAs = slos.stream().collect(Collectors.toMap(SloDefinition.Stored::id,
                    SloDefinition.Stored::countedAs));
            SloCounts.load(connection, storedToLoad).forEach((id, counts) -> series.put(id, new Known(countedAs.get(id), counts)));
        }
        // stored counts are as of the evaluation that wrote them: what was written since then is read again below
        if (earliestStored != null && (previousEvaluation == null || earliestStored.isBefore(previousEvaluation))) {
            previousEvaluation = earliestStored;
        }
        List<SloCounts.Count> written = new ArrayList<>();
        Instant minutesFrom = SloSeries.minutesFrom(now);
        for (long appId : reloadApps) {
            List<SloDefinition.Stored> appSlos = byApp.get(appId);
            Instant hoursFrom = SloSeries.periodStart(now, longestPeriod(appSlos));
            boolean perJourney = anyPerJourney(appSlos);
            put(appSlos, Granularity.MINUTE, rollups.mergedBuckets(connection, appId, Granularity.MINUTE, minutesFrom, end(now),
                    perJourney), List.of(), written);
            put(appSlos, Granularity.HOUR, rollups.mergedBuckets(connection, appId, Granularity.HOUR, hoursFrom, end(now),
                    perJourney), List.of(), written);
        }
        Instant hoursFrom = SloSeries.periodStart(now, longestPeriod(slos));
        List<RollupStore.ChangedBucket> changes = previousEvaluation == null ? List.of()
                : rollups.changedSince(connection, previousEvaluation.minus(OPEN_TRANSACTION_MARGIN), minutesFrom, hoursFrom);
        Map<Long, Map<Granularity, List<Instant>>> changed = new HashMap<>();
        for (RollupStore.ChangedBucket bucket : changes) {
            if (byApp.containsKey(bucket.appId()) && !reloadApps.contains(bucket.appId())) {
                changed.computeIfAbsent(bucket.appId(), a -> new HashMap<>())
                        .computeIfAbsent(bucket.granularity(), g -> new ArrayList<>()).add(bucket.bucket());
            }
        }
        for (var app : changed.entrySet()) {
            List<SloDefinition.Stored> appSlos = byApp.get(app.getKey());
            for (var granularity : app.getValue().entrySet()) {
                RollupStore.MergedBuckets merged = rollups.mergedBuckets(connection, app.getKey(), granularity.getKey(),
                        granularity.getValue(), anyPerJourney(appSlos));
                put(appSlos, granularity.getKey(), merged, granularity.getValue(), written);
            }
        }
        // Only after the first evaluation has loaded every SLO in full may later ones read changes alone.
        previousEvaluation = databaseNow;

        List<SloDefinition.Judged> judged = new ArrayList<>(slos.size());
        List<SloDefinition.Judged> transitions = new ArrayList<>();
        Map<Long, Instant> periodStarts = new HashMap<>();
        for (SloDefinition.Stored slo : slos) {
            SloSeries counts = series.get(slo.id()).counts();
            SloVerdict verdict = SloJudge.judge(slo.spec(), counts.windows(now), counts.period(now));
            counts.prune(now);
            periodStarts.put(slo.id(), SloSeries.periodStart(now, slo.spec().period()));
            SloDefinition.Judged outcome = new SloDefinition.Judged(slo.id(), slo.state(), verdict, write(Evidence.of(verdict)),
                    slo.countedAs());
            judged.add(outcome);
            if (verdict.state() != slo.state()) {
                transitions.add(outcome);
                LOG.infof("SLO %s/%s: %s -> %s (%s)", slo.appName(), slo.spec().name(), slo.state(), verdict.state(),
                        verdict.reason());
                notices.stateChanged(connection, slo.appId(), slo.appName(), slo.spec().name(), slo.state(),
                        verdict.state(), verdict.reason());
            }
        }
        SloCounts.forget(connection, recounted);
        SloCounts.write(connection, written);
        SloCounts.prune(connection, minutesFrom, periodStarts);
        SloDefinition.saveVerdicts(connection, now, databaseNow, judged);
        SloTransition.record(connection, now, transitions);
        return slos.size();
    }

    private static Instant databaseNow(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT now()"); ResultSet row = select.executeQuery()) {
            row.next();
            return row.getTimestamp(1).toInstant();
        }
    }

    /**
     * Counts each SLO's buckets: an app-wide SLO's from every journey's rows, a journey's SLO from that journey's alone.
     * A bucket of {@code changed} without rows (for the SLO's journey) counts nothing, replacing what it counted before.
     */
    private void put(List<SloDefinition.Stored> slos, Granularity granularity, RollupStore.MergedBuckets merged,
            Collection<Instant> changed, List<SloCounts.Count> written) {
        for (SloDefinition.Stored slo : slos) {
            SloSeries counts = series.get(slo.id()).counts();
            Map<Instant, Rollup> buckets = new HashMap<>(merged.of(slo.journeyId()));
            for (Instant bucket : changed) {
                buckets.putIfAbsent(bucket, new Rollup());
            }
            buckets.forEach((bucket, rollup) -> {
                GoodValid count = slo.spec().sli().count(rollup, slo.spec().threshold());
                if (granularity == Granularity.MINUTE) {
                    counts.putMinute(bucket, count);
                } else {
                    counts.putHour(bucket, count);
                }
                written.add(new SloCounts.Count(slo.id(), granularity, bucket, count));
            });
        }
    }

    private static boolean anyPerJourney(List<SloDefinition.Stored> slos) {
        return slos.stream().anyMatch(slo -> slo.journeyId() != null);
    }

    private static Duration longestPeriod(List<SloDefinition.Stored> slos) {
        return slos.stream().map(s -> s.spec().period()).max(Duration::compareTo).orElse(SloSpec.DEFAULT_PERIOD);
    }

    /** Exclusive end of what a tick reads: the bucket after the one {@code now} is in. */
    private static Instant end(Instant now) {
        return now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    }

    private String write(Evidence evidence) {
        try {
            return json.writeValueAsString(evidence);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("evidence could not be written as JSON", e);
        }
    }
}

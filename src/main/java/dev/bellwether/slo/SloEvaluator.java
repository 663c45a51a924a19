package dev.bellwether.slo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Evaluates every SLO on a schedule. Replicas sharing one PostgreSQL take turns: a tick is evaluated by whoever
 * holds the advisory lock and first records the tick number, so each tick is evaluated exactly once.
 *
 * <p>Counts are kept in memory per SLO and bucket ({@link SloSeries}); a tick re-reads only the buckets whose rollup
 * rows were written or compacted by transactions that began after the previous tick began, less
 * {@link #OPEN_TRANSACTION_MARGIN}, so late events change the windows they belong to, and a tick costs what changed,
 * not what is stored. A bucket missed by a transaction open longer than the margin is caught when the compactor
 * rewrites it.
 */
@ApplicationScoped
public class SloEvaluator {

    private static final Logger LOG = Logger.getLogger(SloEvaluator.class);
    /** "bellweth" as a number: the advisory lock of SLO evaluation. */
    private static final long LOCK_KEY = 0x62656c6c77657468L;
    private static final Duration TICK_HISTORY = Duration.ofDays(7);
    static final Duration OPEN_TRANSACTION_MARGIN = Duration.ofSeconds(30);

    private final AgroalDataSource dataSource;
    private final RollupStore rollups;
    private final ObjectMapper json;
    private final SloMetrics metrics;
    private final Clock clock;
    private final Duration interval;
    private final String instance = ManagementFactory.getRuntimeMXBean().getName();
    private final Map<Long, SloSeries> series = new HashMap<>();
    /** Database time at the start of this instance's previous evaluation; null before the first. */
    private Instant previousEvaluation;

    private record StoredSlo(long id, long appId, String appName, SloSpec spec, SloState state) {
    }

    public SloEvaluator(AgroalDataSource dataSource, RollupStore rollups, ObjectMapper json, SloMetrics metrics, Clock clock,
            @ConfigProperty(name = "bellwether.evaluation-interval", defaultValue = "30s") String interval) {
        this.dataSource = dataSource;
        this.rollups = rollups;
        this.json = json;
        this.metrics = metrics;
        this.clock = clock;
        this.interval = Durations.parse(interval);
    }

    public Duration interval() {
        return interval;
    }

    @Scheduled(every = "${bellwether.evaluation-interval:30s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            tick(clock.instant());
        } catch (SQLException | RuntimeException e) {
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
                if (!locked(connection) || (tick != null && !claimed(connection, tick, now))) {
                    connection.rollback();
                    metrics.skipped();
                    metrics.refresh();
                    return false;
                }
                long started = System.nanoTime();
                int evaluated = evaluate(connection, now);
                double millis = (System.nanoTime() - started) / 1e6;
                if (tick != null) {
                    finish(connection, tick, evaluated, millis);
                }
                connection.commit();
                metrics.evaluated(Duration.ofNanos(System.nanoTime() - started), clock.instant());
                metrics.refresh();
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                // the caches may hold a half-loaded series: start over from the rollups next time
                series.clear();
                previousEvaluation = null;
                throw e;
            }
        }
    }

    private static boolean locked(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK_KEY);
            try (ResultSet result = lock.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private boolean claimed(Connection connection, long tick, Instant now) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(
                "INSERT INTO evaluation_tick (tick, instance, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            claim.setLong(1, tick);
            claim.setString(2, instance);
            claim.setTimestamp(3, Timestamp.from(now));
            return claim.executeUpdate() == 1;
        }
    }

    private void finish(Connection connection, long tick, int evaluated, double millis) throws SQLException {
        try (PreparedStatement done = connection.prepareStatement(
                "UPDATE evaluation_tick SET finished_at = ?, slos = ?, duration_ms = ? WHERE tick = ?");
                PreparedStatement prune = connection.prepareStatement("DELETE FROM evaluation_tick WHERE started_at < ?")) {
            done.setTimestamp(1, Timestamp.from(clock.instant()));
            done.setInt(2, evaluated);
            done.setDouble(3, millis);
            done.setLong(4, tick);
            done.executeUpdate();
            prune.setTimestamp(1, Timestamp.from(clock.instant().minus(TICK_HISTORY)));
            prune.executeUpdate();
        }
    }

    private int evaluate(Connection connection, Instant now) throws SQLException {
        Instant databaseNow = databaseNow(connection);
        List<StoredSlo> slos = storedSlos(connection);
        Map<Long, List<StoredSlo>> byApp = slos.stream().collect(Collectors.groupingBy(StoredSlo::appId));
        series.keySet().retainAll(slos.stream().map(StoredSlo::id).collect(Collectors.toSet()));
        Set<Long> reloadApps = new HashSet<>();
        for (StoredSlo slo : slos) {
            SloSeries known = series.get(slo.id());
            if (known == null || !known.spec().equals(slo.spec())) {
                series.put(slo.id(), new SloSeries(slo.spec()));
                reloadApps.add(slo.appId());
            }
        }
        Instant minutesFrom = SloSeries.minutesFrom(now);
        for (long appId : reloadApps) {
            List<StoredSlo> appSlos = byApp.get(appId);
            Instant hoursFrom = SloSeries.periodStart(now, longestPeriod(appSlos));
            put(appSlos, Granularity.MINUTE, rollups.mergedBuckets(connection, appId, Granularity.MINUTE, minutesFrom, end(now)));
            put(appSlos, Granularity.HOUR, rollups.mergedBuckets(connection, appId, Granularity.HOUR, hoursFrom, end(now)));
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
            for (var granularity : app.getValue().entrySet()) {
                Map<Instant, Rollup> merged = rollups.mergedBuckets(connection, app.getKey(), granularity.getKey(), granularity.getValue());
                for (Instant bucket : granularity.getValue()) {
                    merged.putIfAbsent(bucket, new Rollup());
                }
                put(byApp.get(app.getKey()), granularity.getKey(), merged);
            }
        }
        // Only after the first evaluation has loaded every SLO in full may later ones read changes alone.
        previousEvaluation = databaseNow;

        try (PreparedStatement update = connection.prepareStatement("UPDATE slo SET state = ?, reason = ?, evaluated_at = ?, "
                + "verdict = ?::jsonb, state_since = CASE WHEN state IS DISTINCT FROM ? THEN ? ELSE state_since END WHERE id = ?");
                PreparedStatement transition = connection.prepareStatement("INSERT INTO slo_transition "
                        + "(slo_id, at, from_state, to_state, reason, evidence) VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
            for (StoredSlo slo : slos) {
                SloSeries counts = series.get(slo.id());
                SloVerdict verdict = SloJudge.judge(slo.spec(), counts.windows(now), counts.period(now));
                counts.prune(now);
                String evidence = write(Evidence.of(verdict));
                Timestamp at = Timestamp.from(now);
                update.setString(1, verdict.state().name());
                update.setString(2, verdict.reason());
                update.setTimestamp(3, at);
                update.setString(4, evidence);
                update.setString(5, verdict.state().name());
                update.setTimestamp(6, at);
                update.setLong(7, slo.id());
                update.addBatch();
                if (verdict.state() != slo.state()) {
                    transition.setLong(1, slo.id());
                    transition.setTimestamp(2, at);
                    if (slo.state() == null) {
                        transition.setNull(3, Types.VARCHAR);
                    } else {
                        transition.setString(3, slo.state().name());
                    }
                    transition.setString(4, verdict.state().name());
                    transition.setString(5, verdict.reason());
                    transition.setString(6, evidence);
                    transition.addBatch();
                    LOG.infof("SLO %s/%s: %s -> %s (%s)", slo.appName(), slo.spec().name(), slo.state(), verdict.state(),
                            verdict.reason());
                }
            }
            update.executeBatch();
            transition.executeBatch();
        }
        return slos.size();
    }

    private static Instant databaseNow(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT now()"); ResultSet row = select.executeQuery()) {
            row.next();
            return row.getTimestamp(1).toInstant();
        }
    }

    private void put(List<StoredSlo> slos, Granularity granularity, Map<Instant, Rollup> buckets) {
        for (StoredSlo slo : slos) {
            SloSeries counts = series.get(slo.id());
            buckets.forEach((bucket, rollup) -> {
                GoodValid count = slo.spec().sli().count(rollup, slo.spec().threshold());
                if (granularity == Granularity.MINUTE) {
                    counts.putMinute(bucket, count);
                } else {
                    counts.putHour(bucket, count);
                }
            });
        }
    }

    private static List<StoredSlo> storedSlos(Connection connection) throws SQLException {
        List<StoredSlo> slos = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT s.id, s.app_id, a.name, s.name, s.sli, s.objective, "
                + "s.period_seconds, s.threshold, s.min_events, s.state FROM slo s JOIN app a ON a.id = s.app_id ORDER BY s.id");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                double threshold = rows.getDouble(8);
                Double thresholdOrNull = rows.wasNull() ? null : threshold;
                long minEvents = rows.getLong(9);
                Long minEventsOrNull = rows.wasNull() ? null : minEvents;
                String state = rows.getString(10);
                slos.add(new StoredSlo(rows.getLong(1), rows.getLong(2), rows.getString(3),
                        new SloSpec(rows.getString(4), Sli.fromWireName(rows.getString(5)), rows.getDouble(6),
                                Duration.ofSeconds(rows.getLong(7)), thresholdOrNull, minEventsOrNull),
                        state == null ? null : SloState.valueOf(state)));
            }
        }
        return slos;
    }

    private static Duration longestPeriod(List<StoredSlo> slos) {
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

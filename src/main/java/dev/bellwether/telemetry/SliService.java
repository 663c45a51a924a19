package dev.bellwether.telemetry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.ingest.Cohort;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Answers SLI questions from the rollups: any event-time window, optionally one release, optionally split by a flag. */
@ApplicationScoped
public class SliService {

    private static final TypeReference<TreeMap<String, Object>> FLAGS = new TypeReference<>() {
    };

    private final RollupStore rollups;
    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final RetentionConfig retention;
    private final Clock clock;

    public SliService(RollupStore rollups, AgroalDataSource dataSource, ObjectMapper json, RetentionConfig retention, Clock clock) {
        this.rollups = rollups;
        this.dataSource = dataSource;
        this.json = json;
        this.retention = retention;
        this.clock = clock;
    }

    public SliReport report(long appId, String appName, Instant from, Instant to, String release, String flag) {
        Long releaseId = null;
        if (release != null) {
            releaseId = releaseId(appId, release);
            if (releaseId == null) {
                return new SliReport(appName, from, to, release, flag, SliSummary.of(new Rollup()), List.of());
            }
        }
        Map<Long, Cohort> cohorts = cohorts(appId);
        Rollup total = new Rollup();
        Map<String, Rollup> byCohort = new TreeMap<>();
        Map<String, Cohort> cohortOf = new HashMap<>();
        rollups.read(appId, from, to, releaseId, clock.instant().minus(retention.rawEvents()), row -> {
            total.merge(row.rollup());
            Cohort cohort = cohorts.getOrDefault(row.key().cohortId(), Cohort.NONE);
            Cohort group = flag == null ? cohort : flagGroup(cohort, flag);
            byCohort.computeIfAbsent(group.label(), k -> new Rollup()).merge(row.rollup());
            cohortOf.putIfAbsent(group.label(), group);
        });
        List<SliReport.CohortSli> perCohort = new ArrayList<>();
        byCohort.forEach((label, rollup) -> {
            Cohort cohort = cohortOf.get(label);
            String arm = flag == null ? null : armOf(cohort.isOn(flag));
            perCohort.add(new SliReport.CohortSli(label.isEmpty() ? "none" : label, cohort.flags(), arm, SliSummary.of(rollup)));
        });
        return new SliReport(appName, from, to, release, flag, SliSummary.of(total), perCohort);
    }

    /**
     * Events of clients that ran with {@code flag} on (canary) and off (control) from {@code since} on; clients without
     * the flag are left out.
     */
    public record CanaryControl(Instant since, Rollup canary, Rollup control) {
    }

    /** How far back the judge's windows start at every minute; before that, at every hour. */
    static final java.time.Duration JUDGED_BY_MINUTE = java.time.Duration.ofHours(2);

    /**
     * The judge's read of the telemetry: canary against control over [from, to), by event time, and again from each
     * later bucket boundary in it (each minute of the last two hours or more; each hour before that), so that the judge
     * can weigh what happened since then apart from what came before.
     *
     * @return the whole window first (from {@code from}'s bucket), then one element per later bucket, oldest first
     */
    public List<CanaryControl> canaryAgainstControl(long appId, String flag, Instant from, Instant to) {
        Map<Long, Cohort> cohorts = cohorts(appId);
        TreeMap<Instant, Rollup[]> buckets = new TreeMap<>();
        java.util.function.Consumer<RollupStore.Row> add = row -> {
            Boolean on = cohorts.getOrDefault(row.key().cohortId(), Cohort.NONE).isOn(flag);
            if (on != null) {
                buckets.computeIfAbsent(row.key().bucket(), b -> new Rollup[] {new Rollup(), new Rollup()})[on ? 0 : 1]
                        .merge(row.rollup());
            }
        };
        // whole hours before the recent ones as hour rows (cheap for a long step), the recent ones minute by minute
        Instant byMinute = to.minus(JUDGED_BY_MINUTE).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        if (byMinute.isAfter(from)) {
            rollups.read(appId, from, byMinute, null, clock.instant().minus(retention.rawEvents()), add);
        } else {
            byMinute = from;
        }
        rollups.readMinutes(appId, byMinute, to, add);
        Instant start = from.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        if (!buckets.isEmpty() && buckets.firstKey().isBefore(start)) {
            start = buckets.firstKey(); // older than the minute rollups' retention: read from its hour
        }
        // suffix sums, newest first: each later bucket's window is everything from it on
        List<CanaryControl> windows = new ArrayList<>();
        Rollup canary = new Rollup();
        Rollup control = new Rollup();
        for (Map.Entry<Instant, Rollup[]> bucket : buckets.descendingMap().entrySet()) {
            canary.merge(bucket.getValue()[0]);
            control.merge(bucket.getValue()[1]);
            if (bucket.getKey().isAfter(start)) {
                windows.add(new CanaryControl(bucket.getKey(), copy(canary), copy(control)));
            }
        }
        windows.add(new CanaryControl(start, canary, control));
        java.util.Collections.reverse(windows);
        return windows;
    }

    private static Rollup copy(Rollup rollup) {
        Rollup copy = new Rollup();
        copy.merge(rollup);
        return copy;
    }

    private static Cohort flagGroup(Cohort cohort, String flag) {
        Object value = cohort.flags().get(flag);
        return value == null ? Cohort.NONE : Cohort.of(Map.of(flag, value));
    }

    private static String armOf(Boolean on) {
        return on == null ? "absent" : on ? "canary" : "control";
    }

    private Long releaseId(long appId, String release) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id FROM release WHERE app_id = ? AND name = ?")) {
            select.setLong(1, appId);
            select.setString(2, release);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read releases", e);
        }
    }

    private Map<Long, Cohort> cohorts(long appId) {
        Map<Long, Cohort> cohorts = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id, flags FROM cohort WHERE app_id = ?")) {
            select.setLong(1, appId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    cohorts.put(rows.getLong(1), new Cohort(json.readValue(rows.getString(2), FLAGS)));
                }
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not read cohorts", e);
        }
        return cohorts;
    }
}

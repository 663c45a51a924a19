package dev.bellwether.telemetry;

import static dev.bellwether.telemetry.RollupColumns.KEY_COLUMNS;
import static dev.bellwether.telemetry.RollupColumns.VALUE_COLUMNS;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Rollup rows in PostgreSQL. Writers append deltas inside their event transaction; readers merge every row
 * of a series; the compactor folds deltas into one row per series and bucket.
 */
@ApplicationScoped
public class RollupStore {

    private final AgroalDataSource dataSource;
    private final RollupColumns columns;

    public RollupStore(AgroalDataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.columns = new RollupColumns(json);
    }

    /** A stored rollup of one series and bucket. */
    public record Row(RollupKey key, Rollup rollup) {
    }

    /** Appends deltas on the caller's connection, inside its transaction. */
    void append(Connection connection, Granularity granularity, Map<RollupKey, Rollup> deltas, boolean compacted)
            throws SQLException {
        String sql = "INSERT INTO " + granularity.table + " (" + KEY_COLUMNS + ", " + VALUE_COLUMNS + ", compacted) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)";
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            for (Map.Entry<RollupKey, Rollup> delta : deltas.entrySet()) {
                RollupKey key = delta.getKey();
                Rollup rollup = delta.getValue();
                int i = 1;
                insert.setLong(i++, key.appId());
                insert.setLong(i++, key.releaseId());
                insert.setLong(i++, key.cohortId());
                insert.setLong(i++, key.journeyId());
                insert.setTimestamp(i++, Timestamp.from(key.bucket()));
                i = columns.bindValues(insert, i, rollup);
                insert.setBoolean(i, compacted);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Hands every row of an app in [from, to) to {@code each}, one at a time (a 30-day window of many series need not
     * fit in memory), from hour rows where whole hours fit and minute rows at the edges.
     * Minute rows older than {@code minutesKeptSince} are gone, so such an edge is widened to its whole hour.
     */
    public void read(long appId, Instant from, Instant to, Long releaseId, Instant minutesKeptSince,
            Consumer<Row> each) {
        Instant start = from.truncatedTo(ChronoUnit.MINUTES);
        if (start.isBefore(minutesKeptSince)) {
            start = start.truncatedTo(ChronoUnit.HOURS);
        }
        Instant firstWholeHour = ceilToHour(start);
        Instant lastWholeHour = to.truncatedTo(ChronoUnit.HOURS);
        try (Connection connection = dataSource.getConnection()) {
            if (firstWholeHour.isBefore(lastWholeHour)) {
                select(connection, Granularity.MINUTE, appId, start, firstWholeHour, releaseId, each);
                select(connection, Granularity.HOUR, appId, firstWholeHour, lastWholeHour, releaseId, each);
                select(connection, Granularity.MINUTE, appId, lastWholeHour, to, releaseId, each);
            } else {
                select(connection, Granularity.MINUTE, appId, start, to, releaseId, each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read rollups", e);
        }
    }

    /** Every minute row of an app in [from, to), {@code from} truncated to its minute, whole hours included. */
    public void readMinutes(long appId, Instant from, Instant to, Consumer<Row> each) {
        try (Connection connection = dataSource.getConnection()) {
            select(connection, Granularity.MINUTE, appId, from.truncatedTo(ChronoUnit.MINUTES), to, null, each);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read rollups", e);
        }
    }

    /**
     * Folds the deltas of up to {@code maxSeries} series into one compacted row each. Safe beside writers and
     * other compactors: each row is deleted exactly once and its content re-inserted exactly once.
     *
     * @return how many series were compacted
     */
    public int compact(Granularity granularity, int maxSeries) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<RollupKey> pending = new ArrayList<>();
                // in key order, so that compactors on two replicas lock rows in the same order and cannot deadlock
                try (PreparedStatement find = connection.prepareStatement("SELECT DISTINCT " + KEY_COLUMNS + " FROM "
                        + granularity.table + " WHERE NOT compacted ORDER BY " + KEY_COLUMNS + " LIMIT ?")) {
                    find.setInt(1, maxSeries);
                    try (ResultSet keys = find.executeQuery()) {
                        while (keys.next()) {
                            pending.add(RollupColumns.key(keys));
                        }
                    }
                }
                Map<RollupKey, Rollup> merged = new HashMap<>();
                try (PreparedStatement take = connection.prepareStatement("DELETE FROM " + granularity.table
                        + " WHERE app_id = ? AND release_id = ? AND cohort_id = ? AND journey_id = ? AND bucket = ? RETURNING "
                        + KEY_COLUMNS + ", " + VALUE_COLUMNS)) {
                    for (RollupKey key : pending) {
                        take.setLong(1, key.appId());
                        take.setLong(2, key.releaseId());
                        take.setLong(3, key.cohortId());
                        take.setLong(4, key.journeyId());
                        take.setTimestamp(5, Timestamp.from(key.bucket()));
                        try (ResultSet taken = take.executeQuery()) {
                            while (taken.next()) {
                                merged.computeIfAbsent(key, k -> new Rollup()).merge(columns.rollup(taken));
                            }
                        }
                    }
                }
                append(connection, granularity, merged, true);
                connection.commit();
                return merged.size();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** A bucket of one app whose rows changed (were written or compacted). */
    public record ChangedBucket(long appId, Granularity granularity, Instant bucket) {
    }

    /**
     * Buckets with rows written by transactions that started after {@code since}, among minute buckets from
     * {@code minutesFrom} and hour buckets from {@code hoursFrom}.
     */
    public List<ChangedBucket> changedSince(Connection connection, Instant since, Instant minutesFrom, Instant hoursFrom)
            throws SQLException {
        List<ChangedBucket> buckets = new ArrayList<>();
        for (Granularity granularity : Granularity.values()) {
            try (PreparedStatement select = connection.prepareStatement("SELECT DISTINCT app_id, bucket FROM "
                    + granularity.table + " WHERE written_at > ? AND bucket >= ?")) {
                select.setTimestamp(1, Timestamp.from(since));
                select.setTimestamp(2, Timestamp.from(granularity == Granularity.MINUTE ? minutesFrom : hoursFrom));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        buckets.add(new ChangedBucket(rows.getLong(1), granularity, rows.getTimestamp(2).toInstant()));
                    }
                }
            }
        }
        return buckets;
    }

    /**
     * An app's rows merged per bucket across releases and cohorts: over every journey, and, when asked for, each journey
     * alone (by the rollups' journey id, 0 for {@code other}).
     */
    public record MergedBuckets(Map<Instant, Rollup> all, Map<Long, Map<Instant, Rollup>> byJourney) {

        /** The buckets of one journey, or of every journey for null; a journey without rows has none. */
        public Map<Instant, Rollup> of(Long journeyId) {
            return journeyId == null ? all : byJourney.getOrDefault(journeyId, Map.of());
        }
    }

    /** Every row of an app in [from, to) of one granularity, merged per bucket; per journey too when {@code perJourney}. */
    public MergedBuckets mergedBuckets(Connection connection, long appId, Granularity granularity, Instant from, Instant to,
            boolean perJourney) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + KEY_COLUMNS + ", " + VALUE_COLUMNS + " FROM "
                + granularity.table + " WHERE app_id = ? AND bucket >= ? AND bucket < ?")) {
            select.setLong(1, appId);
            select.setTimestamp(2, Timestamp.from(from));
            select.setTimestamp(3, Timestamp.from(to));
            return mergePerBucket(select, perJourney);
        }
    }

    /** Every row of an app in the given buckets of one granularity, merged per bucket; per journey too when {@code perJourney}. */
    public MergedBuckets mergedBuckets(Connection connection, long appId, Granularity granularity,
            Collection<Instant> buckets, boolean perJourney) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + KEY_COLUMNS + ", " + VALUE_COLUMNS + " FROM "
                + granularity.table + " WHERE app_id = ? AND bucket = ANY (?)")) {
            select.setLong(1, appId);
            select.setArray(2, connection.createArrayOf("timestamptz", buckets.stream().map(Timestamp::from).toArray()));
            return mergePerBucket(select, perJourney);
        }
    }

    private MergedBuckets mergePerBucket(PreparedStatement select, boolean perJourney) throws SQLException {
        Map<Instant, Rollup> merged = new HashMap<>();
        Map<Long, Map<Instant, Rollup>> byJourney = new HashMap<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                Instant bucket = rows.getTimestamp("bucket").toInstant();
                Rollup rollup = columns.rollup(rows);
                merged.computeIfAbsent(bucket, b -> new Rollup()).merge(rollup);
                if (perJourney) {
                    byJourney.computeIfAbsent(rows.getLong("journey_id"), j -> new HashMap<>())
                            .computeIfAbsent(bucket, b -> new Rollup()).merge(rollup);
                }
            }
        }
        return new MergedBuckets(merged, byJourney);
    }

    public int deleteOlderThan(Granularity granularity, Instant cutoff) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM " + granularity.table + " WHERE bucket < ?")) {
            delete.setTimestamp(1, Timestamp.from(cutoff));
            return delete.executeUpdate();
        }
    }

    private void select(Connection connection, Granularity granularity, long appId, Instant from, Instant to,
            Long releaseId, Consumer<Row> each) throws SQLException {
        if (!from.isBefore(to)) {
            return;
        }
        String sql = "SELECT " + KEY_COLUMNS + ", " + VALUE_COLUMNS + " FROM " + granularity.table
                + " WHERE app_id = ? AND bucket >= ? AND bucket < ?" + (releaseId == null ? "" : " AND release_id = ?");
        // a fetch size streams only inside a transaction; a connection of a caller's transaction already is in one
        boolean ownTransaction = connection.getAutoCommit();
        if (ownTransaction) {
            connection.setAutoCommit(false);
        }
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setFetchSize(1000);
            select.setLong(1, appId);
            select.setTimestamp(2, Timestamp.from(from));
            select.setTimestamp(3, Timestamp.from(to));
            if (releaseId != null) {
                select.setLong(4, releaseId);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    each.accept(new Row(RollupColumns.key(rows), columns.rollup(rows)));
                }
            }
        } finally {
            if (ownTransaction) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    private static Instant ceilToHour(Instant instant) {
        Instant floor = instant.truncatedTo(ChronoUnit.HOURS);
        return floor.equals(instant) ? floor : floor.plus(1, ChronoUnit.HOURS);
    }
}

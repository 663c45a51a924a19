package dev.bellwether.slo;

import dev.bellwether.telemetry.Granularity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The store of the {@code slo_count} table: each SLO's good/valid counts per bucket as of the last evaluation, so that
 * a replica starting cold reads a few rows per SLO and bucket instead of every rollup row of every series. Written in
 * the evaluation's transaction, so the counts and the {@code counted_at} they are as of commit together.
 */
final class SloCounts {

    private SloCounts() {
    }

    /** One SLO's count of one bucket. */
    record Count(long sloId, Granularity granularity, Instant bucket, GoodValid count) {
    }

    private record Key(long sloId, Granularity granularity, Instant bucket) {
    }

    /** The stored counts of the given SLOs, into a new series each (keyed by SLO id). */
    static Map<Long, SloSeries> load(Connection connection, Map<Long, SloSpec> slos) throws SQLException {
        Map<Long, SloSeries> loaded = new HashMap<>();
        slos.forEach((id, spec) -> loaded.put(id, new SloSeries(spec)));
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT slo_id, granularity, bucket, good, valid FROM slo_count WHERE slo_id = ANY (?)")) {
            select.setArray(1, connection.createArrayOf("bigint", slos.keySet().toArray()));
            select.setFetchSize(10_000);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    SloSeries series = loaded.get(rows.getLong(1));
                    Instant bucket = rows.getTimestamp(3).toInstant();
                    GoodValid count = new GoodValid(rows.getLong(4), rows.getLong(5));
                    if (granularity(rows.getString(2)) == Granularity.MINUTE) {
                        series.putMinute(bucket, count);
                    } else {
                        series.putHour(bucket, count);
                    }
                }
            }
        }
        return loaded;
    }

    /** Stores counts, replacing those of the same SLO and bucket; of two for one bucket, the later. */
    static void write(Connection connection, List<Count> written) throws SQLException {
        if (written.isEmpty()) {
            return;
        }
        // one statement may not update a row twice
        Map<Key, Count> latest = new LinkedHashMap<>();
        for (Count count : written) {
            latest.put(new Key(count.sloId(), count.granularity(), count.bucket()), count);
        }
        List<Count> counts = List.copyOf(latest.values());
        int n = counts.size();
        Long[] ids = new Long[n];
        String[] granularities = new String[n];
        Timestamp[] buckets = new Timestamp[n];
        Long[] good = new Long[n];
        Long[] valid = new Long[n];
        for (int i = 0; i < n; i++) {
            Count count = counts.get(i);
            ids[i] = count.sloId();
            granularities[i] = name(count.granularity());
            buckets[i] = Timestamp.from(count.bucket());
            good[i] = count.count().good();
            valid[i] = count.count().valid();
        }
        // one statement of arrays rather than a row per statement: a first evaluation writes every bucket of every SLO
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO slo_count (slo_id, granularity, bucket, good, valid) "
                + "SELECT * FROM unnest(?::bigint[], ?::text[], ?::timestamptz[], ?::bigint[], ?::bigint[]) "
                + "ON CONFLICT (slo_id, granularity, bucket) DO UPDATE SET good = excluded.good, valid = excluded.valid")) {
            upsert.setArray(1, connection.createArrayOf("bigint", ids));
            upsert.setArray(2, connection.createArrayOf("text", granularities));
            upsert.setArray(3, connection.createArrayOf("timestamptz", buckets));
            upsert.setArray(4, connection.createArrayOf("bigint", good));
            upsert.setArray(5, connection.createArrayOf("bigint", valid));
            upsert.executeUpdate();
        }
    }

    /** Forgets every stored count of the given SLOs (counted anew from the rollups). */
    static void forget(Connection connection, Collection<Long> sloIds) throws SQLException {
        if (sloIds.isEmpty()) {
            return;
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM slo_count WHERE slo_id = ANY (?)")) {
            delete.setArray(1, connection.createArrayOf("bigint", sloIds.toArray()));
            delete.executeUpdate();
        }
    }

    /**
     * Forgets the minute buckets before {@code minutesFrom} and, per SLO, the hour buckets before its start in
     * {@code hoursFrom}: those {@link SloSeries#prune} drops.
     */
    static void prune(Connection connection, Instant minutesFrom, Map<Long, Instant> hoursFrom) throws SQLException {
        if (hoursFrom.isEmpty()) {
            return;
        }
        Long[] ids = hoursFrom.keySet().toArray(Long[]::new);
        Timestamp[] hours = new Timestamp[ids.length];
        for (int i = 0; i < ids.length; i++) {
            hours[i] = Timestamp.from(hoursFrom.get(ids[i]));
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM slo_count c "
                + "USING unnest(?::bigint[], ?::timestamptz[]) AS p (slo_id, hours_from) "
                + "WHERE c.slo_id = p.slo_id AND ((c.granularity = 'minute' AND c.bucket < ?) "
                + "OR (c.granularity = 'hour' AND c.bucket < p.hours_from))")) {
            delete.setArray(1, connection.createArrayOf("bigint", ids));
            delete.setArray(2, connection.createArrayOf("timestamptz", hours));
            delete.setTimestamp(3, Timestamp.from(minutesFrom));
            delete.executeUpdate();
        }
    }

    private static String name(Granularity granularity) {
        return granularity.name().toLowerCase(Locale.ROOT);
    }

    private static Granularity granularity(String name) {
        return Granularity.valueOf(name.toUpperCase(Locale.ROOT));
    }
}

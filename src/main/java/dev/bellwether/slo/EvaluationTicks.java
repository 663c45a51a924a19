package dev.bellwether.slo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;

/**
 * The store of the {@code evaluation_tick} table and of the advisory lock that lets one replica at a time evaluate:
 * a tick is evaluated by whoever holds the lock and first records the tick number.
 */
final class EvaluationTicks {

    /** "bellweth" as a number: the advisory lock of SLO evaluation. */
    private static final long LOCK_KEY = 0x62656c6c77657468L;
    private static final Duration TICK_HISTORY = Duration.ofDays(7);

    private EvaluationTicks() {
    }

    /** Takes the evaluation lock for the connection's transaction, unless another replica holds it. */
    static boolean lock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK_KEY);
            try (ResultSet result = lock.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    /** Records that {@code instance} evaluates the tick; false when the tick was claimed before. */
    static boolean claim(Connection connection, long tick, String instance, Instant now) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(
                "INSERT INTO evaluation_tick (tick, instance, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            claim.setLong(1, tick);
            claim.setString(2, instance);
            claim.setTimestamp(3, Timestamp.from(now));
            return claim.executeUpdate() == 1;
        }
    }

    /** Records the tick as finished and forgets ticks older than the history kept. */
    static void finish(Connection connection, long tick, int evaluated, double millis, Instant now) throws SQLException {
        try (PreparedStatement done = connection.prepareStatement(
                "UPDATE evaluation_tick SET finished_at = ?, slos = ?, duration_ms = ? WHERE tick = ?");
                PreparedStatement prune = connection.prepareStatement("DELETE FROM evaluation_tick WHERE started_at < ?")) {
            done.setTimestamp(1, Timestamp.from(now));
            done.setInt(2, evaluated);
            done.setDouble(3, millis);
            done.setLong(4, tick);
            done.executeUpdate();
            prune.setTimestamp(1, Timestamp.from(now.minus(TICK_HISTORY)));
            prune.executeUpdate();
        }
    }

    /** Unix time (seconds) of the last finished tick of any replica; empty when none finished. */
    static OptionalDouble lastFinished(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT extract(epoch FROM max(finished_at)) FROM evaluation_tick");
                ResultSet rows = select.executeQuery()) {
            return rows.next() && rows.getObject(1) != null ? OptionalDouble.of(rows.getDouble(1)) : OptionalDouble.empty();
        }
    }
}

package dev.bellwether.platform;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Bounds how long PostgreSQL keeps a lease (the SLO evaluation lock, a rollout's row lock) for a replica that stopped
 * talking to it. A transaction's locks last until it ends, and PostgreSQL does not notice a client that is frozen but
 * still connected (a long pause of the JVM, a stopped container): {@code idle_in_transaction_session_timeout}, set
 * for the lease's transaction only, makes PostgreSQL end the session, and with it the transaction and its locks, once
 * the client has left it idle that long. Another replica then takes the lease; the frozen one, when it wakes, finds
 * its session gone at its next statement.
 */
public final class LeaseIdleLimit {

    private static final String SET = "SELECT set_config('idle_in_transaction_session_timeout', ?, true)";

    private LeaseIdleLimit() {
    }

    /** The setting {@code bellwether.lease-idle-timeout}, checked: a positive duration (zero would mean no limit at all). */
    public static Duration positive(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("bellwether.lease-idle-timeout must be positive, not " + limit);
        }
        return limit;
    }

    /** The statement that sets the limit for the current transaction; its one parameter is {@link #setting}. */
    public static String statement() {
        return SET;
    }

    /** The limit as PostgreSQL takes it: whole milliseconds, at least one (zero would mean no limit). */
    public static String setting(Duration limit) {
        return Long.toString(Math.max(1, limit.toMillis()));
    }

    /** Sets the limit for the connection's current transaction (auto-commit must be off). */
    public static void apply(Connection connection, Duration limit) throws SQLException {
        try (PreparedStatement set = connection.prepareStatement(SET)) {
            set.setString(1, setting(limit));
            try (ResultSet ignored = set.executeQuery()) {
                // set_config answers with the new value
            }
        }
    }
}

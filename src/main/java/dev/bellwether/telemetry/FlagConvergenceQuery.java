package dev.bellwether.telemetry;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * How many clients still run a flag, minute by minute, read from the raw events: for each minute, the clients active
 * in the preceding {@code activeWindowMinutes} (any beacon received), and how many of them reported the flag on.
 * A cohort counts as on unless it reported the flag false, as the SDKs report it.
 */
@ApplicationScoped
public class FlagConvergenceQuery {

    private static final String SQL = """
            WITH minutes AS (
                SELECT generate_series(date_trunc('minute', CAST(?1 AS timestamptz)), date_trunc('minute', CAST(?2 AS timestamptz)),
                                       interval '1 minute') AS m),
            flag_on AS (
                SELECT id FROM cohort WHERE app_id = ?3 AND flags ->> ?4 <> 'false'),
            seen AS (
                SELECT client, received_at, cohort_id IN (SELECT id FROM flag_on) AS on_
                FROM event WHERE app_id = ?3 AND received_at > CAST(?1 AS timestamptz) - make_interval(mins => ?5)
                  AND received_at <= CAST(?2 AS timestamptz))
            SELECT m, count(DISTINCT client), count(DISTINCT client) FILTER (WHERE on_)
            FROM minutes LEFT JOIN seen ON seen.received_at > m + interval '1 minute' - make_interval(mins => ?5)
                                      AND seen.received_at <= m + interval '1 minute'
            GROUP BY m ORDER BY m""";

    /** One minute of the curve; {@code shareOn} is null when no client was active. */
    public record Point(Instant minute, long activeClients, long reportingOn, Double shareOn) {
    }

    private final EntityManager entities;

    public FlagConvergenceQuery(EntityManager entities) {
        this.entities = entities;
    }

    /** Every minute from {@code from}'s to {@code to}'s, oldest first. */
    public List<Point> perMinute(long appId, String flag, Instant from, Instant to, int activeWindowMinutes) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entities.createNativeQuery(SQL)
                .setParameter(1, Timestamp.from(from))
                .setParameter(2, Timestamp.from(to))
                .setParameter(3, appId)
                .setParameter(4, flag)
                .setParameter(5, activeWindowMinutes)
                .getResultList();
        return rows.stream().map(row -> {
            long active = ((Number) row[1]).longValue();
            long on = ((Number) row[2]).longValue();
            return new Point(instant(row[0]), active, on, active == 0 ? null : (double) on / active);
        }).toList();
    }

    /** The driver's type for a timestamptz column depends on its version and settings. */
    private static Instant instant(Object value) {
        return value instanceof Instant instant ? instant
                : value instanceof Timestamp timestamp ? timestamp.toInstant() : ((OffsetDateTime) value).toInstant();
    }
}

package dev.bellwether.telemetry;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The store of the {@code event} table. Exactly once comes from its primary key: an insert that conflicts is a
 * duplicate, and only inserted events reach the rollups, in the same transaction.
 */
@ApplicationScoped
public class EventStore {

    private static final String INSERT_EVENTS =
            "INSERT INTO event (app_id, client, event_id, at, release_id, cohort_id, type) "
                    + "SELECT app_id, client, event_id, at::timestamptz, release_id, cohort_id, type "
                    + "FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[]) "
                    + "AS e(app_id, client, event_id, at, release_id, cohort_id, type) "
                    + "ON CONFLICT DO NOTHING RETURNING app_id, client, event_id";

    private static final String COPY_EVENTS = "COPY event (app_id, client, event_id, at, release_id, cohort_id, type) FROM STDIN";

    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * For each minute, the clients active in the {@code activeWindowMinutes} before its end (any beacon received) and
     * how many of them reported the flag on. A cohort counts as on unless it reported the flag false, as SDKs do.
     */
    private static final String CLIENTS_REPORTING_FLAG = """
            WITH minutes AS (
                SELECT generate_series(date_trunc('minute', CAST(? AS timestamptz)), date_trunc('minute', CAST(? AS timestamptz)),
                                       interval '1 minute') AS m),
            flag_on AS (
                SELECT id FROM cohort WHERE app_id = ? AND flags ->> ? <> 'false'),
            seen AS (
                SELECT client, received_at, cohort_id IN (SELECT id FROM flag_on) AS on_
                FROM event WHERE app_id = ? AND received_at > CAST(? AS timestamptz) - make_interval(mins => ?)
                  AND received_at <= CAST(? AS timestamptz))
            SELECT m, count(DISTINCT client), count(DISTINCT client) FILTER (WHERE on_)
            FROM minutes LEFT JOIN seen ON seen.received_at > m + interval '1 minute' - make_interval(mins => ?)
                                      AND seen.received_at <= m + interval '1 minute'
            GROUP BY m ORDER BY m""";

    /** One minute of a flag's convergence; {@code shareOn} is null when no client was active. */
    public record FlagMinute(Instant minute, long activeClients, long reportingOn, @Schema(nullable = true) Double shareOn) {
    }

    /** What identifies an event: a client's event id, unique per app. */
    public record Key(long appId, String client, String eventId) {
    }

    /**
     * An event to store, with the release and cohort its client ran, and for a replay the journey its mutation maps
     * to (0 for any other event, and for a replay of journey "other").
     */
    public record NewEvent(Key key, long releaseId, long cohortId, long journeyId, TelemetryEvent event) {
    }

    private final AgroalDataSource dataSource;
    private final RollupStore rollups;
    private final boolean copyFirst;

    public EventStore(AgroalDataSource dataSource, RollupStore rollups,
            @ConfigProperty(name = "bellwether.event-store.copy-first") boolean copyFirst) {
        this.dataSource = dataSource;
        this.rollups = rollups;
        this.copyFirst = copyFirst;
    }

    /**
     * Inserts the events and adds those inserted to the rollups, in one transaction: all or nothing.
     *
     * @param events unique, in key order, so that concurrent writers lock rows in the same order and cannot deadlock
     * @return the events inserted, in their order (the list given when all were); the others were stored before
     */
    public List<NewEvent> store(List<NewEvent> events) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<NewEvent> inserted = insert(connection, events);
                RollupDeltas deltas = new RollupDeltas();
                for (NewEvent event : inserted) {
                    deltas.add(event.key().appId(), event.releaseId(), event.cohortId(), event.journeyId(), event.event());
                }
                rollups.append(connection, Granularity.MINUTE, deltas.of(Granularity.MINUTE), false);
                rollups.append(connection, Granularity.HOUR, deltas.of(Granularity.HOUR), false);
                connection.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * How many clients still run a flag, minute by minute from {@code from}'s minute to {@code to}'s, read from the
     * raw events by arrival (a kill's convergence is about what clients do now, not when their events happened).
     */
    public List<FlagMinute> clientsReportingFlag(long appId, String flag, Instant from, Instant to,
            int activeWindowMinutes) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(CLIENTS_REPORTING_FLAG)) {
            Timestamp since = Timestamp.from(from);
            Timestamp until = Timestamp.from(to);
            query.setTimestamp(1, since);
            query.setTimestamp(2, until);
            query.setLong(3, appId);
            query.setString(4, flag);
            query.setLong(5, appId);
            query.setTimestamp(6, since);
            query.setInt(7, activeWindowMinutes);
            query.setTimestamp(8, until);
            query.setInt(9, activeWindowMinutes);
            List<FlagMinute> minutes = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long active = rows.getLong(2);
                    long on = rows.getLong(3);
                    minutes.add(new FlagMinute(rows.getObject(1, OffsetDateTime.class).toInstant(), active, on,
                            active == 0 ? null : (double) on / active));
                }
            }
            return minutes;
        }
    }

    /**
     * Most batches hold no duplicate, and {@code COPY} writes them without the speculative insertion that
     * {@code ON CONFLICT} logs for every row. A batch with a duplicate fails the {@code COPY} as a whole; it is then
     * written again by {@code INSERT … ON CONFLICT DO NOTHING}, which tells which events were new.
     */
    private List<NewEvent> insert(Connection connection, List<NewEvent> events) throws SQLException {
        if (copyFirst) {
            try {
                copy(connection, events);
                return events;
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // the COPY is the transaction's first statement, so rolling back loses nothing else
                connection.rollback();
            }
        }
        return upsert(connection, events);
    }

    private static void copy(Connection connection, List<NewEvent> events) throws SQLException {
        CopyLines rows = new CopyLines(events.size() * 96);
        for (NewEvent event : events) {
            rows.number(event.key().appId()).tab().text(event.key().client()).tab().text(event.key().eventId()).tab()
                    .timestamp(event.event().at()).tab().number(event.releaseId()).tab().number(event.cohortId()).tab()
                    .text(event.event().type()).endOfRow();
        }
        // CopyManager.copyIn(sql, InputStream) would read them through a new 64 KiB buffer for every batch
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_EVENTS);
        try {
            rows.writeTo(copy);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private List<NewEvent> upsert(Connection connection, List<NewEvent> events) throws SQLException {
        int n = events.size();
        Long[] appIds = new Long[n];
        String[] clients = new String[n];
        String[] eventIds = new String[n];
        String[] ats = new String[n];
        Long[] releaseIds = new Long[n];
        Long[] cohortIds = new Long[n];
        String[] types = new String[n];
        for (int i = 0; i < n; i++) {
            NewEvent event = events.get(i);
            appIds[i] = event.key().appId();
            clients[i] = event.key().client();
            eventIds[i] = event.key().eventId();
            ats[i] = event.event().at().toString();
            releaseIds[i] = event.releaseId();
            cohortIds[i] = event.cohortId();
            types[i] = event.event().type();
        }
        Set<Key> inserted = new HashSet<>();
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENTS)) {
            Array[] arrays = {
                connection.createArrayOf("bigint", appIds), connection.createArrayOf("text", clients),
                connection.createArrayOf("text", eventIds), connection.createArrayOf("text", ats),
                connection.createArrayOf("bigint", releaseIds), connection.createArrayOf("bigint", cohortIds),
                connection.createArrayOf("text", types)};
            for (int i = 0; i < arrays.length; i++) {
                insert.setArray(i + 1, arrays[i]);
            }
            try (ResultSet returned = insert.executeQuery()) {
                while (returned.next()) {
                    inserted.add(new Key(returned.getLong(1), returned.getString(2), returned.getString(3)));
                }
            }
        }
        return events.stream().filter(event -> inserted.contains(event.key())).toList();
    }
}

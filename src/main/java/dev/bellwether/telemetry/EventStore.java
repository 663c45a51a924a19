package dev.bellwether.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The store of the {@code event} table. Exactly once comes from its primary key: an insert that conflicts is a
 * duplicate, and only inserted events reach the rollups, in the same transaction.
 */
@ApplicationScoped
public class EventStore {

    private static final String INSERT_EVENTS =
            "INSERT INTO event (app_id, client, event_id, at, release_id, cohort_id, type, body) "
                    + "SELECT app_id, client, event_id, at::timestamptz, release_id, cohort_id, type, body::jsonb "
                    + "FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) "
                    + "AS e(app_id, client, event_id, at, release_id, cohort_id, type, body) "
                    + "ON CONFLICT DO NOTHING RETURNING app_id, client, event_id";

    /** What identifies an event: a client's event id, unique per app. */
    public record Key(long appId, String client, String eventId) {
    }

    /** An event to store, with the release and cohort its client ran. */
    public record NewEvent(Key key, long releaseId, long cohortId, TelemetryEvent event) {
    }

    private final AgroalDataSource dataSource;
    private final RollupStore rollups;
    private final ObjectMapper json;

    public EventStore(AgroalDataSource dataSource, RollupStore rollups, ObjectMapper json) {
        this.dataSource = dataSource;
        this.rollups = rollups;
        this.json = json;
    }

    /**
     * Inserts the events and adds those inserted to the rollups, in one transaction: all or nothing.
     *
     * @param events unique, in key order, so that concurrent writers lock rows in the same order and cannot deadlock
     * @return the keys of the events inserted; the others were stored before
     */
    public Set<Key> store(List<NewEvent> events) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Set<Key> inserted = insert(connection, events);
                RollupDeltas deltas = new RollupDeltas();
                for (NewEvent event : events) {
                    if (inserted.contains(event.key())) {
                        deltas.add(event.key().appId(), event.releaseId(), event.cohortId(), event.event());
                    }
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

    /** Deletes up to {@code limit} events older than {@code cutoff} by event time; returns how many. */
    public int deleteBefore(Instant cutoff, int limit) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM event WHERE ctid IN (SELECT ctid FROM event WHERE at < ? LIMIT " + limit + ")")) {
            delete.setTimestamp(1, Timestamp.from(cutoff));
            return delete.executeUpdate();
        }
    }

    private Set<Key> insert(Connection connection, List<NewEvent> events) throws SQLException {
        int n = events.size();
        Long[] appIds = new Long[n];
        String[] clients = new String[n];
        String[] eventIds = new String[n];
        String[] ats = new String[n];
        Long[] releaseIds = new Long[n];
        Long[] cohortIds = new Long[n];
        String[] types = new String[n];
        String[] bodies = new String[n];
        for (int i = 0; i < n; i++) {
            NewEvent event = events.get(i);
            appIds[i] = event.key().appId();
            clients[i] = event.key().client();
            eventIds[i] = event.key().eventId();
            ats[i] = event.event().at().toString();
            releaseIds[i] = event.releaseId();
            cohortIds[i] = event.cohortId();
            types[i] = event.event().type();
            bodies[i] = body(event.event());
        }
        Set<Key> inserted = new HashSet<>();
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENTS)) {
            Array[] arrays = {
                connection.createArrayOf("bigint", appIds), connection.createArrayOf("text", clients),
                connection.createArrayOf("text", eventIds), connection.createArrayOf("text", ats),
                connection.createArrayOf("bigint", releaseIds), connection.createArrayOf("bigint", cohortIds),
                connection.createArrayOf("text", types), connection.createArrayOf("text", bodies)};
            for (int i = 0; i < arrays.length; i++) {
                insert.setArray(i + 1, arrays[i]);
            }
            try (ResultSet returned = insert.executeQuery()) {
                while (returned.next()) {
                    inserted.add(new Key(returned.getLong(1), returned.getString(2), returned.getString(3)));
                }
            }
        }
        return inserted;
    }

    private String body(TelemetryEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event record could not be written as JSON", e);
        }
    }
}

package dev.bellwether.journey;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code journey} table. Changes of one app are serialized by locking its {@code app} row, so the bound of
 * journeys and the rule that two journeys share no pattern hold under concurrent requests and replicas.
 */
@ApplicationScoped
public class JourneyStore {

    /** What a put did: the journey as stored, and whether it is new (or declared again after removal). */
    public record Saved(Journey journey, boolean created) {
    }

    private final AgroalDataSource dataSource;

    public JourneyStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every journey of the app, removed ones included, by name. */
    public AppJourneys load(long appId) {
        try (Connection connection = dataSource.getConnection()) {
            return AppJourneys.of(select(connection, appId));
        } catch (SQLException e) {
            throw new IllegalStateException("could not read journeys", e);
        }
    }

    /**
     * Declares or replaces a journey. A journey last changed through the API is not replaced from the catalog.
     *
     * @return empty when {@code source} is the catalog and the API changed the journey since
     * @throws InvalidJourneyException for a journey beyond the app's bound or a pattern another journey has
     */
    public Optional<Saved> put(long appId, JourneySpec spec, String source) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection connection = dataSource.getConnection()) {
                lockApp(connection, appId);
                List<Journey> journeys = select(connection, appId);
                Journey existing = journeys.stream().filter(j -> j.name().equals(spec.name())).findFirst().orElse(null);
                if (existing != null && !existing.removed() && "catalog".equals(source) && "api".equals(existing.source())) {
                    return Optional.empty();
                }
                List<Journey> others = journeys.stream().filter(j -> !j.removed() && !j.name().equals(spec.name())).toList();
                if (others.size() >= JourneySpec.MAX_JOURNEYS_PER_APP) {
                    throw InvalidJourneyException.conflict("name", "the app has " + others.size() + " journeys, as many as it may have ("
                            + JourneySpec.MAX_JOURNEYS_PER_APP + "); remove one first");
                }
                Optional<String> shared = JourneyMatcher.sharedPattern(spec.mutations(), others.stream().map(Journey::mutations).toList());
                if (shared.isPresent()) {
                    String owner = others.stream().filter(j -> j.mutations().contains(shared.get())).findFirst().orElseThrow().name();
                    throw InvalidJourneyException.conflict("mutations[" + spec.mutations().indexOf(shared.get()) + "]",
                            "'" + shared.get() + "' belongs to journey '" + owner + "' already; a pattern may belong to one journey only");
                }
                boolean unchanged = existing != null && !existing.removed() && existing.spec().equals(spec)
                        && existing.source().equals(source);
                if (unchanged) {
                    return Optional.of(new Saved(existing, false));
                }
                try (PreparedStatement upsert = connection.prepareStatement(
                        "INSERT INTO journey (app_id, name, mutations, criticality, source) VALUES (?, ?, ?, ?, ?) "
                                + "ON CONFLICT (app_id, name) DO UPDATE SET mutations = excluded.mutations, "
                                + "criticality = excluded.criticality, source = excluded.source, updated_at = now(), removed_at = NULL")) {
                    upsert.setLong(1, appId);
                    upsert.setString(2, spec.name());
                    upsert.setArray(3, connection.createArrayOf("text", spec.mutations().toArray()));
                    upsert.setString(4, spec.criticality().wireName());
                    upsert.setString(5, source);
                    upsert.executeUpdate();
                }
                Journey saved = select(connection, appId).stream().filter(j -> j.name().equals(spec.name())).findFirst().orElseThrow();
                return Optional.of(new Saved(saved, existing == null || existing.removed()));
            }
        });
    }

    /**
     * Removes a journey from the mapping of later replays; its rollups keep its name. False when there was none.
     *
     * @throws InvalidJourneyException (a conflict) while an SLO counts the journey's replays: removing it would
     *         silence that SLO, which would stop alerting for the action it watches
     */
    public boolean remove(long appId, String name) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection connection = dataSource.getConnection()) {
                // the app's lock orders this against an SLO being put on the journey (SloRegistry.put takes it too)
                lockApp(connection, appId);
                List<String> slos = slosCounting(connection, appId, name);
                if (!slos.isEmpty()) {
                    throw InvalidJourneyException.conflict("name", "'" + name + "' is counted by the SLOs " + String.join(", ", slos)
                            + "; delete them or put them on another journey first, so that no SLO goes silent");
                }
                try (PreparedStatement remove = connection.prepareStatement("UPDATE journey SET removed_at = now(), updated_at = now() "
                        + "WHERE app_id = ? AND name = ? AND removed_at IS NULL")) {
                    remove.setLong(1, appId);
                    remove.setString(2, name);
                    return remove.executeUpdate() == 1;
                }
            }
        });
    }

    private static List<String> slosCounting(Connection connection, long appId, String journey) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT name FROM slo WHERE app_id = ? AND journey = ? ORDER BY name")) {
            select.setLong(1, appId);
            select.setString(2, journey);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }

    private static void lockApp(Connection connection, long appId) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT id FROM app WHERE id = ? FOR UPDATE")) {
            lock.setLong(1, appId);
            lock.executeQuery().close();
        }
    }

    private static List<Journey> select(Connection connection, long appId) throws SQLException {
        List<Journey> journeys = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT id, name, mutations, criticality, source, "
                + "updated_at, removed_at FROM journey WHERE app_id = ? ORDER BY name")) {
            select.setLong(1, appId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Array mutations = rows.getArray(3);
                    journeys.add(new Journey(rows.getLong(1), rows.getString(2),
                            List.copyOf(Arrays.asList((String[]) mutations.getArray())), Criticality.fromWire(rows.getString(4)),
                            rows.getString(5), rows.getObject(6, OffsetDateTime.class), rows.getObject(7, OffsetDateTime.class)));
                }
            }
        }
        return journeys;
    }
}

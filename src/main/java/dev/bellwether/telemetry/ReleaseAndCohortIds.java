package dev.bellwether.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * The store of the {@code release} and {@code cohort} tables. Ingest gets their ids, created on first sight and
 * cached (they never change once made); the read side looks them up.
 */
@ApplicationScoped
public class ReleaseAndCohortIds {

    private static final TypeReference<TreeMap<String, Object>> FLAGS = new TypeReference<>() {
    };

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final AsyncCache<String, Long> ids;

    /** @param lookups where a cache miss writes to the database, so that callers on an I/O thread never block */
    public ReleaseAndCohortIds(AgroalDataSource dataSource, ObjectMapper json, ManagedExecutor lookups) {
        this.dataSource = dataSource;
        this.json = json;
        this.ids = Caffeine.newBuilder().maximumSize(100_000).executor(lookups).buildAsync();
    }

    /**
     * @param limit how many releases the app may have; a new one beyond them fails with {@link DimensionLimitReached}
     *     (concurrent first sightings may pass it by a few, which bounds it all the same)
     */
    public CompletableFuture<Long> releaseId(long appId, String release, int limit) {
        return ids.get("r:" + appId + ":" + release, k -> upsert(
                "WITH made AS (INSERT INTO release (app_id, name) SELECT ?, ? "
                        + "WHERE (SELECT count(*) FROM release WHERE app_id = ?) < ? ON CONFLICT DO NOTHING RETURNING id) "
                        + "SELECT id FROM made UNION ALL SELECT id FROM release WHERE app_id = ? AND name = ?",
                appId, release, null, limit));
    }

    /** @param limit as for {@link #releaseId}, of the app's cohorts */
    public CompletableFuture<Long> cohortId(long appId, Cohort cohort, int limit) {
        String label = cohort.label();
        return ids.get("c:" + appId + ":" + label, k -> upsert(
                "WITH made AS (INSERT INTO cohort (app_id, label, flags) SELECT ?, ?, ?::jsonb "
                        + "WHERE (SELECT count(*) FROM cohort WHERE app_id = ?) < ? ON CONFLICT DO NOTHING RETURNING id) "
                        + "SELECT id FROM made UNION ALL SELECT id FROM cohort WHERE app_id = ? AND label = ?",
                appId, label, cohort, limit));
    }

    /** The id of a release the app has sent events of; null when it has sent none. */
    public Long existingReleaseId(long appId, String release) {
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

    /** Every release of an app: its name by id. */
    public Map<Long, String> releases(long appId) {
        Map<Long, String> releases = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id, name FROM release WHERE app_id = ?")) {
            select.setLong(1, appId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    releases.put(rows.getLong(1), rows.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read releases", e);
        }
        return releases;
    }

    /** Every cohort of an app, by id. */
    public Map<Long, Cohort> cohorts(long appId) {
        Map<Long, Cohort> cohorts = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id, flags FROM cohort WHERE app_id = ?")) {
            select.setLong(1, appId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    cohorts.put(rows.getLong(1), new Cohort(json.readValue(rows.getString(2), FLAGS)));
                }
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("could not read cohorts", e);
        }
        return cohorts;
    }

    /**
     * Returns the id, made now or before. Retries once: a twin made concurrently is invisible to the first try; found
     * neither time, the name was not made because the app is at its limit.
     */
    private long upsert(String sql, long appId, String name, Cohort cohort, int limit) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Long id = tryUpsert(sql, appId, name, cohort, limit);
            if (id != null) {
                return id;
            }
        }
        throw cohort == null
                ? new DimensionLimitReached(DimensionLimitReached.Dimension.RELEASE,
                        "the app has " + limit + " releases, as many as it may have; release '" + name + "' is new")
                : new DimensionLimitReached(DimensionLimitReached.Dimension.COHORT,
                        "the app has " + limit + " cohorts (sets of flag states), as many as it may have; flags {" + name + "} are new");
    }

    private Long tryUpsert(String sql, long appId, String name, Cohort cohort, int limit) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 1;
            statement.setLong(i++, appId);
            statement.setString(i++, name);
            if (cohort != null) {
                statement.setString(i++, json.writeValueAsString(cohort.flags()));
            }
            statement.setLong(i++, appId);
            statement.setInt(i++, limit);
            statement.setLong(i++, appId);
            statement.setString(i, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : null;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new StorageUnavailableException("could not register a release or cohort", e);
        }
    }
}

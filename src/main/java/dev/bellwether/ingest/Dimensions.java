package dev.bellwether.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import dev.bellwether.telemetry.Cohort;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.context.ManagedExecutor;

/** Ids of releases and cohorts, created on first sight and cached: they never change once made. */
@ApplicationScoped
public class Dimensions {

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final AsyncCache<String, Long> ids;

    /** @param lookups where a cache miss writes to the database, so that callers on an I/O thread never block */
    public Dimensions(AgroalDataSource dataSource, ObjectMapper json, ManagedExecutor lookups) {
        this.dataSource = dataSource;
        this.json = json;
        this.ids = Caffeine.newBuilder().maximumSize(100_000).executor(lookups).buildAsync();
    }

    public CompletableFuture<Long> releaseId(long appId, String release) {
        return ids.get("r:" + appId + ":" + release, k -> upsert(
                "WITH made AS (INSERT INTO release (app_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id) "
                        + "SELECT id FROM made UNION ALL SELECT id FROM release WHERE app_id = ? AND name = ?",
                appId, release, null));
    }

    public CompletableFuture<Long> cohortId(long appId, Cohort cohort) {
        String label = cohort.label();
        return ids.get("c:" + appId + ":" + label, k -> upsert(
                "WITH made AS (INSERT INTO cohort (app_id, label, flags) VALUES (?, ?, ?::jsonb) ON CONFLICT DO NOTHING RETURNING id) "
                        + "SELECT id FROM made UNION ALL SELECT id FROM cohort WHERE app_id = ? AND label = ?",
                appId, label, cohort));
    }

    /** Returns the id, made now or before. Retries once: a twin made concurrently is invisible to the first try. */
    private long upsert(String sql, long appId, String name, Cohort cohort) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Long id = tryUpsert(sql, appId, name, cohort);
            if (id != null) {
                return id;
            }
        }
        throw new IngestUnavailableException("could not register '" + name + "'", null);
    }

    private Long tryUpsert(String sql, long appId, String name, Cohort cohort) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 1;
            statement.setLong(i++, appId);
            statement.setString(i++, name);
            if (cohort != null) {
                statement.setString(i++, json.writeValueAsString(cohort.flags()));
            }
            statement.setLong(i++, appId);
            statement.setString(i, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : null;
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IngestUnavailableException("could not register a release or cohort", e);
        }
    }
}

package dev.bellwether.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.telemetry.TelemetryEvent.ConflictResolution;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;

/** How a {@link Rollup} maps to the columns of a rollup table, both ways; {@link RollupStore} says which rows. */
final class RollupColumns {

    static final String KEY_COLUMNS = "app_id, release_id, cohort_id, journey_id, bucket";
    static final String VALUE_COLUMNS = "replay_succeeded, replay_retried, replay_dead_lettered, replay_conflicted, "
            + "replay_first_attempts, replay_repeat_failures, replay_latency, "
            + "conflict_auto_merged, conflict_user_resolved, conflict_server_wins, conflict_client_wins, conflict_unresolved, "
            + "sync_latency, staleness, outbox_depth, outbox_oldest_age_max, migrations";
    private static final TypeReference<Map<String, long[]>> MIGRATIONS = new TypeReference<>() {
    };

    private final ObjectMapper json;

    RollupColumns(ObjectMapper json) {
        this.json = json;
    }

    /** Binds the {@link #VALUE_COLUMNS} from parameter {@code i} on; returns the next parameter's index. */
    int bindValues(PreparedStatement statement, int i, Rollup rollup) throws SQLException {
        for (ReplayOutcome outcome : ReplayOutcome.values()) {
            statement.setLong(i++, rollup.replays(outcome));
        }
        statement.setLong(i++, rollup.firstAttempts());
        statement.setLong(i++, rollup.repeatFailures());
        statement.setBytes(i++, encode(rollup.replayLatency()));
        for (ConflictResolution resolution : ConflictResolution.values()) {
            statement.setLong(i++, rollup.conflicts(resolution));
        }
        statement.setBytes(i++, encode(rollup.syncLatency()));
        statement.setBytes(i++, encode(rollup.staleness()));
        statement.setBytes(i++, encode(rollup.outboxDepth()));
        if (rollup.outboxOldestAgeMax() == null) {
            statement.setNull(i++, Types.BIGINT);
        } else {
            statement.setLong(i++, rollup.outboxOldestAgeMax());
        }
        statement.setString(i++, writeMigrations(rollup));
        return i;
    }

    static RollupKey key(ResultSet row) throws SQLException {
        return new RollupKey(row.getLong("app_id"), row.getLong("release_id"), row.getLong("cohort_id"),
                row.getLong("journey_id"), row.getTimestamp("bucket").toInstant());
    }

    Rollup rollup(ResultSet row) throws SQLException {
        Rollup rollup = new Rollup();
        rollup.replays[ReplayOutcome.SUCCEEDED.ordinal()] = row.getLong("replay_succeeded");
        rollup.replays[ReplayOutcome.RETRIED.ordinal()] = row.getLong("replay_retried");
        rollup.replays[ReplayOutcome.DEAD_LETTERED.ordinal()] = row.getLong("replay_dead_lettered");
        rollup.replays[ReplayOutcome.CONFLICTED.ordinal()] = row.getLong("replay_conflicted");
        rollup.firstAttempts = row.getLong("replay_first_attempts");
        rollup.repeatFailures = row.getLong("replay_repeat_failures");
        rollup.replayLatency = decode(row.getBytes("replay_latency"));
        rollup.conflicts[ConflictResolution.AUTO_MERGED.ordinal()] = row.getLong("conflict_auto_merged");
        rollup.conflicts[ConflictResolution.USER_RESOLVED.ordinal()] = row.getLong("conflict_user_resolved");
        rollup.conflicts[ConflictResolution.SERVER_WINS.ordinal()] = row.getLong("conflict_server_wins");
        rollup.conflicts[ConflictResolution.CLIENT_WINS.ordinal()] = row.getLong("conflict_client_wins");
        rollup.conflicts[ConflictResolution.UNRESOLVED.ordinal()] = row.getLong("conflict_unresolved");
        rollup.syncLatency = decode(row.getBytes("sync_latency"));
        rollup.staleness = decode(row.getBytes("staleness"));
        rollup.outboxDepth = decode(row.getBytes("outbox_depth"));
        long oldestAge = row.getLong("outbox_oldest_age_max");
        rollup.outboxOldestAgeMax = row.wasNull() ? null : oldestAge;
        try {
            rollup.migrations.putAll(json.readValue(row.getString("migrations"), MIGRATIONS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt migrations column", e);
        }
        return rollup;
    }

    private String writeMigrations(Rollup rollup) {
        try {
            return json.writeValueAsString(rollup.migrations());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encode(Distribution distribution) {
        return distribution == null || distribution.isEmpty() ? null : distribution.encode();
    }

    private static Distribution decode(byte[] bytes) {
        return bytes == null ? null : Distribution.decode(bytes);
    }
}

package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.telemetry.EventStore.Key;
import dev.bellwether.telemetry.EventStore.NewEvent;
import dev.bellwether.telemetry.TelemetryEvent.ReplayOutcome;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The store's own write path: a batch without duplicates goes in by COPY, one with a duplicate falls back to
 * INSERT … ON CONFLICT; either way each event is stored and counted in the rollups once, in one transaction.
 */
@QuarkusTest
class EventStoreTest {

    @Inject
    EventStore store;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aBatchWithADuplicateStoresTheOthersExactlyOnceWithTheirRollups() throws Exception {
        long app = unusedAppId();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);

        assertThat(store.store(batch(app, at, "c-1", "a", "b"))).extracting(NewEvent::key).containsExactlyInAnyOrder(key(app, "c-1", "a"), key(app, "c-1", "b"));
        assertThat(store.store(batch(app, at, "c-1", "b", "c", "d"))).extracting(NewEvent::key).as("b was stored before")
                .containsExactlyInAnyOrder(key(app, "c-1", "c"), key(app, "c-1", "d"));
        assertThat(store.store(batch(app, at, "c-1", "a", "b", "c", "d"))).isEmpty();

        assertThat(count(app, "SELECT count(*) FROM event WHERE app_id = ?")).isEqualTo(4);
        assertThat(count(app, "SELECT sum(replay_succeeded) FROM rollup_minute WHERE app_id = ?")).isEqualTo(4);
        assertThat(count(app, "SELECT sum(replay_succeeded) FROM rollup_hour WHERE app_id = ?")).isEqualTo(4);
    }

    @Test
    void identitiesWithCopysSpecialCharactersAreStoredAsSentAndAResendIsADuplicate() throws Exception {
        long app = unusedAppId();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<NewEvent> events = batch(app, at, "tab\there\\N", "line\nbreak", "back\\slash", "carriage\rreturn", "é✓\\t");

        assertThat(store.store(events)).hasSize(4);
        assertThat(count(app, "SELECT count(*) FROM event WHERE app_id = ? AND client = E'tab\\there\\\\N'"
                + " AND event_id IN (E'line\\nbreak', E'back\\\\slash', E'carriage\\rreturn', E'é✓\\\\t')")).isEqualTo(4);
        assertThat(store.store(events)).isEmpty();
        assertThat(count(app, "SELECT sum(replay_succeeded) FROM rollup_minute WHERE app_id = ?")).isEqualTo(4);
    }

    /** Replays that succeeded, of one client, in key order as the store requires. */
    private static List<NewEvent> batch(long app, Instant at, String client, String... ids) {
        return java.util.Arrays.stream(ids).sorted(Comparator.naturalOrder())
                .map(id -> new NewEvent(key(app, client, id), 1, 1, 0,
                        new TelemetryEvent.Replay(id, at, "note.update", ReplayOutcome.SUCCEEDED, 1, 100.0)))
                .toList();
    }

    private static Key key(long app, String client, String id) {
        return new Key(app, client, id);
    }

    /** Rollups and events need no app row: an id no fixture uses keeps this test's rows apart. */
    private static long unusedAppId() {
        return ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
    }

    private long count(long app, String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setLong(1, app);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}

package dev.bellwether.telemetry;

import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EventPartitionsTest {

    @Inject
    EventPartitions partitions;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RetentionConfig retention;

    @Test
    void aResendIsADuplicateOnEitherSideOfADayBoundary() throws Exception {
        String app = createApp("partition-edge");
        String key = ingestKey(app);
        Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS);
        List<String> events = List.of(sync("last-of-day", midnight.minusNanos(1_000), 10, 0),
                sync("first-of-day", midnight, 10, 0));
        String body = beacon(app, "c-1", Map.of(), events);

        postBeacon(key, body).then().statusCode(202).body("accepted", equalTo(2)).body("duplicates", equalTo(0));
        partitions.maintain(Instant.now());
        postBeacon(key, body).then().statusCode(202).body("accepted", equalTo(0)).body("duplicates", equalTo(2));

        assertThat(partitionsHolding(app)).containsExactly(
                PartitionPlan.day(java.time.LocalDate.ofInstant(midnight.minusSeconds(1), java.time.ZoneOffset.UTC)).name(),
                PartitionPlan.day(java.time.LocalDate.ofInstant(midnight, java.time.ZoneOffset.UTC)).name());
    }

    @Test
    void theOldestAcceptableEventKeepsItsIdentityThroughTheRetentionSweep() throws Exception {
        String app = createApp("partition-oldest");
        String key = ingestKey(app);
        String body = beacon(app, "c-1", Map.of(),
                List.of(sync("oldest", Instant.now().minus(retention.rawEvents()).plus(Duration.ofMinutes(1)), 10, 0)));

        postBeacon(key, body).then().statusCode(202).body("accepted", equalTo(1));
        partitions.maintain(Instant.now());
        postBeacon(key, body).then().statusCode(202).body("accepted", equalTo(0)).body("duplicates", equalTo(1));
    }

    @Test
    void anEventOlderThanWhatCanBeAcceptedIsRefusedWithItsReason() {
        String app = createApp("partition-expired");
        String body = beacon(app, "c-1", Map.of(),
                List.of(sync("too-old", Instant.now().minus(retention.rawEvents()).minusSeconds(60), 10, 0)));

        postBeacon(ingestKey(app), body).then().statusCode(202).body("accepted", equalTo(0))
                .body("rejected[0].code", equalTo("expired_timestamp"))
                .body("rejected[0].reason", containsString("older than the retention of " + retention.rawEvents().toDays() + " days"));
    }

    @Test
    void retentionDropsWholeExpiredPartitionsAndKeepsEveryAcceptableDay() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE IF NOT EXISTS event_p20000101 PARTITION OF event "
                    + "FOR VALUES FROM ('2000-01-01T00:00:00Z') TO ('2000-01-02T00:00:00Z')");
            sql.execute("INSERT INTO event (app_id, client, event_id, at, release_id, cohort_id, type) "
                    + "VALUES (0, 'c', 'expired', '2000-01-01T12:00:00Z', 0, 0, 'sync')");
        }
        Instant now = Instant.now();

        EventPartitions.Upkeep upkeep = partitions.maintain(now);

        assertThat(upkeep.dropped()).contains("event_p20000101");
        List<PartitionPlan.Partition> left = partitions.list();
        assertThat(left).extracting(PartitionPlan.Partition::name).doesNotContain("event_p20000101");
        assertThat(PartitionPlan.toCreate(left, now.minus(retention.rawEvents()), now.plus(EventPartitions.AHEAD)))
                .as("every day an event can be accepted for has its partition").isEmpty();
        assertThat(PartitionPlan.toDrop(left, partitions.keepFrom(now))).isEmpty();
    }

    private List<String> partitionsHolding(String app) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT e.tableoid::regclass::text FROM event e "
                        + "JOIN app a ON a.id = e.app_id WHERE a.name = ? ORDER BY e.at")) {
            query.setString(1, app);
            List<String> names = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        }
    }
}

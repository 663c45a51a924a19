package dev.bellwether.telemetry;

import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.sli;
import static dev.bellwether.support.Fixtures.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MetricsAndMaintenanceTest {

    @Inject
    RollupMaintenance maintenance;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void slisAndIngestHealthAreExportedToPrometheus() {
        String app = createApp("metrics");
        String key = ingestKey(app);
        Instant now = Instant.now();
        postBeacon(key, beacon(app, "c-1", Map.of("new-sync-engine", true), List.of(
                replay("r1", now, "dead_lettered"), sync("s1", now, 2500, 60_000),
                "{\"id\": \"m1\", \"type\": \"migration\", \"at\": \"" + now + "\", \"fromVersion\": 3, \"toVersion\": 4, \"outcome\": \"rolled_back\"}",
                "{\"id\": \"o1\", \"type\": \"outbox\", \"at\": \"" + now + "\", \"depth\": 12, \"oldestAgeMs\": 45000}",
                "{\"id\": \"k1\", \"type\": \"conflict\", \"at\": \"" + now + "\", \"entity\": \"note\", \"resolution\": \"server_wins\"}")))
                .then().statusCode(202).body("accepted", equalTo(5));

        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        String series = "app=\"" + app + "\",cohort=\"new-sync-engine=true\"";
        assertThat(metrics)
                .contains("bellwether_replays_total{" + series + ",outcome=\"dead_lettered\",release=\"2026.11.3\"} 1.0")
                .contains("bellwether_sync_latency_seconds_bucket{" + series + ",release=\"2026.11.3\",le=\"5.0\"} 1.0")
                .contains("bellwether_sync_latency_seconds_bucket{" + series + ",release=\"2026.11.3\",le=\"2.0\"} 0.0")
                .contains("bellwether_staleness_seconds_count{" + series + ",release=\"2026.11.3\"} 1.0")
                .contains("bellwether_migrations_total{" + series + ",from_version=\"3\",outcome=\"rolled_back\",release=\"2026.11.3\",to_version=\"4\"} 1.0")
                .contains("bellwether_outbox_depth_count{" + series + ",release=\"2026.11.3\"} 1.0")
                .contains("bellwether_conflicts_total{" + series + ",release=\"2026.11.3\",resolution=\"server_wins\"} 1.0")
                .contains("bellwether_ingest_events_total{app=\"" + app + "\",result=\"accepted\"} 5.0")
                .contains("bellwether_ingest_beacons_total{outcome=\"accepted\"}")
                .contains("bellwether_ingest_commit_seconds_bucket")
                .contains("bellwether_ingest_batch_events_bucket")
                .contains("bellwether_ingest_writer_queue_bytes ");
    }

    @Test
    void readinessReportsTheDatabase() {
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem("database"));
    }

    @Test
    void compactionFoldsDeltasWithoutChangingAnyAnswer() throws Exception {
        String app = createApp("compact");
        String key = ingestKey(app);
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            postBeacon(key, beacon(app, "c-" + i, Map.of(), List.of(
                    replay("r", now, i == 0 ? "dead_lettered" : "succeeded"), sync("s", now, 100L * (i + 1), 1000))))
                    .then().statusCode(202);
        }
        Instant from = now.minus(5, ChronoUnit.MINUTES);
        Instant to = now.plus(1, ChronoUnit.MINUTES);
        String before = sli(app, from, to).jsonPath().prettify();
        assertThat(rows(app, "rollup_minute")).isGreaterThanOrEqualTo(5);

        maintenance.compact();

        assertThat(rows(app, "rollup_minute")).isEqualTo(1);
        assertThat(rows(app, "rollup_hour")).isEqualTo(1);
        assertThat(sli(app, from, to).jsonPath().prettify()).isEqualTo(before);
    }

    private long rows(String app, String table) throws Exception {
        try (Connection connection = dataSource.getConnection();
                ResultSet result = connection.createStatement().executeQuery(
                        "SELECT count(*) FROM " + table + " r JOIN app a ON a.id = r.app_id WHERE a.name = '" + app + "'")) {
            result.next();
            return result.getLong(1);
        }
    }
}

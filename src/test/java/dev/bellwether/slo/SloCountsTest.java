package dev.bellwether.slo;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.telemetry.Distribution;
import dev.bellwether.telemetry.Granularity;
import dev.bellwether.telemetry.RollupStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A replica that starts cold finds the verdicts of one that evaluated every tick: from the counts stored by the ticks
 * before, and from the rollups alone when none are stored. Rollup rows are written here directly, at buckets and
 * with write times the steps choose, so that the cold evaluations read the stored counts and not the rows just written.
 */
@QuarkusTest
class SloCountsTest {

    private static final Duration LEASE_IDLE = Duration.ofSeconds(15);

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RollupStore rollups;

    @Inject
    ObjectMapper json;

    @Inject
    SloMetrics metrics;

    @Inject
    SloNotices notices;

    /** A step of the table: what happens to the rollups or the SLOs, then how far the clock moves. */
    private record Step(String what, Action action, Duration advance) {
    }

    @FunctionalInterface
    private interface Action {
        void run(Scenario scenario) throws Exception;
    }

    @Test
    void coldEvaluationsFindTheVerdictsOfTheSteadyOneStepByStep() throws Exception {
        List<Step> steps = List.of(
                new Step("two days of healthy traffic, the last two hours by the minute", s -> {
                    for (int minute = 1; minute <= 120; minute++) {
                        s.write(Granularity.MINUTE, s.now().minus(minute, ChronoUnit.MINUTES), 0, 200, 1, 1_200);
                    }
                    for (int hour = 1; hour <= 48; hour++) {
                        s.write(Granularity.HOUR, s.now().minus(hour, ChronoUnit.HOURS), 0, 12_000, 60, 1_200);
                    }
                }, Duration.ofMinutes(1)),
                new Step("a late dead-letter burst of 90 minutes ago, on the checkout journey", s -> {
                    Instant late = s.now().minus(90, ChronoUnit.MINUTES);
                    s.write(Granularity.MINUTE, late, s.checkout, 100, 400, 9_000);
                    s.write(Granularity.HOUR, late, s.checkout, 100, 400, 9_000);
                }, Duration.ofMinutes(1)),
                new Step("this minute's traffic, then compaction", s -> {
                    s.write(Granularity.MINUTE, s.now(), 0, 150, 50, 9_000);
                    s.write(Granularity.MINUTE, s.now(), s.checkout, 10, 30, 1_200);
                    s.write(Granularity.HOUR, s.now(), 0, 160, 80, 9_000);
                    rollups.compact(Granularity.MINUTE, 100_000);
                    rollups.compact(Granularity.HOUR, 100_000);
                }, Duration.ofMinutes(5)),
                new Step("the latency threshold changes", s -> s.putSlo("sync-latency",
                        "{\"sli\": \"sync_latency\", \"thresholdMs\": 2000, \"objective\": 0.95, \"minEvents\": 10}"),
                        Duration.ofMinutes(1)),
                new Step("the objective alone changes (the counts stay)", s -> s.putSlo("dead-letters",
                        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.995, \"minEvents\": 10}"), Duration.ofHours(3)),
                new Step("three hours later, minutes have left the windows; a late day-old burst", s -> {
                    s.write(Granularity.HOUR, s.now().minus(26, ChronoUnit.HOURS), 0, 500, 2_000, 9_000);
                    s.write(Granularity.MINUTE, s.now().minus(2, ChronoUnit.MINUTES), 0, 300, 3, 1_200);
                }, Duration.ofMinutes(1)));

        Scenario scenario = new Scenario();
        SloEvaluator steady = scenario.evaluator();
        for (Step step : steps) {
            step.action().run(scenario);
            assertThat(steady.evaluateNow()).as(step.what()).isTrue();
            Map<String, String> expected = scenario.verdicts();
            assertThat(expected.get("dead-letters")).as(step.what()).doesNotContain("NO_DATA");
            // rows written before the stored counts' time, less the margin, are not read again: the counts are
            scenario.ageRollups();

            assertThat(scenario.evaluator().evaluateNow()).isTrue();
            assertThat(scenario.verdicts()).as("%s: from the stored counts", step.what()).isEqualTo(expected);

            scenario.forgetStoredCounts();
            assertThat(scenario.evaluator().evaluateNow()).isTrue();
            assertThat(scenario.verdicts()).as("%s: from the rollups", step.what()).isEqualTo(expected);

            scenario.clock.advance(step.advance());
        }
    }

    @Test
    void aColdStartReadsTheStoredCountsNotEveryRollupRow() throws Exception {
        Scenario scenario = new Scenario();
        for (int minute = 1; minute <= 30; minute++) {
            scenario.write(Granularity.MINUTE, scenario.now().minus(minute, ChronoUnit.MINUTES), 0, 100, 10, 1_200);
        }
        scenario.write(Granularity.HOUR, scenario.now().minus(1, ChronoUnit.HOURS), 0, 3_000, 300, 1_200);
        assertThat(scenario.evaluator().evaluateNow()).isTrue();
        Map<String, String> counted = scenario.verdicts();
        scenario.ageRollups();
        // rows gone without a write (as retention deletes them) are not noticed: the stored counts are what is read
        scenario.sql("DELETE FROM rollup_minute WHERE app_id = ?");
        scenario.sql("DELETE FROM rollup_hour WHERE app_id = ?");

        assertThat(scenario.evaluator().evaluateNow()).isTrue();
        assertThat(scenario.verdicts()).isEqualTo(counted);
        scenario.forgetStoredCounts();
        assertThat(scenario.evaluator().evaluateNow()).isTrue();
        assertThat(scenario.verdicts().values()).allMatch(v -> v.contains("NO_DATA"));
    }

    /** An app with three SLOs (app-wide ratio, latency threshold, one journey's replays) and a clock the test moves. */
    private final class Scenario {

        final MovableClock clock = new MovableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(30));
        final String app = createApp("slo-counts");
        final long appId;
        final long checkout;

        Scenario() throws Exception {
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"mutations\": [\"order.submit\"], \"criticality\": \"critical\"}")
                    .put("/v1/apps/" + app + "/journeys/checkout").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
            putSlo("dead-letters", "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99, \"minEvents\": 10}");
            putSlo("sync-latency", "{\"sli\": \"sync_latency\", \"thresholdMs\": 5000, \"objective\": 0.95, \"minEvents\": 10}");
            putSlo("checkout", "{\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", \"objective\": 0.99}");
            appId = queryLong("SELECT id FROM app WHERE name = ?", app);
            checkout = queryLong("SELECT j.id FROM journey j JOIN app a ON a.id = j.app_id WHERE a.name = ? AND j.name = 'checkout'", app);
        }

        Instant now() {
            return clock.instant();
        }

        /** A fresh evaluator, as a replica has after a start. */
        SloEvaluator evaluator() {
            return new SloEvaluator(dataSource, rollups, json, metrics, clock, "1h", LEASE_IDLE, notices);
        }

        void putSlo(String name, String body) {
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).put("/v1/apps/" + app + "/slos/" + name)
                    .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }

        /** A delta row: replays succeeded and dead-lettered, and as many syncs of about {@code latencyMs}. */
        void write(Granularity granularity, Instant at, long journeyId, long succeeded, long deadLettered, double latencyMs)
                throws Exception {
            Distribution syncs = new Distribution();
            Random random = new Random(at.getEpochSecond());
            for (int i = 0; i < succeeded + deadLettered; i++) {
                syncs.add(latencyMs * Math.exp(random.nextGaussian() * 0.5));
            }
            String table = granularity == Granularity.MINUTE ? "rollup_minute" : "rollup_hour";
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (app_id, release_id, "
                            + "cohort_id, journey_id, bucket, replay_succeeded, replay_dead_lettered, sync_latency) "
                            + "VALUES (?, 1, 1, ?, ?, ?, ?, ?)")) {
                insert.setLong(1, appId);
                insert.setLong(2, journeyId);
                insert.setTimestamp(3, Timestamp.from(granularity.bucketOf(at)));
                insert.setLong(4, succeeded);
                insert.setLong(5, deadLettered);
                insert.setBytes(6, syncs.encode());
                insert.executeUpdate();
            }
        }

        void ageRollups() throws Exception {
            sql("UPDATE rollup_minute SET written_at = written_at - interval '1 hour' WHERE app_id = ?");
            sql("UPDATE rollup_hour SET written_at = written_at - interval '1 hour' WHERE app_id = ?");
        }

        void forgetStoredCounts() throws Exception {
            sql("UPDATE slo SET counted_as = NULL, counted_at = NULL WHERE app_id = ?");
        }

        /** Each SLO's stored verdict (state, reason, burn rates, windows, period, budget) by name. */
        Map<String, String> verdicts() throws Exception {
            Map<String, String> verdicts = new LinkedHashMap<>();
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement select = connection.prepareStatement(
                            "SELECT name, verdict::text FROM slo WHERE app_id = ? ORDER BY name")) {
                select.setLong(1, appId);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        verdicts.put(rows.getString(1), rows.getString(2));
                    }
                }
            }
            return verdicts;
        }

        void sql(String statement) throws Exception {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement update = connection.prepareStatement(statement)) {
                update.setLong(1, appId);
                update.executeUpdate();
            }
        }

        private long queryLong(String query, String parameter) throws Exception {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement select = connection.prepareStatement(query)) {
                select.setString(1, parameter);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        }
    }

    private static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("a test clock in UTC");
        }
    }
}

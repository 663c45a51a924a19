package dev.bellwether.ingest;

import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.replays;
import static dev.bellwether.support.Fixtures.sli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a public ingest key can make grow: release and cohort rows, and the SLI answer's cohorts (issue 15, finding 4). */
@QuarkusTest
@TestProfile(DimensionGrowthTest.SmallCaps.class)
class DimensionGrowthTest {

    public static class SmallCaps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bellwether.ingest.max-releases-per-app", "3",
                    "bellwether.ingest.max-cohorts-per-app", "3",
                    "bellwether.metrics.max-cohorts-per-sli-report", "2");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aBeaconWithoutStorableEventsCreatesNoReleaseOrCohort() {
        String app = createApp("no-events");
        String key = ingestKey(app);
        Instant now = Instant.now();

        postBeacon(key, beacon(app, "r-empty", Map.of("f", "v-empty"), List.of()))
                .then().statusCode(202).body("accepted", equalTo(0));
        postBeacon(key, beacon(app, "r-rejected", Map.of("f", "v-rejected"),
                List.of(replay("e1", now, "exploded")))).then().statusCode(202).body("accepted", equalTo(0))
                .body("rejected", hasSize(1));

        assertThat(rows("release", app)).isZero();
        assertThat(rows("cohort", app)).isZero();
    }

    @Test
    void releasesAndCohortsOverTheAppsCapAreRefusedNamingTheFieldAndKnownOnesStillCount() {
        String app = createApp("dim-cap");
        String key = ingestKey(app);
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            postBeacon(key, beacon(app, "r" + i, Map.of("f", "v" + i), List.of(replay("a" + i, now, "succeeded"))))
                    .then().statusCode(202).body("accepted", equalTo(1));
        }

        postBeacon(key, beacon(app, "r-new", Map.of("f", "v0"), List.of(replay("b1", now, "succeeded"))))
                .then().statusCode(422).body("field", equalTo("release"));
        postBeacon(key, beacon(app, "r0", Map.of("f", "v-new"), List.of(replay("b2", now, "succeeded"))))
                .then().statusCode(422).body("field", equalTo("flags"));
        // a release and cohort the app has already are not affected; the refused events were not stored
        postBeacon(key, beacon(app, "r2", Map.of("f", "v1"), List.of(replay("b1", now, "succeeded"), replay("b2", now, "succeeded"))))
                .then().statusCode(202).body("accepted", equalTo(2)).body("duplicates", equalTo(0));

        assertThat(rows("release", app)).isEqualTo(3);
        assertThat(rows("cohort", app)).isEqualTo(3);
    }

    @Test
    void theSliAnswerListsTheCohortsWithTheMostEventsAndSumsTheRest() {
        String app = createApp("sli-cohorts");
        String key = ingestKey(app);
        Instant now = Instant.now();
        int[] events = {1, 5, 2};
        for (int i = 0; i < events.length; i++) {
            postBeacon(key, beacon(app, "r", Map.of("f", "v" + i), replays("c" + i, events[i], now)))
                    .then().statusCode(202).body("accepted", equalTo(events[i]));
        }

        var report = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(2, ChronoUnit.MINUTES));
        assertThat(report.<List<String>>path("cohorts.cohort")).containsExactly("f=v1", "f=v2");
        assertThat(report.<Integer>path("otherCohorts.cohorts")).isEqualTo(1);
        assertThat(report.<Integer>path("otherCohorts.sli.events")).isEqualTo(1);
        assertThat(report.<Integer>path("total.events")).isEqualTo(8);
    }

    private static String beacon(String app, String release, Map<String, String> flags, List<String> events) {
        StringBuilder flagJson = new StringBuilder("{");
        flags.forEach((name, value) -> flagJson.append(flagJson.length() > 1 ? ", " : "")
                .append('"').append(name).append("\": \"").append(value).append('"'));
        return "{\"schema\": 1, \"app\": \"" + app + "\", \"release\": \"" + release + "\", \"client\": \"c-1\", "
                + "\"flags\": " + flagJson + "}, \"events\": [" + String.join(", ", events) + "]}";
    }

    private long rows(String table, String app) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT count(*) FROM " + table + " t JOIN app a ON a.id = t.app_id WHERE a.name = ?")) {
            select.setString(1, app);
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

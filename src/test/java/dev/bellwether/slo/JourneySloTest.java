package dev.bellwether.slo;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.postBeacon;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SLOs on one journey's replays: the API, removal of a counted journey, and the dilution journeys exist to avoid. */
@QuarkusTest
class JourneySloTest {

    @Inject
    SloEvaluator evaluator;

    private static String appWithJourneys(String prefix) {
        String app = createApp(prefix);
        declare(app, "checkout", "{\"mutations\": [\"order.submit\"], \"criticality\": \"critical\"}");
        declare(app, "notes", "{\"mutations\": [\"note.*\"], \"criticality\": \"normal\"}");
        return app;
    }

    private static void declare(String app, String journey, String body) {
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).put("/v1/apps/" + app + "/journeys/" + journey)
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static ValidatableResponse putSlo(String app, String name, String body) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).put("/v1/apps/" + app + "/slos/" + name)
                .then();
    }

    @ParameterizedTest(name = "{0} is a 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"sli\": \"conflict_ratio\", \"journey\": \"checkout\", \"objective\": 0.99}|journey|replay_success_ratio, dead_letter_ratio, replay_repeat_failure_ratio",
        "{\"sli\": \"sync_latency\", \"thresholdMs\": 5000, \"journey\": \"checkout\", \"objective\": 0.9}|journey|not counted per journey",
        "{\"sli\": \"migration_failure_ratio\", \"journey\": \"other\", \"objective\": 0.99}|journey|not counted per journey",
        "{\"sli\": \"replay_success_ratio\", \"journey\": \"payments\", \"objective\": 0.99}|journey|its journeys: checkout, notes, other",
        "{\"sli\": \"replay_success_ratio\", \"journey\": \"Check Out\", \"objective\": 0.99}|journey|journey name",
        "{\"sli\": \"replay_success_ratio\", \"journey\": 7, \"objective\": 0.99}|journey|",
        "{\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", \"severity\": \"loud\", \"objective\": 0.99}|severity|page or ticket"})
    void aJourneyOnlyAReplaySliOfADeclaredJourneyTakesIsA400Otherwise(String body, String field, String why) {
        String app = appWithJourneys("jslo-bad");
        putSlo(app, "x", body).statusCode(400).contentType("application/problem+json")
                .body("field", equalTo(field)).body("detail", containsString(why == null ? "" : why));
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos/x").then().statusCode(404);
    }

    @Test
    void aFastBurnPagesForACriticalJourneyAndTicketsForOthersUnlessTheSloSays() {
        String app = appWithJourneys("jslo-severity");
        putSlo(app, "checkout", "{\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", \"objective\": 0.9999}")
                .statusCode(201).body("journey", equalTo("checkout")).body("severity", nullValue())
                .body("fastBurnSeverity", equalTo("page"));
        putSlo(app, "notes", "{\"sli\": \"dead_letter_ratio\", \"journey\": \"notes\", \"objective\": 0.999}")
                .statusCode(201).body("fastBurnSeverity", equalTo("ticket"));
        putSlo(app, "notes-loud", "{\"sli\": \"dead_letter_ratio\", \"journey\": \"notes\", \"objective\": 0.999, \"severity\": \"page\"}")
                .statusCode(201).body("severity", equalTo("page")).body("fastBurnSeverity", equalTo("page"));
        putSlo(app, "unmatched", "{\"sli\": \"replay_repeat_failure_ratio\", \"journey\": \"other\", \"objective\": 0.99}")
                .statusCode(201).body("journey", equalTo("other")).body("fastBurnSeverity", equalTo("ticket"));
        putSlo(app, "quiet", "{\"sli\": \"replay_success_ratio\", \"objective\": 0.99, \"severity\": \"ticket\"}")
                .statusCode(201).body("journey", nullValue()).body("fastBurnSeverity", equalTo("ticket"));
        putSlo(app, "all", "{\"sli\": \"replay_success_ratio\", \"objective\": 0.99}").statusCode(201)
                .body("fastBurnSeverity", equalTo("page"));

        // the default follows the journey's criticality as it is now
        declare(app, "notes", "{\"mutations\": [\"note.*\"], \"criticality\": \"critical\"}");
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos/notes").then().statusCode(200)
                .body("fastBurnSeverity", equalTo("page"));
    }

    @Test
    void aJourneyAnSloCountsCannotBeRemovedUntilTheSloIsGone() {
        String app = appWithJourneys("jslo-remove");
        putSlo(app, "checkout", "{\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", \"objective\": 0.9999}")
                .statusCode(201);
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/journeys/checkout").then().statusCode(409)
                .contentType("application/problem+json").body("field", equalTo("name"))
                .body("detail", allOf(containsString("checkout"), containsString("SLOs checkout")));
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/journeys").then().statusCode(200)
                .body("name", org.hamcrest.Matchers.hasItem("checkout"));

        // moved to another journey, the SLO no longer holds checkout
        putSlo(app, "checkout", "{\"sli\": \"replay_success_ratio\", \"journey\": \"notes\", \"objective\": 0.9999}")
                .statusCode(200);
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/journeys/checkout").then().statusCode(204);
        // and a removed journey cannot be counted again until it is declared again
        putSlo(app, "checkout", "{\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", \"objective\": 0.9999}")
                .statusCode(400).body("field", equalTo("journey"));
    }

    @Test
    void deadLettersOfARareCriticalMutationPageItsJourneyWhileTheAppWideSloStaysOk() throws Exception {
        String app = appWithJourneys("jslo-dilution");
        putSlo(app, "checkout", "{\"sli\": \"replay_success_ratio\", \"journey\": \"checkout\", \"objective\": 0.9999}")
                .statusCode(201);
        putSlo(app, "notes", "{\"sli\": \"replay_success_ratio\", \"journey\": \"notes\", \"objective\": 0.999}")
                .statusCode(201);
        putSlo(app, "all-replays", "{\"sli\": \"replay_success_ratio\", \"objective\": 0.99}").statusCode(201);

        // order.submit is 2 % of the mutations replayed; a fifth of its replays dead-letter: 0.4 % of all replays
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 4900; i++) {
            events.add(replay("n-" + i, at, "note.update", "succeeded"));
        }
        for (int i = 0; i < 100; i++) {
            events.add(replay("o-" + i, at, "order.submit", i < 20 ? "dead_lettered" : "succeeded"));
        }
        String key = ingestKey(app);
        for (int from = 0; from < events.size(); from += 250) {
            postBeacon(key, beacon(app, "c-1", Map.of(), events.subList(from, from + 250))).then().statusCode(202);
        }

        assertThat(evaluator.evaluateNow()).isTrue();
        JsonPath checkout = slo(app, "checkout");
        assertThat(checkout.getString("state")).isEqualTo("PAGE");
        assertThat(checkout.getLong("windows.'5m'.valid")).isEqualTo(100);
        assertThat(checkout.getLong("windows.'5m'.good")).isEqualTo(80);
        JsonPath notes = slo(app, "notes");
        assertThat(notes.getString("state")).isEqualTo("OK");
        assertThat(notes.getLong("windows.'5m'.valid")).isEqualTo(4900);
        JsonPath all = slo(app, "all-replays");
        assertThat(all.getString("state")).isEqualTo("OK");
        assertThat(all.getLong("windows.'5m'.valid")).isEqualTo(5000);
        assertThat(all.getFloat("burnRates.'1h'")).isLessThan(1f);

        String metrics = management().get("/q/metrics").then().extract().asString();
        assertThat(metrics)
                .contains("bellwether_slo_state{app=\"" + app + "\",fast_burn_severity=\"page\",journey=\"checkout\","
                        + "slo=\"checkout\",state=\"PAGE\"} 1.0")
                .contains("bellwether_slo_state{app=\"" + app + "\",fast_burn_severity=\"ticket\",journey=\"notes\","
                        + "slo=\"notes\",state=\"OK\"} 1.0")
                .contains("bellwether_slo_state{app=\"" + app + "\",fast_burn_severity=\"page\",journey=\"\","
                        + "slo=\"all-replays\",state=\"OK\"} 1.0")
                .contains("bellwether_journey_replays_total{app=\"" + app + "\",journey=\"checkout\",outcome=\"dead_lettered\"} 20.0")
                .contains("bellwether_journey_replays_total{app=\"" + app + "\",journey=\"notes\",outcome=\"succeeded\"} 4900.0")
                .contains("bellwether_journey_replay_first_attempts_total{app=\"" + app + "\",journey=\"checkout\"} 100.0");

        // events that come later, in a bucket already counted, count for the journey's SLO alone
        // a mutation no journey declares counts as journey other: a beacon cannot add a journey label
        postBeacon(key, beacon(app, "c-2", Map.of(), List.of(replay("o-late", at, "order.submit", "succeeded"),
                replay("x-1", at, "made.up.by.a.beacon", "succeeded")))).then().statusCode(202);
        assertThat(evaluator.evaluateNow()).isTrue();
        assertThat(slo(app, "checkout").getLong("windows.'5m'.valid")).isEqualTo(101);
        assertThat(slo(app, "notes").getLong("windows.'5m'.valid")).isEqualTo(4900);
        assertThat(slo(app, "all-replays").getLong("windows.'5m'.valid")).isEqualTo(5002);
        String after = management().get("/q/metrics").then().extract().asString();
        assertThat(after).contains("bellwether_journey_replays_total{app=\"" + app + "\",journey=\"other\",outcome=\"succeeded\"} 1.0")
                .doesNotContain("made.up");
    }

    private static JsonPath slo(String app, String name) {
        return given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos/" + name).then().statusCode(200).extract().jsonPath();
    }

    private static String replay(String id, Instant at, String mutation, String outcome) {
        return "{\"id\": \"" + id + "\", \"type\": \"replay\", \"at\": \"" + at + "\", \"mutation\": \"" + mutation
                + "\", \"outcome\": \"" + outcome + "\", \"attempts\": 1}";
    }
}

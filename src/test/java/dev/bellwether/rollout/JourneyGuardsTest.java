package dev.bellwether.rollout;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Guards on a journey through the API, and a real controller tick judging one against a real Unleash. */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class JourneyGuardsTest {

    @Inject
    RolloutController controller;

    private final UnleashServer unleash = UnleashTestResource.unleash();

    @Test
    void aJourneyOnAGuardIsRefusedNamingTheFieldWhenItIsNotAReplayIndicatorOrNotTheApps() throws Exception {
        String app = appWithJourneys();
        String flag = flag();
        create(app, flag, "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"},"
                + " {\"sli\": \"sync_latency\", \"journey\": \"checkout\", \"action\": \"rollback\"}]", null)
                .then().statusCode(400).body("field", equalTo("guards[1].journey"))
                .body("detail", containsString("only replay indicators"));
        create(app, flag, "[{\"sli\": \"dead_letter_ratio\", \"journey\": \"basket\", \"action\": \"kill\"}]", null)
                .then().statusCode(400).body("field", equalTo("guards[0].journey"))
                .body("detail", containsString("no journey named 'basket'; its journeys: checkout, notes, other"));
        create(app, flag, "[{\"sli\": \"dead_letter_ratio\", \"journey\": \"checkout\", \"action\": \"kill\"},"
                + " {\"sli\": \"dead_letter_ratio\", \"journey\": \"checkout\", \"action\": \"rollback\"}]", null)
                .then().statusCode(400).body("field", equalTo("guards[1]"))
                .body("detail", containsString("two guards on dead_letter_ratio (journey checkout)"));
        // the same indicator on the whole app and on a journey are two guards; 'other' is a journey too
        create(app, flag, "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"},"
                + " {\"sli\": \"dead_letter_ratio\", \"journey\": \"other\", \"action\": \"kill\"}]", false)
                .then().statusCode(201).body("guards.journey", equalTo(java.util.Arrays.asList(null, "other")));
    }

    @Test
    void aCriticalJourneyGetsItsDefaultGuardUnlessTheCreatorReplacesItOrLeavesItOut() throws Exception {
        String app = appWithJourneys();
        JsonPath byDefault = create(app, flag(), "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", null)
                .then().statusCode(201).extract().jsonPath();
        assertThat(byDefault.getList("guards", Map.class)).containsExactly(
                Map.of("sli", "dead_letter_ratio", "action", "kill"),
                Map.of("sli", "replay_repeat_failure_ratio", "journey", "checkout", "action", "kill"));
        assertThat(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + byDefault.getLong("id")).then().statusCode(200)
                .extract().jsonPath().getList("guards.journey")).containsExactly(null, "checkout");

        JsonPath replaced = create(app, flag(), "[{\"sli\": \"replay_repeat_failure_ratio\", \"journey\": \"checkout\","
                + " \"action\": \"freeze\"}]", null).then().statusCode(201).extract().jsonPath();
        assertThat(replaced.getList("guards", Map.class)).containsExactly(
                Map.of("sli", "replay_repeat_failure_ratio", "journey", "checkout", "action", "freeze"));

        JsonPath leftOut = create(app, flag(), "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", false)
                .then().statusCode(201).extract().jsonPath();
        assertThat(leftOut.getList("guards", Map.class)).containsExactly(Map.of("sli", "dead_letter_ratio", "action", "kill"));
    }

    /**
     * Checkout is a twentieth of the replays: its canary dead-letters five times as often as its control, which moves
     * the whole app's ratio by less than the margin. The guard on the app passes; the one on checkout kills.
     */
    @Test
    void aJourneyGuardKillsOnARegressionConfinedToItsJourneyThatTheAppWideGuardDoesNotSee() throws Exception {
        String app = appWithJourneys();
        String flag = flag();
        long id = create(app, flag, "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"},"
                + " {\"sli\": \"dead_letter_ratio\", \"journey\": \"checkout\", \"action\": \"kill\"}]", false)
                .then().statusCode(201).extract().jsonPath().getLong("id");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"reason\": \"test start\"}")
                .post("/v1/rollouts/" + id + "/start").then().statusCode(200).body("state", equalTo("RUNNING"));
        String key = ingestKey(app);
        send(key, app, flag, true, "order.submit", 600, 0.05);
        send(key, app, flag, true, "note.update", 12_000, 0.01);
        send(key, app, flag, false, "order.submit", 1200, 0.01);
        send(key, app, flag, false, "note.update", 24_000, 0.01);

        controller.tick();

        JsonPath killed = given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(killed.getString("state")).isEqualTo("KILLED");
        assertThat(killed.getString("verdict.guards[0].journey")).isNull();
        assertThat(killed.getString("verdict.guards[0].outcome")).isEqualTo("PASS");
        assertThat(killed.getLong("verdict.guards[0].canaryValid")).isEqualTo(12_600);
        assertThat(killed.getString("verdict.guards[1].journey")).isEqualTo("checkout");
        assertThat(killed.getString("verdict.guards[1].outcome")).isEqualTo("FAIL");
        assertThat(killed.getLong("verdict.guards[1].canaryValid")).isEqualTo(600);
        assertThat(killed.getLong("verdict.guards[1].controlValid")).isEqualTo(1200);
        assertThat(killed.getDouble("verdict.guards[1].alpha")).isEqualTo(0.025);
        assertThat(killed.getString("verdict.reason")).startsWith("dead_letter_ratio (journey checkout): ");
        JsonPath trail = given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id + "/decisions").then().statusCode(200)
                .extract().jsonPath();
        assertThat(trail.getString("[-1].trigger")).isEqualTo("guard_kill");
        assertThat(trail.getString("[-1].evidence.guards[1].journey")).isEqualTo("checkout");
    }

    private String appWithJourneys() {
        String app = createApp("journey-guard");
        journey(app, "checkout", "[\"order.submit\"]", "critical");
        journey(app, "notes", "[\"note.*\"]", "normal");
        return app;
    }

    private static void journey(String app, String name, String mutations, String criticality) {
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"mutations\": " + mutations + ", \"criticality\": \"" + criticality + "\"}")
                .put("/v1/apps/" + app + "/journeys/" + name).then().statusCode(201);
    }

    private String flag() throws Exception {
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        return flag;
    }

    private static io.restassured.response.Response create(String app, String flag, String guards, Boolean defaults) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"steps\": [5, 100], \"bake\": \"0s\","
                        + " \"minSamplePerCohort\": 100, \"guards\": " + guards
                        + (defaults == null ? "" : ", \"criticalJourneyGuards\": " + defaults) + "}")
                .post("/v1/rollouts");
    }

    /** {@code count} final replays of {@code mutation}, a share of them dead-lettered, in beacons of 100. */
    private static void send(String key, String app, String flag, boolean on, String mutation, int count, double deadLetters) {
        Instant now = Instant.now();
        String batch = UUID.randomUUID().toString().substring(0, 8);
        int bad = (int) Math.round(count * deadLetters);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add("{\"id\": \"" + batch + "-" + i + "\", \"type\": \"replay\", \"at\": \"" + now + "\", \"mutation\": \""
                    + mutation + "\", \"outcome\": \"" + (i < bad ? "dead_lettered" : "succeeded") + "\", \"attempts\": 1}");
        }
        for (int from = 0; from < events.size(); from += 100) {
            postBeacon(key, beacon(app, (on ? "canary-" : "control-") + batch, Map.of(flag, on),
                    events.subList(from, Math.min(events.size(), from + 100)))).then().statusCode(202);
        }
    }
}

package dev.bellwether.console;

import static dev.bellwether.console.ConsoleClient.signIn;
import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.console.ConsoleClient.Session;
import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The create-rollout form's journeys over real HTTP, against a real Unleash (a rollout is created only for a flag
 * Unleash has): a guard on a journey, the default guards of critical journeys and leaving them out, and refusals.
 */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class ConsoleNewRolloutJourneysTest {

    private final UnleashServer unleash = UnleashTestResource.unleash();

    @Test
    void theFormOffersTheAppsJourneysPerGuardAndNamesTheCriticalOnesItsTickedBoxGuards() {
        String app = appWithJourneys();
        String form = get(signIn(token("release-manager")), "/console/apps/" + app + "/rollouts/new").asString();

        assertThat(form).contains("<label for=\"guard-journey-0\">Guard 1 journey</label>",
                "<select id=\"guard-journey-2\" name=\"guardJourney\">", "<option value=\"\">whole app</option>",
                "<option value=\"checkout\">checkout (critical)</option>", "<option value=\"notes\">notes (normal)</option>",
                "<option value=\"other\">other (replays no journey matches)</option>");
        assertThat(form).contains("name=\"criticalJourneyGuards\" value=\"yes\" aria-describedby=\"criticalJourneyGuards-which\" checked>",
                "Add a kill guard for each critical journey",
                "Adds replay_repeat_failure_ratio → kill on <strong>checkout</strong>, unless");

        String plain = get(signIn(token("release-manager")), "/console/apps/" + createApp("console-no-journeys")
                + "/rollouts/new").asString();
        assertThat(plain).contains("The app has no critical journey now.")
                .contains("<option value=\"other\">other (replays no journey matches)</option>")
                .doesNotContain("(critical)");
    }

    @Test
    void aGuardOnAJourneyIsCreatedWithTheCriticalJourneysDefaultGuardAndTheRolloutPageTitlesBoth() throws Exception {
        String app = appWithJourneys();
        String flag = flag();
        Session manager = signIn(token("release-manager"));

        Response created = create(manager, app, flag, List.of("dead_letter_ratio", "dead_letter_ratio"),
                List.of("", "notes"), List.of("rollback", "kill"), true);

        assertThat(created.statusCode()).as(created.asString()).isEqualTo(303);
        long id = Long.parseLong(created.header("Location").replaceAll(".*/", ""));
        JsonPath rollout = given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(rollout.getList("guards", Map.class)).containsExactly(
                Map.of("sli", "dead_letter_ratio", "action", "rollback"),
                Map.of("sli", "dead_letter_ratio", "journey", "notes", "action", "kill"),
                Map.of("sli", "replay_repeat_failure_ratio", "journey", "checkout", "action", "kill"));
        String page = get(manager, "/console/rollouts/" + id).asString();
        assertThat(page).contains("<h3>dead_letter_ratio <small>", "<h3>dead_letter_ratio (journey notes) <small>",
                "<h3>replay_repeat_failure_ratio (journey checkout) <small>");
    }

    @Test
    void anUntickedBoxLeavesTheCriticalJourneysDefaultGuardsOut() throws Exception {
        String app = appWithJourneys();
        Response created = create(signIn(token("release-manager")), app, flag(), List.of("dead_letter_ratio"), List.of(""),
                List.of("kill"), false);

        assertThat(created.statusCode()).as(created.asString()).isEqualTo(303);
        long id = Long.parseLong(created.header("Location").replaceAll(".*/", ""));
        assertThat(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath()
                .getList("guards", Map.class)).containsExactly(Map.of("sli", "dead_letter_ratio", "action", "kill"));
    }

    @Test
    void aPostFromAFormThatDidNotOfferTheBoxKeepsTheCriticalJourneysDefaultGuards() throws Exception {
        String app = appWithJourneys();
        Response created = create(signIn(token("release-manager")), app, flag(), List.of("dead_letter_ratio"), List.of(""),
                List.of("kill"), false, false);

        assertThat(created.statusCode()).as(created.asString()).isEqualTo(303);
        long id = Long.parseLong(created.header("Location").replaceAll(".*/", ""));
        assertThat(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath()
                .getList("guards", Map.class)).hasSize(2)
                .contains(Map.of("sli", "replay_repeat_failure_ratio", "journey", "checkout", "action", "kill"));
    }

    /**
     * The second row makes the first guard (the first row is empty), so the API's guards[0].journey is shown beside
     * the second row's journey, with the rows as sent: a journey the form does not offer stays chosen.
     */
    @Test
    void aJourneyTheAppLacksOrOnAnIndicatorThatTakesNoneIsRefusedBesideItsRowWithTheRowsKept() throws Exception {
        String app = appWithJourneys();
        String flag = flag();
        Session manager = signIn(token("release-manager"));

        Response unknown = create(manager, app, flag, List.of("", "dead_letter_ratio"), List.of("", "basket"),
                List.of("", "kill"), true);
        assertThat(unknown.statusCode()).isEqualTo(400);
        String page = unknown.asString();
        assertThat(page).contains("<select id=\"guard-journey-1\" name=\"guardJourney\" aria-invalid=\"true\""
                + " aria-describedby=\"guard-journey-1-error\">", "<option value=\"basket\" selected>basket</option>");
        assertThat(page.substring(page.indexOf("id=\"guard-journey-1-error\""))).startsWith("id=\"guard-journey-1-error\">"
                + "guards[0].journey: app &#39;" + app + "&#39; has no journey named &#39;basket&#39;; its journeys: checkout, notes, other");
        assertThat(page).doesNotContain("aria-describedby=\"guard-journey-0-error\"").doesNotContain("id=\"guards-error\"");

        Response notReplays = create(manager, app, flag, List.of("dead_letter_ratio", "sync_latency"), List.of("", "checkout"),
                List.of("kill", "rollback"), false);
        assertThat(notReplays.statusCode()).isEqualTo(400);
        String refused = notReplays.asString();
        assertThat(refused.substring(refused.indexOf("id=\"guard-journey-1-error\""))).contains("only replay indicators");
        assertThat(refused).contains("<option value=\"checkout\" selected>checkout (critical)</option>")
                .contains("<option value=\"sync_latency\" selected>sync_latency</option>")
                .contains("<option value=\"rollback\" selected>rollback</option>")
                .doesNotContain("id=\"criticalJourneyGuards\" name=\"criticalJourneyGuards\" value=\"yes\" aria-describedby=\"criticalJourneyGuards-which\" checked>");
        assertThat(given().auth().oauth2(ADMIN).queryParam("app", app).get("/v1/rollouts").then().extract().jsonPath()
                .getList("$")).isEmpty();
    }

    /** An app with a critical journey and a normal one. */
    private static String appWithJourneys() {
        String app = createApp("console-journeys");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"mutations\": [\"order.submit\"], \"criticality\": \"critical\"}")
                .put("/v1/apps/" + app + "/journeys/checkout").then().statusCode(201);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"mutations\": [\"note.*\"], \"criticality\": \"normal\"}")
                .put("/v1/apps/" + app + "/journeys/notes").then().statusCode(201);
        return app;
    }

    private String flag() throws Exception {
        String flag = "console-journey-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        return flag;
    }

    private static Response create(Session session, String app, String flag, List<String> slis, List<String> journeys,
            List<String> actions, boolean criticalJourneyGuards) {
        return create(session, app, flag, slis, journeys, actions, criticalJourneyGuards, true);
    }

    private static Response create(Session session, String app, String flag, List<String> slis, List<String> journeys,
            List<String> actions, boolean criticalJourneyGuards, boolean boxOffered) {
        var request = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", session.csrf()).formParam("project", UnleashServer.PROJECT)
                .formParam("environment", UnleashServer.ENVIRONMENT).formParam("flag", flag).formParam("steps", "5, 100")
                .formParam("bake", "5m").formParam("minSample", "100").formParam("dryRun", "yes")
                .formParam("guardSli", slis.toArray()).formParam("guardJourney", journeys.toArray())
                .formParam("guardAction", actions.toArray());
        if (criticalJourneyGuards) {
            request = request.formParam("criticalJourneyGuards", "yes");
        }
        if (boxOffered) {
            request = request.formParam("criticalJourneyGuardsOffered", "yes");
        }
        return request.post("/console/apps/" + app + "/rollouts/new");
    }

    private static Response get(Session session, String path) {
        return given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie()).get(path);
    }
}

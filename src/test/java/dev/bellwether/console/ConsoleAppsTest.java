package dev.bellwether.console;

import static dev.bellwether.console.ConsoleClient.signIn;
import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.console.ConsoleClient.Session;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The app page and the create-rollout form over real HTTP on a real PostgreSQL (no Unleash configured here). */
@QuarkusTest
class ConsoleAppsTest {

    private static final Pattern NEW_KEY = Pattern.compile("id=\"new-key\" readonly value=\"([^\"]+)\"");

    @Inject
    AgroalDataSource database;

    @Test
    void theAppPageShowsSlisByReleaseAndCohortAndTheSlosHistoryWithEverythingPeopleSentEscaped() throws Exception {
        String app = createApp("console-app");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"replay_success_ratio\", \"objective\": 0.995, \"period\": \"30d\"}")
                .put("/v1/apps/" + app + "/slos/replays-succeed").then().statusCode(201);
        String key = ingestKey(app);
        // the hour now running holds the fresh events and is not a point of the history yet, so the test must not
        // cross an hour's end: started in an hour's last half minute, it waits for the next
        Instant now = notInTheLastHalfMinuteOfAnHour();
        Instant lastPoint = now.truncatedTo(ChronoUnit.HOURS); // the end of the last whole hour, where the history ends
        Instant fresh = now.minusSeconds(60).isBefore(lastPoint) ? lastPoint : now.minusSeconds(60);
        postBeacon(key, beacon(app, "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "c-1",
                List.of(replay("r-1", fresh, "succeeded"), replay("r-2", fresh, "dead_lettered"))))
                .then().statusCode(202);
        // two hours earlier, one replay in four dead-lettered: a burn of 0.25 / 0.005 = 50 in that hour
        Instant twoHoursAgo = now.minus(Duration.ofHours(2));
        postBeacon(key, beacon(app, "1.0", "f", "c-2", List.of(replay("r-3", twoHoursAgo, "succeeded"),
                replay("r-4", twoHoursAgo, "succeeded"), replay("r-5", twoHoursAgo, "succeeded"),
                replay("r-6", twoHoursAgo, "dead_lettered")))).then().statusCode(202);
        // a transition as the evaluator stores one, with markup in its reason
        update("INSERT INTO slo_transition (slo_id, at, from_state, to_state, reason, evidence) SELECT id, now() - interval"
                + " '10 minutes', NULL, 'TICKET', 'burning <b>slowly</b>', '{\"state\": \"TICKET\", \"reason\": \"x\","
                + " \"burnRates\": {\"5m\": 3.5, \"1h\": 2.25}, \"windows\": {}}'::jsonb FROM slo WHERE app_id ="
                + " (SELECT id FROM app WHERE name = ?)", app);
        update("UPDATE slo SET state = 'TICKET', reason = 'slow <burn>', evaluated_at = now(), verdict = '{\"state\":"
                + " \"TICKET\", \"reason\": \"slow <burn>\", \"burnRates\": {\"5m\": 4.5, \"1h\": 1.75}, \"windows\": {},"
                + " \"errorBudgetRemaining\": 0.8}' WHERE app_id = (SELECT id FROM app WHERE name = ?)", app);

        Session viewer = signIn(token("viewer"));
        Response response = get(viewer, "/console/apps/" + app);
        assertThat(response.statusCode()).isEqualTo(200);
        String page = response.asString();
        assertThat(page).contains("<option value=\"1h\" selected>last 1h</option>")
                .contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;=true").doesNotContain("<script>alert(1)")
                .contains("burning &lt;b&gt;slowly&lt;/b&gt;").contains("slow &lt;burn&gt;")
                .contains(">TICKET</span>").contains("80.0 %").contains("5m 4.50").contains("99.50 %");
        // two replays, one dead-lettered: half succeeded, in the release's row and the cohort's
        assertThat(section(page, "id=\"by-release\"")).contains("<td>2</td><td>50.00 %</td><td>50.00 %</td>");
        assertThat(section(page, "id=\"by-cohort\"")).contains("<td>2</td><td>50.00 %</td>");
        // the burn-rate history, recomputed from the hour rollups for each hour of the last 6 h (the 1h window's
        // shortest span): windows 1h, 2h, 6h, 1d, 3d at the end of each hour; the hour now running is not a point yet
        String history = section(page, "class=\"history\"");
        assertThat(history).contains("<th scope=\"col\">1h</th><th scope=\"col\">2h</th><th scope=\"col\">6h</th>"
                + "<th scope=\"col\">1d</th><th scope=\"col\">3d</th>");
        assertThat(Pattern.compile("<tr><td>[0-9-]+ [0-9:]+ UTC</td>").matcher(history).results().count()).isEqualTo(7);
        assertThat(history)
                .contains(hourRow(lastPoint.minus(Duration.ofHours(6)), "—", "—", "—", "—", "—"))
                .contains(hourRow(lastPoint.minus(Duration.ofHours(1)), "50.00", "50.00", "50.00", "50.00", "50.00"))
                .contains(hourRow(lastPoint, "—", "50.00", "50.00", "50.00", "50.00"));
        assertThat(page).contains("Burn rates over the last 6h, by hour");
        String json = page.substring(page.indexOf("id=\"burn-history\">"), page.indexOf("</script>", page.indexOf("id=\"burn-history\"")));
        assertThat(json).contains("\"1h\":[null,null,null,null,null,50.0,null]").contains("\"3d\":[null,null,null,null,null,50.0,50.0]")
                .doesNotContain("\"5m\"").doesNotContain("<b>");
        // a week: a point an hour, from the same single read of the rollups
        String week = get(viewer, "/console/apps/" + app + "?window=7d").asString();
        assertThat(week).contains("Burn rates over the last 7d, by hour");
        assertThat(Pattern.compile("<tr><td>[0-9-]+ [0-9:]+ UTC</td>").matcher(section(week, "class=\"history\""))
                .results().count()).isEqualTo(7 * 24 + 1);
        // a viewer sees no key, origin or rollout controls
        assertThat(page).doesNotContain("ingest-keys").doesNotContain("name=\"origins\"").doesNotContain("rollouts/new");
    }

    @Test
    void theWindowIsChosenFromThoseTheSliApiAcceptsAndARefusedOneIsShownBesideTheSelect() {
        String app = createApp("console-window");
        String key = ingestKey(app);
        postBeacon(key, beacon(app, "2026.12.1", "new-sync", "c-1",
                List.of(replay("r-1", Instant.now().minus(Duration.ofMinutes(30)), "succeeded")))).then().statusCode(202);
        Session viewer = signIn(token("viewer"));

        String lastFiveMinutes = get(viewer, "/console/apps/" + app + "?window=5m").asString();
        assertThat(lastFiveMinutes).contains("<option value=\"5m\" selected>");
        assertThat(section(lastFiveMinutes, "id=\"by-release\"")).contains("No events in this window.");
        String lastHour = get(viewer, "/console/apps/" + app + "?window=1h").asString();
        assertThat(section(lastHour, "id=\"by-release\"")).contains("2026.12.1").contains("<td>1</td><td>100.00 %</td>");

        Response refused = get(viewer, "/console/apps/" + app + "?window=soon");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("aria-describedby=\"window-error\"")
                .contains("id=\"window-error\">window: &#39;soon&#39; is not a duration");
    }

    @Test
    void anAdminCreatesAKeyThatIsShownOnceWorksAndIsRevokedAfterConfirmation() {
        String app = createApp("console-keys");
        Session admin = signIn(ADMIN);
        String page = get(admin, "/console/apps/" + app).asString();
        assertThat(page).contains("No keys yet.").contains("id=\"create-key\"").contains("id=\"new-rollout\"");

        Response created = post(admin, "/console/apps/" + app + "/ingest-keys", Map.of());
        assertThat(created.statusCode()).isEqualTo(201);
        Matcher shown = NEW_KEY.matcher(created.asString());
        assertThat(shown.find()).as(created.asString()).isTrue();
        String secret = shown.group(1);
        assertThat(secret).startsWith("bwi_");
        assertThat(postBeacon(secret, beacon(app, "1", "f", "c", List.of())).statusCode()).isEqualTo(202);

        String after = get(admin, "/console/apps/" + app).asString();
        assertThat(after).doesNotContain(secret).contains(">ACTIVE</span>");
        long id = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").then().extract().jsonPath().getLong("[0].id");
        assertThat(after).contains(secret.substring(0, 8));

        Response unconfirmed = post(admin, "/console/apps/" + app + "/ingest-keys/" + id + "/revoke", Map.of());
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(unconfirmed.asString()).contains("confirm:");
        Response revoked = post(admin, "/console/apps/" + app + "/ingest-keys/" + id + "/revoke", Map.of("confirm", "yes"));
        assertThat(revoked.statusCode()).isEqualTo(303);
        assertThat(revoked.header("Location")).endsWith("/console/apps/" + app);
        assertThat(get(admin, "/console/apps/" + app).asString()).contains(">REVOKED</span>").doesNotContain(">ACTIVE</span>");
        assertThat(postBeacon(secret, beacon(app, "1", "f", "c", List.of())).statusCode()).isEqualTo(401);
        assertThat(post(admin, "/console/apps/" + app + "/ingest-keys/999999999/revoke", Map.of("confirm", "yes"))
                .statusCode()).isEqualTo(404);
    }

    @Test
    void aKeysNameIsShownAsTextWhenCreatedAndInTheListAndARefusedOneBesideItsFieldWithTheTextKept() {
        String app = createApp("console-key-names");
        Session admin = signIn(ADMIN);
        assertThat(get(admin, "/console/apps/" + app).asString())
                .contains("<label for=\"key-name\">").contains("id=\"key-name\" name=\"name\"");

        String markup = "<script>alert(1)</script> & \"web\"";
        String escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;web&quot;";
        Response created = post(admin, "/console/apps/" + app + "/ingest-keys", Map.of("name", markup));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.asString()).contains("id=\"new-key-name\">" + escaped + "</strong>").doesNotContain("<script>alert");
        assertThat(post(admin, "/console/apps/" + app + "/ingest-keys", Map.of("name", "")).statusCode()).isEqualTo(201);
        assertThat(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").then().extract().jsonPath()
                .<String>getList("name")).containsExactly(markup, null);

        String keys = section(get(admin, "/console/apps/" + app).asString(), "<table id=\"keys\">");
        assertThat(keys).contains("<th scope=\"col\">Name</th>")
                .contains("<td class=\"key-name\">" + escaped + "</td>")
                .contains("<td class=\"key-name\"><span class=\"none\">—</span></td>")
                .doesNotContain("<script>alert");

        Response refused = post(admin, "/console/apps/" + app + "/ingest-keys", Map.of("name", "<b>" + "k".repeat(61)));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("aria-describedby=\"key-name-error\"")
                .contains("id=\"key-name-error\">name must be at most 63 characters")
                .contains("value=\"&lt;b&gt;" + "k".repeat(61) + "\"");
        Response blank = post(admin, "/console/apps/" + app + "/ingest-keys", Map.of("name", "  "));
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.asString()).contains("id=\"key-name-error\">name must not be blank");
        assertThat(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").then().extract().jsonPath()
                .getList("id")).hasSize(2);
    }

    @Test
    void originsAreEditedThroughTheApiRulesAndARefusedOneIsShownBesideTheFieldWithTheTextKept() {
        String app = createApp("console-origins", "\"allowedOrigins\": [\"https://notes.example\"]");
        Session admin = signIn(ADMIN);
        assertThat(get(admin, "/console/apps/" + app).asString()).contains(">https://notes.example</textarea>");

        Response refused = post(admin, "/console/apps/" + app + "/origins",
                Map.of("origins", "https://ok.example\nhttps://bad.example/<b>path</b>"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("aria-describedby=\"origins-error\"")
                .contains("id=\"origins-error\">allowedOrigins[1]: &#39;https://bad.example/&lt;b&gt;path&lt;/b&gt;&#39; is not an origin")
                .contains(">https://ok.example\nhttps://bad.example/&lt;b&gt;path&lt;/b&gt;</textarea>");
        assertThat(origins(app)).containsExactly("https://notes.example");

        Response saved = post(admin, "/console/apps/" + app + "/origins", Map.of("origins", " https://a.example \n\nhttp://localhost:5173\n"));
        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(origins(app)).containsExactly("https://a.example", "http://localhost:5173");
    }

    /** Each SLO's burn history reads the rollup rows the evaluator reads: its journey's, other's, or every one. */
    @Test
    void aJourneySlosBurnHistoryCountsThatJourneysReplaysAlone() {
        String app = createApp("console-journey-slo");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"mutations\": [\"order.submit\"], \"criticality\": \"critical\"}")
                .put("/v1/apps/" + app + "/journeys/checkout").then().statusCode(201);
        for (String[] slo : new String[][] {{"a-all", ""}, {"b-checkout", ", \"journey\": \"checkout\""},
                {"c-unmatched", ", \"journey\": \"other\""}}) {
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body("{\"sli\": \"replay_success_ratio\", \"objective\": 0.9" + slo[1] + "}")
                    .put("/v1/apps/" + app + "/slos/" + slo[0]).then().statusCode(201);
        }
        // two hours ago: checkout dead-letters 1 of 2, notes none of 8, so the app 1 of 10
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        List<String> events = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add("{\"id\": \"j-" + i + "\", \"type\": \"replay\", \"at\": \"" + twoHoursAgo + "\", \"mutation\": \""
                    + (i < 2 ? "order.submit" : "note.update") + "\", \"outcome\": \"" + (i == 0 ? "dead_lettered" : "succeeded")
                    + "\", \"attempts\": 1}");
        }
        postBeacon(ingestKey(app), beacon(app, "1.0", "f", "c-1", events)).then().statusCode(202);

        String page = get(signIn(token("viewer")), "/console/apps/" + app).asString();
        Instant hourAfter = twoHoursAgo.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        // burn = error ratio / 0.1: the app 0.1, checkout 0.5, other (the notes) 0
        assertThat(section(page, "id=\"slo-0-history\"")).contains(hourRow(hourAfter, "1.00", "1.00", "1.00", "1.00", "1.00"));
        assertThat(section(page, "id=\"slo-1-history\"")).contains(hourRow(hourAfter, "5.00", "5.00", "5.00", "5.00", "5.00"));
        assertThat(section(page, "id=\"slo-2-history\"")).contains(hourRow(hourAfter, "0.00", "0.00", "0.00", "0.00", "0.00"));
    }

    @Test
    void aViewersAndAReleaseManagersForgedAdminPostsAndPostsWithoutCsrfAreRefused() {
        String app = createApp("console-forged");
        String key = ingestKey(app);
        long id = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").then().extract().jsonPath().getLong("[0].id");
        for (String role : List.of("viewer", "release-manager", "on-call")) {
            Session session = signIn(token(role));
            assertThat(get(session, "/console/apps/" + app).asString()).as(role).doesNotContain("create-key")
                    .doesNotContain("name=\"origins\"");
            assertThat(post(session, "/console/apps/" + app + "/ingest-keys", Map.of()).statusCode()).as(role).isEqualTo(403);
            assertThat(post(session, "/console/apps/" + app + "/ingest-keys/" + id + "/revoke", Map.of("confirm", "yes"))
                    .statusCode()).as(role).isEqualTo(403);
            assertThat(post(session, "/console/apps/" + app + "/origins", Map.of("origins", "*")).statusCode()).as(role)
                    .isEqualTo(403);
        }
        for (String role : List.of("viewer", "on-call")) {
            Session session = signIn(token(role));
            assertThat(get(session, "/console/apps/" + app).asString()).as(role).doesNotContain("rollouts/new");
            assertThat(get(session, "/console/apps/" + app + "/rollouts/new").statusCode()).as(role).isEqualTo(403);
            assertThat(post(session, "/console/apps/" + app + "/rollouts/new", Map.of("flag", "f", "guardSli",
                    "dead_letter_ratio", "guardAction", "kill")).statusCode()).as(role).isEqualTo(403);
        }
        Session admin = signIn(ADMIN);
        Response withoutCsrf = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .contentType(ContentType.URLENC).formParam("confirm", "yes")
                .post("/console/apps/" + app + "/ingest-keys/" + id + "/revoke");
        assertThat(withoutCsrf.statusCode()).isEqualTo(403);
        Response crossSite = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .header("Sec-Fetch-Site", "cross-site").contentType(ContentType.URLENC).formParam("csrf", admin.csrf())
                .formParam("origins", "*").post("/console/apps/" + app + "/origins");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/ingest-keys").then().extract().jsonPath()
                .getList("revokedAt")).containsOnlyNulls().hasSize(1);
        assertThat(origins(app)).isEmpty();
        assertThat(postBeacon(key, beacon(app, "1", "f", "c", List.of())).statusCode()).isEqualTo(202);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a flag name Unleash cannot have|flag|<b>new flag</b>|1, 5|5m|200|dead_letter_ratio|kill|flag must be an Unleash flag name",
            "steps out of order|steps|new-flag|5, 1|5m|200|dead_letter_ratio|kill|steps[1]: steps are percentages from 1 to 100",
            "steps that are not numbers|steps|new-flag|5, many|5m|200|dead_letter_ratio|kill|steps: whole percentages",
            "a bake that is no duration|bake|new-flag|1, 5|soon|200|dead_letter_ratio|kill|bake: &#39;soon&#39; is not a duration",
            "a negative minimum sample|minSample|new-flag|1, 5|5m|-1|dead_letter_ratio|kill|minSamplePerCohort must be greater than or equal to 0",
            "a guard without an action|guards|new-flag|1, 5|5m|200|dead_letter_ratio||guards[0]: a guard needs an sli and an action",
            "no guard|guards|new-flag|1, 5|5m|200|||guards must not be empty",
            "an indicator that does not exist|guards|new-flag|1, 5|5m|200|happiness|kill|unknown SLI &#39;happiness&#39;",
    })
    void theApisRefusalOfARolloutIsShownBesideItsFieldWithTheInputKept(String what, String field, String flag, String steps,
            String bake, String minSample, String sli, String action, String message) {
        String app = createApp("console-new");
        Session manager = signIn(token("release-manager"));
        Response response = post(manager, "/console/apps/" + app + "/rollouts/new", Map.of("flag", flag, "project", "default",
                "environment", "development", "steps", steps, "bake", bake, "minSample", minSample,
                "guardSli", sli == null ? "" : sli, "guardAction", action == null ? "" : action, "dryRun", "yes"));
        assertThat(response.statusCode()).isEqualTo(400);
        String page = response.asString();
        assertThat(page).contains("aria-describedby=\"" + field + "-error\"");
        assertThat(page.substring(page.indexOf("id=\"" + field + "-error\""))).as(page).startsWith("id=\"" + field + "-error\">")
                .contains(message);
        assertThat(page).contains("value=\"" + steps + "\"").contains("value=\"" + bake + "\"").contains(" checked>")
                .contains("value=\"" + flag.replace("<", "&lt;").replace(">", "&gt;") + "\"");
        assertThat(given().auth().oauth2(ADMIN).queryParam("app", app).get("/v1/rollouts").then().extract().jsonPath()
                .getList("$")).isEmpty();
    }

    @Test
    void withoutUnleashTheFormSaysSoTakesTypedNamesAndShowsTheApisAnswer() {
        String app = createApp("console-no-unleash");
        Session manager = signIn(token("release-manager"));
        String form = get(manager, "/console/apps/" + app + "/rollouts/new").asString();
        assertThat(form).contains("id=\"catalog-note\"").contains("Unleash is not configured")
                .contains("<input type=\"text\" id=\"flag\" name=\"flag\"").contains("id=\"project\" name=\"project\" value=\"default\"")
                .contains("value=\"1, 5, 25, 50, 100\"").contains("<label for=\"guard-sli-0\">");
        Response answer = post(manager, "/console/apps/" + app + "/rollouts/new", Map.of("flag", "new-flag", "project",
                "default", "environment", "development", "guardSli", "dead_letter_ratio", "guardAction", "kill"));
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.asString()).contains("id=\"form-error\"").contains("Unleash is not configured");
    }

    @Test
    void anUnknownAppIsANotFoundPage() {
        Session admin = signIn(ADMIN);
        for (String path : List.of("/console/apps/no-such-app", "/console/apps/no-such-app/rollouts/new")) {
            Response response = get(admin, path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.contentType()).startsWith("text/html");
            assertThat(response.asString()).contains("no app named &#39;no-such-app&#39;");
        }
        assertThat(post(admin, "/console/apps/no-such-app/ingest-keys", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void theOverviewLinksEachAppToItsPage() {
        String app = createApp("console-link");
        Session viewer = signIn(token("viewer"));
        assertThat(ConsoleClient.overview(viewer.cookie()).asString()).contains("<a href=\"/console/apps/" + app + "\">" + app + "</a>");
    }

    private static String beacon(String app, String release, String flag, String client, List<String> events) {
        return "{\"schema\": 1, \"app\": \"" + app + "\", \"release\": \"" + release + "\", \"client\": \"" + client
                + "\", \"flags\": {\"" + flag + "\": true}, \"events\": [" + String.join(", ", events) + "]}";
    }

    /** Now, once now is not in the last half minute of an hour (waiting at most that half minute). */
    private static Instant notInTheLastHalfMinuteOfAnHour() throws InterruptedException {
        Instant now = Instant.now();
        Instant nextHour = now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        if (Duration.between(now, nextHour).compareTo(Duration.ofSeconds(30)) < 0) {
            Thread.sleep(Duration.between(now, nextHour).toMillis() + 100);
            now = Instant.now();
        }
        return now;
    }

    private static String hourRow(Instant hourEnding, String... burnRates) {
        return "<tr><td>" + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(hourEnding.atOffset(java.time.ZoneOffset.UTC)) + "</td><td>" + String.join("</td><td>", burnRates)
                + "</td></tr>";
    }

    private static List<String> origins(String app) {
        return given().auth().oauth2(ADMIN).get("/v1/apps/" + app).then().statusCode(200).extract().jsonPath()
                .getList("allowedOrigins");
    }

    private static String section(String page, String start) {
        int from = page.indexOf(start);
        assertThat(from).as("%s in the page", start).isNotNegative();
        return page.substring(from, page.indexOf("</table>", from));
    }

    private static Response get(Session session, String path) {
        return given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie()).get(path);
    }

    private static Response post(Session session, String path, Map<String, String> form) {
        var request = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", session.csrf());
        for (Map.Entry<String, String> field : form.entrySet()) {
            request = request.formParam(field.getKey(), field.getValue());
        }
        return request.post(path);
    }

    private void update(String sql, String parameter) throws SQLException {
        try (Connection connection = database.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            statement.executeUpdate();
        }
    }
}

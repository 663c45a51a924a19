package dev.bellwether.console;

import static dev.bellwether.console.ConsoleClient.runningRollout;
import static dev.bellwether.console.ConsoleClient.signIn;
import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.console.ConsoleClient.Session;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.judge.Verdict;
import dev.bellwether.rollout.GuardSpec;
import dev.bellwether.rollout.Rollout;
import dev.bellwether.slo.Sli;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A rollout's console page over real HTTP on a real PostgreSQL: content, escaping, roles, paging and the live part. */
@QuarkusTest
class ConsoleRolloutsTest {

    private static final Pattern LIVE_VERSION = Pattern.compile("id=\"live-version\" name=\"version\" value=\"([^\"]+)\"");

    @Inject
    AgroalDataSource database;

    @Test
    void theRolloutPageShowsThePlanTheGuardsFiguresAndTheAuditAndActsForAReleaseManager() {
        String app = createApp("console-rollout");
        String flag = "page-flag-" + UUID.randomUUID().toString().substring(0, 8);
        long id = runningRollout(app, flag);
        // canary: 3 of 10 replays dead-lettered; control: 1 of 10
        String key = ingestKey(app);
        Instant now = Instant.now();
        postBeacon(key, beacon(app, "canary-client", Map.of(flag, true), replays("c", 10, 3, now))).then().statusCode(202);
        postBeacon(key, beacon(app, "control-client", Map.of(flag, false), replays("k", 10, 1, now))).then().statusCode(202);
        QuarkusTransaction.requiringNew().run(() -> {
            Rollout rollout = Rollout.findById(id);
            rollout.verdict = new Verdict(Verdict.Outcome.FAIL, GuardAction.KILL, "dead_letter_ratio: canary worse",
                    List.of(new Verdict.GuardResult("dead_letter_ratio", null, GuardAction.KILL,
                            Verdict.Outcome.FAIL, "bad ratio: canary 0.3000 vs control 0.1000", 10, 10, 0.05, List.of(new Verdict.Comparison(
                            "bad ratio", 0.3, 0.1, 0.025, 1234.5, true, 0)))));
        });
        Session manager = signIn(token("release-manager"));

        String page = rolloutPage(manager, id).asString();
        assertThat(page).contains("Rollout " + id + ": " + flag, "<strong>DRY RUN</strong>", ">RUNNING</span>",
                "id=\"rollout-step\">1 of 3<", "id=\"rollout-percentage\">1 %<", "(project default, environment development)");
        assertThat(section(page, "timeline")).contains("Step 1: 1 %", "baking", "of 5 min (", "Step 2: 5 %", "not reached");
        String guard = section(page, "guards");
        assertThat(guard).contains(">FAIL</span>", "Fails, and asks to kill: bad ratio: canary 0.3000 vs control 0.1000.",
                "<td>30.000 %</td><td>10.000 %</td><td>2.500 %</td><td>1.23e+03</td><td>20.0</td><td>REGRESSION</td>",
                // the same figures over time as the chart's: percent of valid events dead-lettered, by minute
                "<td>30</td><td>10</td>", "\"canary\":[30.0]", "\"control\":[10.0]");
        assertThat(page).contains("src=\"/console/assets/chart.js\"", "src=\"/console/static/rollout.js\"");
        assertThat(section(page, "convergence")).contains("Not killed");
        // a release manager may pause, promote and roll back a running rollout; kill is on-call's
        assertThat(section(page, "rollout-actions")).contains("action=\"/console/rollouts/" + id + "/pause\"",
                "action=\"/console/rollouts/" + id + "/promote\"", "action=\"/console/rollouts/" + id + "/rollback\"")
                .doesNotContain("/kill\"", "/resume\"", "/start\"");

        Response paused = act(manager, id, "pause", "<script>alert('x')</script> waiting on support", "rollout");
        assertThat(paused.statusCode()).isEqualTo(303);
        assertThat(paused.header("Location")).endsWith("/console/rollouts/" + id);
        Response fromOverview = act(manager, id, "resume", "back to it", null);
        assertThat(fromOverview.header("Location")).endsWith("/console");
        Response elsewhere = act(manager, id, "pause", "again", "https://evil.example/");
        assertThat(elsewhere.header("Location")).as("only a page name, never an address").endsWith("/console");

        String after = rolloutPage(manager, id).asString();
        String audit = section(after, "audit");
        assertThat(audit).doesNotContain("<script>alert")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; waiting on support", "RUNNING (step 1) → PAUSED (step 1)");
        assertThat(audit.indexOf(">again<")).as("newest first").isLessThan(audit.indexOf("back to it"));
        assertThat(section(after, "rollout-actions")).contains("/resume\"").doesNotContain("/pause\"");
    }

    /** Two guards on one indicator, the app's and a journey's: each its own panel, chart and figures. */
    @Test
    void aJourneyGuardHasItsOwnPanelBesideTheAppsGuardOnTheSameIndicator() {
        String app = createApp("console-journey");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"mutations\": [\"order.submit\"], \"criticality\": \"critical\"}")
                .put("/v1/apps/" + app + "/journeys/checkout").then().statusCode(201);
        String flag = "journey-page-" + UUID.randomUUID().toString().substring(0, 8);
        long id = runningRollout(app, flag);
        QuarkusTransaction.requiringNew().run(() -> Rollout.<Rollout>findById(id).guards = List.of(
                GuardSpec.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL),
                new GuardSpec(Sli.DEAD_LETTER_RATIO, "checkout", GuardAction.KILL)));
        // canary checkout: 2 of 4 dead-lettered; canary notes: none of 16
        String key = ingestKey(app);
        Instant now = Instant.now();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add("{\"id\": \"j" + i + "\", \"type\": \"replay\", \"at\": \"" + now + "\", \"mutation\": \""
                    + (i < 4 ? "order.submit" : "note.update") + "\", \"outcome\": \""
                    + (i < 2 ? "dead_lettered" : "succeeded") + "\", \"attempts\": 1}");
        }
        postBeacon(key, beacon(app, "canary-client", Map.of(flag, true), events)).then().statusCode(202);

        String guards = section(rolloutPage(signIn(ADMIN), id).asString(), "guards");
        assertThat(guards).contains("<h3>dead_letter_ratio <small>", "<h3>dead_letter_ratio (journey checkout) <small>",
                "id=\"chart-dead_letter_ratio\"", "id=\"chart-dead_letter_ratio-checkout\"",
                "data-chart=\"chart-dead_letter_ratio-checkout\"", "\"canary\":[10.0]", "\"canary\":[50.0]");
    }

    @Test
    void markupInAFlagNameIsShownAsText() {
        String app = createApp("console-markup");
        long id = runningRollout(app, "<img src=x onerror=alert(1)>" + UUID.randomUUID().toString().substring(0, 8));
        String page = rolloutPage(signIn(ADMIN), id).asString();
        assertThat(page).doesNotContain("<img src=x").contains("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(page.substring(page.indexOf("id=\"chart-dead_letter_ratio\""))).doesNotContain("</script><");
    }

    @Test
    void aViewerSeesNoActionAndAForgedKillIsRefused() {
        String app = createApp("console-rollout-viewer");
        long id = runningRollout(app, "viewer-page-" + UUID.randomUUID().toString().substring(0, 8));
        Session viewer = signIn(token("viewer"));
        String page = rolloutPage(viewer, id).asString();
        assertThat(page).contains(">RUNNING</span>").doesNotContain("<form class=\"action\"")
                .contains("your role (viewer) may give none");
        Response forged = act(viewer, id, "kill", "not mine", "rollout");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().extract().<String>path("state"))
                .isEqualTo("RUNNING");
        Response onCall = act(signIn(token("on-call")), id, "kill", "paged: errors up", "rollout");
        assertThat(onCall.statusCode()).isEqualTo(303);
        assertThat(section(rolloutPage(viewer, id).asString(), "audit")).contains("paged: errors up", "RUNNING (step 1) → KILLED");
    }

    @Test
    void aMissingRolloutIsA404PageAndABadPageOfDecisionsA400() {
        Session admin = signIn(ADMIN);
        Response missing = rolloutPage(admin, Long.MAX_VALUE);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("text/html");
        assertThat(missing.asString()).contains("No such rollout");
        Response live = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .get("/console/rollouts/" + Long.MAX_VALUE + "/live");
        assertThat(live.statusCode()).isEqualTo(404);
        Response bad = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .queryParam("before", "soon").get("/console/rollouts/1");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.asString()).contains("before:");
        assertThat(given().redirects().follow(false).get("/console/rollouts/1").statusCode()).isEqualTo(303);
    }

    @Test
    void theAuditShowsTheNewestDecisionsAPageAtATime() throws SQLException {
        String app = createApp("console-audit");
        long id = runningRollout(app, "audit-flag-" + UUID.randomUUID().toString().substring(0, 8));
        int total = RolloutPageBuilder.DECISIONS_PER_PAGE + 7;
        try (Connection connection = database.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO rollout_decision (rollout_id, at, actor, trigger, reason, from_state, from_step, to_state,"
                        + " to_step, actuation, dry_run) SELECT ?, now() - (? - n) * interval '1 second', 'bellwether',"
                        + " 'advance', 'decision ' || n || ';', 'RUNNING', 0, 'RUNNING', 0, '{\"type\": \"none\"}', true"
                        + " FROM generate_series(1, ?) n")) {
            insert.setLong(1, id);
            insert.setInt(2, total);
            insert.setInt(3, total);
            assertThat(insert.executeUpdate()).isEqualTo(total);
        }
        Session admin = signIn(ADMIN);
        String newest = section(rolloutPage(admin, id).asString(), "audit");
        assertThat(rows(newest)).isEqualTo(RolloutPageBuilder.DECISIONS_PER_PAGE);
        assertThat(newest).contains("decision " + total + ";", "decision 8;").doesNotContain("decision 7;");
        Matcher older = Pattern.compile("href=\"/console/rollouts/" + id + "\\?before=(\\d+)\" id=\"older\"").matcher(newest);
        assertThat(older.find()).as(newest).isTrue();
        Response olderPage = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .queryParam("before", older.group(1)).get("/console/rollouts/" + id);
        String oldest = section(olderPage.asString(), "audit");
        assertThat(rows(oldest)).isEqualTo(7);
        assertThat(oldest).contains("decision 7;", "decision 1;", "Newest decisions").doesNotContain("id=\"older\"");
        assertThat(olderPage.asString()).contains("/live?before=" + older.group(1));
    }

    /** With automation off the controller records what it would do; the timeline must not show it as a step begun. */
    @Test
    void anAdvanceRecordedButNotAppliedDoesNotStartTheNextStep() throws SQLException {
        String app = createApp("console-unapplied");
        long id = runningRollout(app, "unapplied-flag-" + UUID.randomUUID().toString().substring(0, 8));
        try (Connection connection = database.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO rollout_decision (rollout_id, at, actor, trigger, reason, from_state, from_step, to_state,"
                        + " to_step, actuation, dry_run, applied, answer) VALUES (?, now(), 'bellwether', 'advance',"
                        + " 'would step up', 'RUNNING', 0, 'RUNNING', 1, '{\"type\": \"none\"}', true, false,"
                        + " 'automation is off (switch): recorded, not applied')")) {
            insert.setLong(1, id);
            assertThat(insert.executeUpdate()).isOne();
        }
        String timeline = section(rolloutPage(signIn(ADMIN), id).asString(), "timeline");
        String second = timeline.substring(timeline.indexOf("id=\"step-2\""));
        second = second.substring(0, second.indexOf("</li>"));
        assertThat(second).contains("not reached", "Started: —").doesNotContain("would step up");
    }

    @Test
    void theLiveFragmentIsEmptyUntilADecisionIsTakenThenCarriesTheChangedParts() {
        String app = createApp("console-live");
        long id = runningRollout(app, "live-flag-" + UUID.randomUUID().toString().substring(0, 8));
        Session manager = signIn(token("release-manager"));
        String version = settled(manager, "/console/rollouts/" + id + "/live", version(rolloutPage(manager, id).asString()));

        given().auth().oauth2(token("release-manager")).contentType(ContentType.JSON)
                .body("{\"reason\": \"taken through the API\"}").post("/v1/rollouts/" + id + "/pause").then().statusCode(200);
        Response changed = live(manager, "/console/rollouts/" + id + "/live", version);
        assertThat(changed.statusCode()).isEqualTo(200);
        String fragment = changed.asString();
        assertThat(fragment).doesNotContain("<html").contains("id=\"audit\" aria-labelledby=\"audit-title\" hx-swap-oob=\"true\"",
                "id=\"rollout-actions\"", "taken through the API", ">PAUSED</span>");
        String next = version(fragment);
        assertThat(next).isNotEqualTo(version);
        settled(manager, "/console/rollouts/" + id + "/live", next);

        // the overview: its rollouts and what needs a person, the same way
        String overview = ConsoleClient.overview(manager.cookie()).asString();
        assertThat(overview).contains("href=\"/console/rollouts/" + id + "\"");
        String overviewVersion = settled(manager, "/console/live", version(overview));
        given().auth().oauth2(token("release-manager")).contentType(ContentType.JSON)
                .body("{\"reason\": \"resumed through the API\"}").post("/v1/rollouts/" + id + "/resume").then().statusCode(200);
        Response overviewChanged = live(manager, "/console/live", overviewVersion);
        assertThat(overviewChanged.statusCode()).isEqualTo(200);
        assertThat(overviewChanged.asString()).contains("id=\"active-rollouts\" hx-swap-oob=\"true\"",
                "id=\"attention\" hx-swap-oob=\"true\"", "resumed through the API");
    }

    @Test
    void aVerdictAloneChangesTheOverviewsLiveFragment() {
        String app = createApp("console-verdict");
        long id = runningRollout(app, "verdict-flag-" + UUID.randomUUID().toString().substring(0, 8));
        Session manager = signIn(token("release-manager"));
        String version = settled(manager, "/console/live", version(ConsoleClient.overview(manager.cookie()).asString()));

        // the judge stores a verdict without taking a decision when the rollout neither moves nor stops
        QuarkusTransaction.requiringNew().run(() -> {
            Rollout rollout = Rollout.findById(id);
            rollout.verdict = new Verdict(Verdict.Outcome.HOLD, null, "canary sample below the minimum", List.of());
        });
        Response changed = live(manager, "/console/live", version);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.asString()).contains("id=\"active-rollouts\" hx-swap-oob=\"true\"",
                "Holding: canary sample below the minimum.");
    }

    private static List<String> replays(String prefix, int n, int deadLettered, Instant at) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(replay(prefix + "-" + i, at, i < deadLettered ? "dead_lettered" : "succeeded"));
        }
        return events;
    }

    private static Response rolloutPage(Session session, long id) {
        return given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .get("/console/rollouts/" + id);
    }

    /**
     * The version a poll finds unchanged (204). The rollout page's version also moves with the minute, and a controller
     * tick may judge the new rollout for the first time: at most one such refresh is allowed before it settles.
     */
    private static String settled(Session session, String path, String version) {
        Response first = live(session, path, version);
        if (first.statusCode() == 204) {
            return version;
        }
        assertThat(first.statusCode()).isEqualTo(200);
        String refreshed = version(first.asString());
        assertThat(live(session, path, refreshed).statusCode()).as("unchanged after one refresh").isEqualTo(204);
        return refreshed;
    }

    private static Response live(Session session, String path, String version) {
        return given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .queryParam("version", version).get(path);
    }

    private static Response act(Session session, long id, String command, String reason, String back) {
        var request = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", session.csrf()).formParam("reason", reason)
                .formParam("confirm", "yes");
        if (back != null) {
            request = request.formParam("back", back);
        }
        return request.post("/console/rollouts/" + id + "/" + command);
    }

    private static String version(String page) {
        Matcher matcher = LIVE_VERSION.matcher(page);
        assertThat(matcher.find()).as(page).isTrue();
        return matcher.group(1);
    }

    /** A section of the page, from its id to the next section. */
    private static String section(String page, String id) {
        int start = page.indexOf("<section id=\"" + id + "\"");
        assertThat(start).as("section " + id + " in " + page).isNotNegative();
        int end = page.indexOf("<section", start + 1);
        return page.substring(start, end < 0 ? page.length() : end);
    }

    private static int rows(String audit) {
        return audit.split("<tr id=\"decision-").length - 1;
    }
}

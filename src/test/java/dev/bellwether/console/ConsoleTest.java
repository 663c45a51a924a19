package dev.bellwether.console;

import static dev.bellwether.console.ConsoleClient.overview;
import static dev.bellwether.console.ConsoleClient.runningRollout;
import static dev.bellwether.console.ConsoleClient.signIn;
import static dev.bellwether.console.ConsoleClient.signInResponse;
import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.console.ConsoleClient.Session;
import io.agroal.api.AgroalDataSource;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The console over real HTTP on a real PostgreSQL: sign-in, sessions, CSRF, roles and escaping. */
@QuarkusTest
class ConsoleTest {

    @Inject
    AgroalDataSource database;

    @Test
    void anUnauthenticatedVisitIsSentToSignInWhileTheApiKeepsProblemJson() {
        Response page = given().redirects().follow(false).get("/console");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.header("Location")).endsWith("/console/sign-in");
        Response form = given().get("/console/sign-in");
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.asString()).contains("type=\"password\" id=\"token\" name=\"token\"");
        Response api = given().get("/v1/apps");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.contentType()).startsWith("application/problem+json");
        Response command = given().redirects().follow(false).contentType(ContentType.URLENC).formParam("reason", "x")
                .formParam("confirm", "yes").post("/console/rollouts/1/pause");
        assertThat(command.statusCode()).isEqualTo(401);
    }

    @Test
    void signInSetsAStrictHttpOnlySessionCookieAndSignOutEndsTheSession() {
        Response signedIn = signInResponse(ADMIN, "192.0.2.10");
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.header("Location")).endsWith("/console");
        String setCookie = sessionSetCookie(signedIn);
        assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/console")
                .doesNotContain("Secure");
        String cookie = signedIn.getCookie(ConsoleGate.SESSION_COOKIE);
        assertThat(cookie).startsWith("bws_");
        assertThat(rows("SELECT count(*) FROM console_session WHERE id_hash = sha256(convert_to(?, 'UTF8'))", cookie)).isEqualTo(1);
        assertThat(rows("SELECT count(*) FROM console_session WHERE token_hash = sha256(convert_to(?, 'UTF8'))", ADMIN))
                .isPositive();

        Response page = overview(cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.asString()).contains("Signed in as <strong id=\"signed-in-as\">bootstrap-admin</strong>");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.header("Cache-Control")).contains("no-store");

        String csrf = ConsoleClient.csrfIn(page.asString());
        Response out = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, cookie)
                .contentType(ContentType.URLENC).formParam("csrf", csrf).post("/console/sign-out");
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.header("Location")).endsWith("/console/sign-in");
        assertThat(sessionSetCookie(out)).contains("Max-Age=0");
        assertThat(overview(cookie).statusCode()).isEqualTo(303);
    }

    @Test
    void theSessionCookieIsSecureWhenTheRequestCameOverHttps() {
        Response form = given().header("X-Forwarded-Proto", "https").get("/console/sign-in");
        assertThat(form.header("Set-Cookie")).contains("Secure");
        Response signedIn = given().redirects().follow(false).header("X-Forwarded-Proto", "https")
                .cookie(ConsoleResource.SIGN_IN_COOKIE, form.getCookie(ConsoleResource.SIGN_IN_COOKIE))
                .contentType(ContentType.URLENC).formParam("token", ADMIN)
                .formParam("csrf", ConsoleClient.csrfIn(form.asString())).post("/console/sign-in");
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(sessionSetCookie(signedIn)).contains("Secure").contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
    }

    @Test
    void aSignInPostedWithoutTheFormsOwnTokenIsRefused() {
        Response forged = given().redirects().follow(false).contentType(ContentType.URLENC).formParam("token", ADMIN)
                .post("/console/sign-in");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.getCookie(ConsoleGate.SESSION_COOKIE)).isNull();
        Response crossSite = given().redirects().follow(false).header("Sec-Fetch-Site", "cross-site")
                .cookie(ConsoleResource.SIGN_IN_COOKIE, "abc").contentType(ContentType.URLENC)
                .formParam("token", ADMIN).formParam("csrf", "abc").post("/console/sign-in");
        assertThat(crossSite.statusCode()).isEqualTo(403);
    }

    @Test
    void failedSignInsAreBoundedPerAddressAndABoundedAddressLearnsNothingOfAToken() {
        String address = "198.51.100." + (1 + (int) (Math.random() * 250));
        for (int i = 0; i < 10; i++) {
            Response wrong = signInResponse("bwt_not-a-token-" + i, address);
            assertThat(wrong.statusCode()).as("attempt %d", i + 1).isEqualTo(401);
            assertThat(wrong.asString()).contains("token: this token is unknown or revoked.");
        }
        Response limited = signInResponse("bwt_not-a-token", address);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isPositive();
        // a valid token from the limited address is refused the same way: no oracle
        Response valid = signInResponse(ADMIN, address);
        assertThat(valid.statusCode()).isEqualTo(429);
        assertThat(valid.getCookie(ConsoleGate.SESSION_COOKIE)).isNull();
        // another address is not held back by this one
        assertThat(signInResponse(ADMIN, "203.0.113.200").statusCode()).isEqualTo(303);
    }

    /** A tab left open polls in the background; that must not count as use, or a session would never go idle. */
    @Test
    void backgroundPollsDoNotKeepASessionAliveAndSendAnEndedOneToSignIn() throws SQLException {
        Session open = signIn(ADMIN);
        update("UPDATE console_session SET last_seen_at = now() - interval '29 minutes' WHERE id_hash = sha256(convert_to(?, 'UTF8'))",
                open.cookie());
        Response poll = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, open.cookie()).get("/console/live");
        assertThat(poll.statusCode()).isIn(200, 204);
        assertThat(rows("SELECT count(*) FROM console_session WHERE last_seen_at < now() - interval '28 minutes'"
                + " AND id_hash = sha256(convert_to(?, 'UTF8'))", open.cookie())).as("last use unchanged by the poll").isOne();

        update("UPDATE console_session SET last_seen_at = now() - interval '31 minutes' WHERE id_hash = sha256(convert_to(?, 'UTF8'))",
                open.cookie());
        Response ended = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, open.cookie()).get("/console/live");
        assertThat(ended.statusCode()).isEqualTo(401);
        assertThat(ended.header("HX-Redirect")).as("htmx loads the sign-in page instead of polling on").isEqualTo("/console/sign-in");
    }

    @Test
    void aPageViewRecordsUseAtMostOnceAMinute() throws SQLException {
        Session open = signIn(ADMIN);
        String seenAgo = "SELECT count(*) FROM console_session WHERE id_hash = sha256(convert_to(?, 'UTF8'))"
                + " AND last_seen_at < now() - interval '%s'";
        update("UPDATE console_session SET last_seen_at = now() - interval '30 seconds' WHERE id_hash ="
                + " sha256(convert_to(?, 'UTF8'))", open.cookie());
        assertThat(overview(open.cookie()).statusCode()).isEqualTo(200);
        assertThat(rows(seenAgo.formatted("20 seconds"), open.cookie())).as("used 30 s ago: not written again").isOne();

        update("UPDATE console_session SET last_seen_at = now() - interval '5 minutes' WHERE id_hash ="
                + " sha256(convert_to(?, 'UTF8'))", open.cookie());
        assertThat(overview(open.cookie()).statusCode()).isEqualTo(200);
        assertThat(rows(seenAgo.formatted("1 minute"), open.cookie())).as("used 5 min ago: written").isZero();
    }

    @Test
    void idleAndOldSessionsEnd() throws SQLException {
        Session idle = signIn(ADMIN);
        update("UPDATE console_session SET last_seen_at = now() - interval '31 minutes' WHERE id_hash = sha256(convert_to(?, 'UTF8'))",
                idle.cookie());
        assertThat(overview(idle.cookie()).statusCode()).isEqualTo(303);
        assertThat(rows("SELECT count(*) FROM console_session WHERE id_hash = sha256(convert_to(?, 'UTF8'))", idle.cookie()))
                .isZero();

        Session old = signIn(ADMIN);
        update("UPDATE console_session SET created_at = now() - interval '12 hours 1 minute' WHERE id_hash ="
                + " sha256(convert_to(?, 'UTF8'))", old.cookie());
        assertThat(overview(old.cookie()).statusCode()).isEqualTo(303);

        Session fresh = signIn(ADMIN);
        assertThat(overview(fresh.cookie()).statusCode()).isEqualTo(200);
    }

    @Test
    void aRevokedTokenEndsItsSessionsAtTheirNextRequest() {
        String name = "revoked-" + UUID.randomUUID();
        var created = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"role\": \"release-manager\", \"name\": \"" + name + "\"}").post("/v1/tokens")
                .then().statusCode(201).extract();
        Session session = signIn(created.path("token"));
        assertThat(overview(session.cookie()).statusCode()).isEqualTo(200);
        given().auth().oauth2(ADMIN).delete("/v1/tokens/" + created.path("id")).then().statusCode(204);
        assertThat(overview(session.cookie()).statusCode()).isEqualTo(303);
        Response command = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", session.csrf()).formParam("reason", "r")
                .formParam("confirm", "yes").post("/console/rollouts/1/pause");
        assertThat(command.statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenHoldsABoundedNumberOfSessionsAndTheOldestEnds() {
        String token = token("viewer");
        Session first = signIn(token);
        for (int i = 0; i < 10; i++) {
            signIn(token);
        }
        assertThat(rows("SELECT count(*) FROM console_session WHERE token_hash = sha256(convert_to(?, 'UTF8'))", token))
                .isEqualTo(10);
        assertThat(overview(first.cookie()).statusCode()).isEqualTo(303);
    }

    @Test
    void aStateChangingRequestWithoutTheSessionsCsrfTokenIsRefused() {
        Session session = signIn(ADMIN);
        Response noToken = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).post("/console/sign-out");
        assertThat(noToken.statusCode()).isEqualTo(403);
        Response forged = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", ConsoleClient.signIn(ADMIN).csrf()).post("/console/sign-out");
        assertThat(forged.statusCode()).isEqualTo(403);
        Response action = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .contentType(ContentType.URLENC).formParam("reason", "r").formParam("confirm", "yes")
                .post("/console/rollouts/1/pause");
        assertThat(action.statusCode()).isEqualTo(403);
        Response crossSite = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .header("Sec-Fetch-Site", "cross-site").contentType(ContentType.URLENC).formParam("csrf", session.csrf())
                .post("/console/sign-out");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        // the session survived all of them; the header form of the token (htmx) is accepted
        assertThat(overview(session.cookie()).statusCode()).isEqualTo(200);
        Response viaHeader = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, session.cookie())
                .header(ConsoleGate.CSRF_HEADER, session.csrf()).contentType(ContentType.URLENC).post("/console/sign-out");
        assertThat(viaHeader.statusCode()).isEqualTo(303);
    }

    @Test
    void aViewerSeesNoActionAndAForgedActionFromAViewersSessionIsRefused() {
        String app = createApp("console-viewer");
        long id = runningRollout(app, "viewer-flag-" + UUID.randomUUID().toString().substring(0, 8));
        Session viewer = signIn(token("viewer"));
        String page = overview(viewer.cookie()).asString();
        assertThat(page).contains("rollout-" + id).doesNotContain("/console/rollouts/" + id + "/");
        Response forged = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, viewer.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", viewer.csrf()).formParam("reason", "not mine")
                .formParam("confirm", "yes").post("/console/rollouts/" + id + "/pause");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.asString()).contains("Role viewer may not pause a rollout.");
        assertThat(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().extract().<String>path("state"))
                .isEqualTo("RUNNING");
    }

    @Test
    void aReleaseManagerPausesWithAReasonAndWhatPeopleTypedIsShownEscaped() {
        String app = createApp("console-escape");
        String flag = "escape-flag-" + UUID.randomUUID().toString().substring(0, 8);
        long id = runningRollout(app, flag);
        String name = "<img src=x onerror=alert(1)>";
        String token = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"role\": \"release-manager\", \"name\": \"" + name.replace("\"", "\\\"") + "\"}")
                .post("/v1/tokens").then().statusCode(201).extract().path("token");
        Session manager = signIn(token);
        String before = overview(manager.cookie()).asString();
        assertThat(before).contains("action=\"/console/rollouts/" + id + "/pause\"")
                .doesNotContain("action=\"/console/rollouts/" + id + "/resume\"");

        Response withoutConfirm = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, manager.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", manager.csrf()).formParam("reason", "why")
                .post("/console/rollouts/" + id + "/pause");
        assertThat(withoutConfirm.statusCode()).isEqualTo(400);
        assertThat(withoutConfirm.asString()).contains("confirm:");
        Response withoutReason = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, manager.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", manager.csrf()).formParam("confirm", "yes")
                .post("/console/rollouts/" + id + "/pause");
        assertThat(withoutReason.statusCode()).isEqualTo(400);
        assertThat(withoutReason.asString()).contains("reason: say why.");

        String reason = "<script>alert('x')</script> canary looks odd";
        Response paused = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, manager.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", manager.csrf()).formParam("reason", reason)
                .formParam("confirm", "yes").post("/console/rollouts/" + id + "/pause");
        assertThat(paused.statusCode()).isEqualTo(303);
        var decision = given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id + "/decisions").then().extract().jsonPath();
        assertThat(decision.getString("[-1].trigger")).isEqualTo("pause");
        assertThat(decision.getString("[-1].reason")).isEqualTo(reason);
        assertThat(decision.getString("[-1].actor")).isEqualTo(name);

        Response again = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, manager.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", manager.csrf()).formParam("reason", "twice")
                .formParam("confirm", "yes").post("/console/rollouts/" + id + "/pause");
        assertThat(again.statusCode()).as("the state machine's refusal, as the API answers it").isEqualTo(409);
        assertThat(again.asString()).contains("Not done");
        Response missing = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, manager.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", manager.csrf()).formParam("reason", "gone")
                .formParam("confirm", "yes").post("/console/rollouts/" + Long.MAX_VALUE + "/pause");
        assertThat(missing.statusCode()).isEqualTo(404);

        String after = overview(manager.cookie()).asString();
        assertThat(after).doesNotContain("<script>alert").doesNotContain("<img src=x")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; canary looks odd")
                .contains("&lt;img src=x onerror=alert(1)&gt;")
                .contains("action=\"/console/rollouts/" + id + "/resume\"");
        assertThat(after.substring(after.indexOf("id=\"attention\""), after.indexOf("id=\"system-title\"")))
                .contains(flag).contains("Held:");
    }

    @Test
    void aPagingSloComesFirstWithItsBurnRatesAndBudgetBeforeAHeldRollout() throws SQLException {
        String app = createApp("console-paging");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"replay_success_ratio\", \"objective\": 0.995, \"period\": \"30d\"}")
                .put("/v1/apps/" + app + "/slos/replays-succeed").then().statusCode(201);
        // the evaluator's verdict as it stores one: no traffic in this test could make an SLO page
        update("UPDATE slo SET state = 'PAGE', reason = 'burning <fast>', verdict = '{\"state\": \"PAGE\", \"reason\":"
                + " \"burning <fast>\", \"burnRates\": {\"5m\": 20.1, \"1h\": 14.4, \"30m\": null}, \"windows\": {},"
                + " \"errorBudgetRemaining\": 0.42}' WHERE app_id = (SELECT id FROM app WHERE name = ?)", app);
        long held = runningRollout(app, "held-flag-" + UUID.randomUUID().toString().substring(0, 8));
        Session admin = signIn(ADMIN);
        given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", admin.csrf()).formParam("reason", "hold on")
                .formParam("confirm", "yes").post("/console/rollouts/" + held + "/pause").then().statusCode(303);

        String page = overview(admin.cookie()).asString();
        String attention = page.substring(page.indexOf("id=\"attention\""), page.indexOf("id=\"system-title\""));
        assertThat(attention.indexOf(app + " · replays-succeed")).as(attention).isNotNegative()
                .isLessThan(attention.indexOf("Held: pause by bootstrap-admin"));
        assertThat(attention).contains("SLO is paging: burning &lt;fast&gt;");
        assertThat(page).contains("5m 20.10 · 30m — · 1h 14.40").contains("42.0 %").contains(">PAGE</span>");
    }

    @Test
    void theOverviewListsTheUnfinishedRolloutsEachWithItsLatestDecision() throws SQLException {
        String app = createApp("console-latest");
        String active = "active-flag-" + UUID.randomUUID().toString().substring(0, 8);
        String finished = "finished-flag-" + UUID.randomUUID().toString().substring(0, 8);
        long rollout = runningRollout(app, active);
        runningRollout(app, finished);
        update("UPDATE rollout SET state = 'KILLED' WHERE flag = ?", finished);
        Session admin = signIn(ADMIN);
        for (String[] command : new String[][] {{"pause", "first-reason-" + active}, {"resume", "second-reason-" + active}}) {
            given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                    .contentType(ContentType.URLENC).formParam("csrf", admin.csrf()).formParam("reason", command[1])
                    .formParam("confirm", "yes").post("/console/rollouts/" + rollout + "/" + command[0]).then().statusCode(303);
        }

        String page = overview(admin.cookie()).asString();
        assertThat(page).contains(active).contains("resume by bootstrap-admin").contains("second-reason-" + active)
                .doesNotContain("first-reason-" + active).doesNotContain(finished);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a NUL in the reason|pause|reason=a%00b&confirm=yes|400|reason:",
            "an escape character in the reason|pause|reason=a%1Bb&confirm=yes|400|reason:",
            "a reason over 1000 characters|pause|reason=LONG&confirm=yes|400|reason:",
            "an unknown command|explode|reason=r&confirm=yes|404|command:",
            "a controller's own trigger|advance|reason=r&confirm=yes|404|command:",
            "a reason of 1000 three-byte characters, for no rollout|pause|reason=EURO&confirm=yes|404|no rollout",
    })
    void aBadActionRequestIsA4xxPageNamingTheField(String what, String command, String form, int status, String field) {
        Session admin = signIn(ADMIN);
        String body = "csrf=" + admin.csrf() + "&" + form.replace("LONG", "x".repeat(1001))
                .replace("EURO", "%E2%82%AC".repeat(1000));
        Response response = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                // as a browser sends a form of a UTF-8 page
                .contentType("application/x-www-form-urlencoded; charset=UTF-8").body(body)
                .post("/console/rollouts/" + Long.MAX_VALUE + "/" + command);
        assertThat(response.statusCode()).as(what + ": " + response.asString()).isEqualTo(status);
        assertThat(response.asString()).contains(field);
    }

    @Test
    void requestsTheConsoleCannotReadAreRefusedWithoutAServerError() {
        Session admin = signIn(ADMIN);
        Response json = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .contentType(ContentType.JSON).body("{\"csrf\": \"" + admin.csrf() + "\"}").post("/console/sign-out");
        assertThat(json.statusCode()).isBetween(400, 499);
        Response notAnId = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, admin.cookie())
                .contentType(ContentType.URLENC).formParam("csrf", admin.csrf()).post("/console/rollouts/abc/pause");
        assertThat(notAnId.statusCode()).isEqualTo(404);
        Response hugeToken = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParam("token", "t".repeat(500_000)).post("/console/sign-in");
        assertThat(hugeToken.statusCode()).as("over the form field limit").isEqualTo(413);
        Response bogusCookie = given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, "bws_\u00e9\u0001")
                .get("/console");
        assertThat(bogusCookie.statusCode()).isEqualTo(303);
        assertThat(overview(admin.cookie()).statusCode()).isEqualTo(200);
    }

    @Test
    void scriptsAndStylesAreServedByTheServiceItself() {
        given().get("/webjars/htmx.org/2.0.4/dist/htmx.min.js").then().statusCode(200);
        given().get("/console/assets/chart.js").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("javascript"))
                .body(org.hamcrest.Matchers.containsString("Chart.js v4.4.7"));
        given().get("/console/static/console.css").then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/css"));
    }

    private static String sessionSetCookie(Response response) {
        return response.headers().getValues("Set-Cookie").stream()
                .filter(value -> value.startsWith(ConsoleGate.SESSION_COOKIE + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie set: " + response.headers()));
    }

    private long rows(String sql, String parameter) {
        try (Connection connection = database.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            var result = statement.executeQuery();
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql, String parameter) throws SQLException {
        try (Connection connection = database.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }
}

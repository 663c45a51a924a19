package dev.bellwether.console;

import static io.restassured.RestAssured.given;

import dev.bellwether.apps.App;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.rollout.GuardSpec;
import dev.bellwether.rollout.Rollout;
import dev.bellwether.rollout.RolloutState;
import dev.bellwether.slo.Sli;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.response.Response;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Signs in to the console over HTTP as a browser would: load the form, post it with its cookie. */
final class ConsoleClient {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private ConsoleClient() {
    }

    /** A signed-in session: its cookie, and the CSRF token its pages carry. */
    record Session(String cookie, String csrf) {
    }

    static Response signInResponse(String token, String forwardedFor) {
        Response form = given().redirects().follow(false).get("/console/sign-in");
        return given().redirects().follow(false).header("X-Forwarded-For", forwardedFor)
                .cookie(ConsoleResource.SIGN_IN_COOKIE, form.getCookie(ConsoleResource.SIGN_IN_COOKIE))
                .contentType("application/x-www-form-urlencoded")
                .formParam("token", token).formParam("csrf", csrfIn(form.asString()))
                .post("/console/sign-in");
    }

    static Session signIn(String token) {
        Response signedIn = signInResponse(token, "192.0.2.1");
        if (signedIn.statusCode() != 303) {
            throw new AssertionError("sign-in answered " + signedIn.statusCode() + ": " + signedIn.asString());
        }
        String cookie = signedIn.getCookie(ConsoleGate.SESSION_COOKIE);
        return new Session(cookie, csrfIn(overview(cookie).asString()));
    }

    static Response overview(String cookie) {
        return given().redirects().follow(false).cookie(ConsoleGate.SESSION_COOKIE, cookie).get("/console");
    }

    static String csrfIn(String page) {
        Matcher matcher = CSRF.matcher(page);
        if (!matcher.find()) {
            throw new AssertionError("no CSRF field in the page: " + page);
        }
        return matcher.group(1);
    }

    /** A running dry-run rollout of {@code app}'s flag, stored as the controller would leave it after its start. */
    static long runningRollout(String app, String flag) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Rollout rollout = new Rollout();
            rollout.app = App.findByName(app).orElseThrow();
            rollout.project = "default";
            rollout.environment = "development";
            rollout.flag = flag;
            rollout.steps = new Integer[] {1, 5, 100};
            rollout.bakeSeconds = 300;
            rollout.minSamplePerCohort = 200;
            rollout.guards = List.of(GuardSpec.of(Sli.DEAD_LETTER_RATIO, GuardAction.KILL));
            rollout.dryRun = true;
            rollout.state = RolloutState.RUNNING;
            rollout.step = 0;
            rollout.createdBy = "console-test";
            rollout.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
            rollout.stepStartedAt = rollout.createdAt;
            rollout.updatedAt = rollout.createdAt;
            rollout.persist();
            return rollout.id;
        });
    }
}

package dev.bellwether.console;

import static dev.bellwether.support.Browser.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.support.Browser;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.StaticSite;
import dev.bellwether.support.UnleashServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The console end to end, as people use it: the packaged service, a real PostgreSQL, a real Unleash and a real
 * Chromium. A release manager creates a rollout through the console's form (a refused field shown beside it first),
 * starts it from its page and watches the judge step it up without a reload, pauses
 * and resumes it; a viewer can neither see nor forge an action; a form posted from another origin is refused; on-call
 * kills with a reason carrying markup, which the audit shows as text.
 */
class ConsoleIT {

    private static final String ADMIN = "console-it-admin";
    /**
     * Long enough for the judge to see both cohorts in a step, short enough for a test; with four steps, the resumed
     * rollout stays unfinished while the viewer, the forgeries and the kill take their turns.
     */
    private static final String BAKE = "15s";
    private static final String MARKUP_REASON = "<img src=x onerror=alert(1)> checkout errors";

    @Test
    void aReleaseManagerStartsAndSteersARolloutWhileViewersAndOtherSitesCannotAct() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(postgres)) {
            unleash.start();
            String flag = "console-it-" + UUID.randomUUID().toString().substring(0, 8);
            unleash.createFlag(flag);
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.putAll(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "BELLWETHER_ROLLOUT_INTERVAL", "1s",
                    "BELLWETHER_UNLEASH_URL", unleash.apiUrl(), "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                    "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken()));
            try (ServiceProcess service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "console-it"), environment);
                    Browser browser = Browser.start()) {
                service.start();
                String base = service.baseUrl();
                String releaseManager = token(base, "release-manager", "Rosa (release)");
                String viewer = token(base, "viewer", "Vic (viewer)");
                String onCall = token(base, "on-call", "Otto (on-call)");
                ServiceProcess.call(base, "POST", "/v1/apps", ADMIN, "{\"name\": \"notes-pwa\", \"beaconsPerSecond\": 100000}");
                ServiceProcess.call(base, "PUT", "/v1/apps/notes-pwa/slos/dead-letters", ADMIN,
                        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99, \"period\": \"30d\"}");
                String key = ServiceProcess.call(base, "POST", "/v1/apps/notes-pwa/ingest-keys", ADMIN, "").get("key").asText();
                WebDriver driver = browser.driver();

                // created through the console's form, the flag picked from what Unleash lists; a refused field first
                signIn(browser, base, releaseManager, "Rosa (release)");
                driver.get(base + "/console/apps/notes-pwa");
                driver.findElement(By.id("new-rollout")).click();
                await(() -> !driver.findElements(By.id("create-rollout")).isEmpty(), "the create-rollout form", driver);
                assertThat(driver.findElements(By.id("catalog-note"))).as("Unleash answered: no note").isEmpty();
                assertThat(text(driver, "project-chosen")).isEqualTo(UnleashServer.PROJECT);
                Browser.choose(driver, "environment", UnleashServer.ENVIRONMENT);
                Browser.choose(driver, "flag", flag);
                type(driver, "steps", "5, 250");
                type(driver, "bake", BAKE);
                type(driver, "minSample", "50");
                Browser.choose(driver, "guard-sli-0", "dead_letter_ratio");
                Browser.choose(driver, "guard-action-0", "kill");
                driver.findElement(By.id("create-rollout")).click();
                await(() -> !driver.findElements(By.id("steps-error")).isEmpty(), "the refusal beside the steps", driver);
                assertThat(text(driver, "steps-error")).startsWith("steps[1]:");
                assertThat(driver.findElement(By.id("steps")).getAttribute("aria-describedby")).isEqualTo("steps-error");
                assertThat(driver.findElement(By.id("steps")).getAttribute("value")).as("kept as typed").isEqualTo("5, 250");
                assertThat(driver.findElement(By.id("flag")).getAttribute("value")).isEqualTo(flag);
                assertThat(ServiceProcess.call(base, "GET", "/v1/rollouts?app=notes-pwa", ADMIN, null).size())
                        .as("nothing created").isZero();
                assertOnlyRefusalsLogged(browser.consoleLog(), 400);
                type(driver, "steps", "5, 25, 50, 100");
                driver.findElement(By.id("create-rollout")).click();
                await(() -> driver.getCurrentUrl().matches(".*/console/rollouts/\\d+$"), "the new rollout's page", driver);
                long id = Long.parseLong(driver.getCurrentUrl().replaceAll(".*/", ""));
                JsonNode created = ServiceProcess.call(base, "GET", "/v1/rollouts/" + id, ADMIN, null);
                assertThat(created.get("flag").asText()).isEqualTo(flag);
                assertThat(created.get("environment").asText()).isEqualTo(UnleashServer.ENVIRONMENT);
                assertThat(created.get("steps").toString()).isEqualTo("[5,25,50,100]");
                assertThat(created.get("bake").asText()).isEqualTo("PT15S");
                assertThat(created.get("minSamplePerCohort").asInt()).isEqualTo(50);
                assertThat(created.get("guards").toString()).contains("\"dead_letter_ratio\"").contains("\"kill\"");
                assertThat(created.get("dryRun").asBoolean()).isFalse();
                String page = base + "/console/rollouts/" + id;

                assertThat(text(driver, "rollout-state")).isEqualTo("DRAFT");
                act(browser, page, "start", "ship the new sync engine");
                await(() -> text(driver, "rollout-state").equals("RUNNING"), "the started rollout", driver);
                assertThat(text(driver, "rollout-step")).isEqualTo("1 of 4");
                assertThat(text(driver, "audit")).contains("ship the new sync engine");
                awaitUnleashPercentage(unleash, flag, "5");

                // healthy traffic in both cohorts until the judge steps the rollout up; the page must show it by itself,
                // and notes when, so that the test's own traffic and polling do not count
                browser.script("window.notReloaded = true; const watch = setInterval(() => {"
                        + " const step = document.getElementById('rollout-step');"
                        + " if (step && step.textContent.trim() === '2 of 4') { window.stepShownAt = Date.now(); clearInterval(watch); }"
                        + "}, 50);");
                Instant stepDeadline = Instant.now().plusSeconds(60);
                boolean stepped = false;
                int batch = 0;
                while (!text(driver, "rollout-step").equals("2 of 4")) {
                    assertThat(Instant.now()).as("a step up within 60 s; page:\n" + driver.getPageSource()).isBefore(stepDeadline);
                    if (!stepped) {
                        traffic(base, key, flag, batch++);
                        stepped = ServiceProcess.call(base, "GET", "/v1/rollouts/" + id, ADMIN, null).get("step").asInt() == 1;
                    }
                    Thread.sleep(200);
                }
                await(() -> browser.script("return window.stepShownAt || null") != null, "the page's note of the step", driver);
                Instant shownAt = Instant.ofEpochMilli(((Number) browser.script("return window.stepShownAt")).longValue());
                Instant decidedAt = Instant.parse(decision(base, id, "advance").get("at").asText());
                Duration shownAfter = Duration.between(decidedAt, shownAt);
                System.out.printf("rollout page: the judge's step up was shown %d ms after it was decided%n", shownAfter.toMillis());
                assertThat(shownAfter).as("shown within 5 s of the decision").isLessThan(Duration.ofSeconds(5));
                assertThat(browser.script("return window.notReloaded === true")).as("no reload").isEqualTo(true);
                assertThat(text(driver, "rollout-percentage")).isEqualTo("25 %");
                assertThat(text(driver, "audit")).contains("advance", "canary healthy through the bake time of step 1");
                awaitUnleashPercentage(unleash, flag, "25");
                assertThat(browser.script("return document.querySelectorAll('#guard-dead_letter_ratio table.points tbody tr').length"))
                        .as("the guard's canary and control by minute").isNotEqualTo(0L);
                browser.screenshots("rollout-live");

                act(browser, page, "pause", "support asks to hold for an hour");
                await(() -> text(driver, "rollout-state").equals("PAUSED"), "the paused rollout", driver);
                act(browser, page, "resume", "support is done");
                await(() -> text(driver, "rollout-state").equals("RUNNING"), "the resumed rollout", driver);
                assertThat(text(driver, "audit")).contains("support asks to hold for an hour", "support is done", "Rosa (release)");
                driver.get(base + "/console");
                assertThat(text(driver, "rollout-" + id)).contains(flag, "RUNNING", "2 of 4", "25 %");
                browser.screenshots("overview-live");
                assertThat(browser.consoleLog()).as("no script errors or blocked resources").doesNotContain("SEVERE");

                // a viewer sees no action, and a command forged from the viewer's page is refused
                signOut(browser, base);
                signIn(browser, base, viewer, "Vic (viewer)");
                driver.get(page);
                assertThat(driver.findElements(By.cssSelector("form.action"))).isEmpty();
                assertThat(text(driver, "rollout-actions")).contains("No action", "viewer");
                Object forged = browser.asyncScript("const done = arguments[arguments.length - 1];"
                        + "const body = new URLSearchParams({csrf: document.querySelector('input[name=csrf]').value,"
                        + " reason: 'forged by a viewer', confirm: 'yes', back: 'rollout'});"
                        + "fetch(location.pathname + '/pause', {method: 'POST', body}).then(r => done(r.status), e => done(String(e)));");
                assertThat(forged).as("a viewer's forged pause").isEqualTo(403L);
                assertUnmoved(base, id, "forged by a viewer");
                assertOnlyRefusalsLogged(browser.consoleLog(), 403);

                // a form another origin posts is refused with the session's own CSRF token in it: same-site (another
                // port) by fetch metadata, cross-site (another host name) by SameSite=Strict keeping the cookie home
                signOut(browser, base);
                signIn(browser, base, onCall, "Otto (on-call)");
                driver.get(page);
                String csrf = driver.findElement(By.cssSelector("input[name=csrf]")).getAttribute("value");
                Path forgery = Files.createTempDirectory(Path.of("target"), "console-forgery");
                Files.writeString(forgery.resolve("forged.html"), "<!DOCTYPE html><title>Win a prize</title><link rel=icon href=\"data:,\">"
                        + "<form method=post action=\"" + page + "/pause\">"
                        + "<input type=hidden name=csrf value=\"" + csrf + "\">"
                        + "<input type=hidden name=reason value=\"forged by another site\">"
                        + "<input type=hidden name=confirm value=yes><input type=hidden name=back value=rollout></form>"
                        + "<script>document.forms[0].submit()</script>");
                try (StaticSite site = StaticSite.start(Map.of("/", forgery))) {
                    for (String origin : List.of(site.origin(), site.origin().replace("127.0.0.1", "localhost"))) {
                        driver.get(origin + "/forged.html");
                        await(() -> driver.getCurrentUrl().equals(page + "/pause"), "the forged post's answer", driver);
                        Object status = browser.script("return performance.getEntriesByType('navigation')[0].responseStatus");
                        assertThat(status).as("the forged post from " + origin).isIn(401L, 403L);
                        assertUnmoved(base, id, "forged by another site");
                    }
                }
                assertOnlyRefusalsLogged(browser.consoleLog(), 401, 403);

                // on-call kills with a reason carrying markup: the audit shows it as text, and nothing runs
                driver.get(page);
                act(browser, page, "kill", MARKUP_REASON);
                await(() -> text(driver, "rollout-state").equals("KILLED"), "the killed rollout", driver);
                assertThat(text(driver, "audit")).contains(MARKUP_REASON, "Otto (on-call)");
                assertThat(driver.findElements(By.cssSelector("main img"))).as("no element injected").isEmpty();
                assertNoDialog(driver);
                Instant offDeadline = Instant.now().plusSeconds(10);
                while (unleash.enabled(flag)) {
                    assertThat(Instant.now()).as("the flag off in Unleash within 10 s").isBefore(offDeadline);
                    Thread.sleep(200);
                }
                assertThat(browser.consoleLog()).as("no script errors or blocked resources").doesNotContain("SEVERE");
            }
        }
    }

    private static String token(String base, String role, String name) throws Exception {
        return ServiceProcess.call(base, "POST", "/v1/tokens", ADMIN, "{\"role\": \"" + role + "\", \"name\": \"" + name + "\"}")
                .get("token").asText();
    }

    private static void signIn(Browser browser, String base, String token, String name) throws InterruptedException {
        WebDriver driver = browser.driver();
        driver.get(base + "/console");
        await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
        driver.findElement(By.name("token")).sendKeys(token);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await(() -> !driver.findElements(By.id("signed-in-as")).isEmpty(), "the overview", driver);
        assertThat(text(driver, "signed-in-as")).isEqualTo(name);
    }

    private static void signOut(Browser browser, String base) throws InterruptedException {
        WebDriver driver = browser.driver();
        driver.findElement(By.cssSelector("form.who button[type=submit]")).click();
        await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
    }

    /** A command from the rollout page's own form: reason, confirmation, submit; back on the page afterwards. */
    private static void act(Browser browser, String page, String command, String reason) throws InterruptedException {
        WebDriver driver = browser.driver();
        browser.script("window.beforeAction = true");
        driver.findElement(By.id("reason-" + command)).sendKeys(reason);
        driver.findElement(By.cssSelector("form[action$='/" + command + "'] input[name=confirm]")).click();
        driver.findElement(By.id("do-" + command)).click();
        await(() -> driver.getCurrentUrl().equals(page) && !Boolean.TRUE.equals(browser.script("return window.beforeAction === true"))
                && !driver.findElements(By.id("rollout-state")).isEmpty(), "the rollout page after " + command, driver);
    }

    private static void traffic(String base, String key, String flag, int batch) throws Exception {
        for (boolean on : new boolean[] {true, false}) {
            List<String> events = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < 60; i++) {
                events.add(Fixtures.replay("b" + batch + "-" + i, now, "succeeded"));
            }
            ServiceProcess.call(base, "POST", "/v1/beacons?key=" + key, null,
                    Fixtures.beacon("notes-pwa", (on ? "canary-" : "control-") + batch, Map.of(flag, on), events));
        }
    }

    private static void awaitUnleashPercentage(UnleashServer unleash, String flag, String percentage) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            JsonNode strategies = unleash.strategies(flag);
            if (unleash.enabled(flag) && strategies.size() == 1
                    && percentage.equals(strategies.get(0).path("parameters").path("rollout").asText())) {
                return;
            }
            assertThat(Instant.now()).as("Unleash at " + percentage + " % within 10 s: " + strategies).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    /** The newest decision the rollout took by {@code trigger}. */
    private static JsonNode decision(String base, long id, String trigger) throws Exception {
        for (JsonNode decision : ServiceProcess.call(base, "GET", "/v1/rollouts/" + id + "/decisions", ADMIN, null)) {
            if (decision.path("trigger").asText().equals(trigger)) {
                return decision;
            }
        }
        throw new AssertionError("rollout " + id + " has no " + trigger + " decision");
    }

    /** The refused request left the rollout where it was: no decision carries its reason, and it is not paused. */
    private static void assertUnmoved(String base, long id, String reason) throws Exception {
        JsonNode decisions = ServiceProcess.call(base, "GET", "/v1/rollouts/" + id + "/decisions", ADMIN, null);
        for (JsonNode decision : decisions) {
            assertThat(decision.path("reason").asText()).doesNotContain(reason);
        }
        assertThat(ServiceProcess.call(base, "GET", "/v1/rollouts/" + id, ADMIN, null).get("state").asText()).isEqualTo("RUNNING");
    }

    /** Chromium logs a refused request as an error: those are expected here, anything else is not. */
    private static void assertOnlyRefusalsLogged(String log, int... statuses) {
        for (String line : log.split("\n")) {
            if (line.contains("SEVERE")) {
                assertThat(Arrays.stream(statuses).anyMatch(status -> line.contains("status of " + status)))
                        .as("only the refusals logged: " + line).isTrue();
            }
        }
    }

    private static void assertNoDialog(WebDriver driver) {
        try {
            String text = driver.switchTo().alert().getText();
            throw new AssertionError("a dialog opened: " + text);
        } catch (NoAlertPresentException none) {
            // nothing ran
        }
    }

    private static void type(WebDriver driver, String field, String text) {
        WebElement input = driver.findElement(By.id(field));
        input.clear();
        input.sendKeys(text);
    }

    /** An element's text, read in one step: a live update may replace the element between a find and a read. */
    private static String text(WebDriver driver, String id) {
        Object text = ((JavascriptExecutor) driver).executeScript(
                "const element = document.getElementById(arguments[0]); return element ? element.innerText.trim() : ''", id);
        return (String) text;
    }
}

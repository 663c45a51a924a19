package dev.bellwether.console;

import static dev.bellwether.support.Browser.await;
import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.slo.SloEvaluator;
import dev.bellwether.support.Browser;
import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** The app page and the create-rollout form in a real Chromium, with the flag picked from a real Unleash's list. */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class ConsoleAppsBrowserTest {


    @TestHTTPResource("/console")
    URL console;

    @Inject
    SloEvaluator evaluator;

    private final UnleashServer unleash = UnleashTestResource.unleash();

    @Test
    void anAdminReadsTheAppPageAndCreatesARolloutOfAFlagPickedFromUnleash() throws Exception {
        String app = createApp("console-app-browser", "\"allowedOrigins\": [\"https://notes.example\"]");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"replay_success_ratio\", \"objective\": 0.995, \"period\": \"30d\"}")
                .put("/v1/apps/" + app + "/slos/replays-succeed").then().statusCode(201);
        for (String[] journey : new String[][] {{"checkout", "order.submit", "critical"}, {"notes", "note.*", "normal"}}) {
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body("{\"mutations\": [\"" + journey[1] + "\"], \"criticality\": \"" + journey[2] + "\"}")
                    .put("/v1/apps/" + app + "/journeys/" + journey[0]).then().statusCode(201);
        }
        String key = ingestKey(app);
        Instant now = Instant.now();
        postBeacon(key, "{\"schema\": 1, \"app\": \"" + app + "\", \"release\": \"2026.12.1\", \"client\": \"c-1\","
                + " \"flags\": {\"new-sync\": true}, \"events\": [" + String.join(", ", List.of(
                replay("r-1", now.minusSeconds(60), "succeeded"), replay("r-2", now.minusSeconds(60), "succeeded"))) + "]}")
                .then().statusCode(202);
        // earlier hours for the burn-rate chart: one replay in four dead-lettered three hours ago, all fine five hours ago
        for (int hoursAgo : new int[] {3, 5}) {
            Instant at = now.minusSeconds(hoursAgo * 3600L);
            postBeacon(key, "{\"schema\": 1, \"app\": \"" + app + "\", \"release\": \"2026.11.3\", \"client\": \"c-2\","
                    + " \"flags\": {}, \"events\": [" + String.join(", ", List.of(replay("h" + hoursAgo + "-1", at, "succeeded"),
                    replay("h" + hoursAgo + "-2", at, "succeeded"), replay("h" + hoursAgo + "-3", at, "succeeded"),
                    replay("h" + hoursAgo + "-4", at, hoursAgo == 3 ? "dead_lettered" : "succeeded"))) + "]}")
                    .then().statusCode(202);
        }
        assertThat(evaluator.evaluateNow()).isTrue();
        String flag = "console-flag-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);

        try (Browser browser = Browser.start()) {
            WebDriver driver = browser.driver();
            driver.get(console.toString());
            await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
            driver.findElement(By.name("token")).sendKeys(ADMIN);
            driver.findElement(By.cssSelector("form button[type=submit]")).click();
            await(() -> !driver.findElements(By.linkText(app)).isEmpty(), "the overview's link to the app", driver);
            driver.findElement(By.linkText(app)).click();
            await(() -> !driver.findElements(By.id("app-name")).isEmpty(), "the app page", driver);

            String main = driver.findElement(By.tagName("main")).getText();
            assertThat(main).contains("2026.12.1", "new-sync=true", "replays-succeed", "Burn rates over the last 6h, by hour", "ACTIVE",
                    "https://notes.example");
            await(() -> Boolean.TRUE.equals(browser.script("return typeof Chart !== 'undefined' && !!Chart.getChart('burn-0')")),
                    "the burn-rate chart", driver);
            // a line per whole-hour window, a point per hour of the last 6 h, the dead-lettered hour burning at 50
            assertThat(browser.script("return Chart.getChart('burn-0').data.datasets.map(d => d.label).join(' ')"))
                    .isEqualTo("1h 2h 6h 1d 3d");
            assertThat(browser.script("return Chart.getChart('burn-0').data.labels.length")).isEqualTo(7L);
            assertThat(browser.script("return Math.max(...Chart.getChart('burn-0').data.datasets[0].data.filter(v => v !== null))"))
                    .isEqualTo(50L);
            Browser.choose(driver, "window", "1d");
            driver.findElement(By.cssSelector("form.window button[type=submit]")).click();
            await(() -> driver.getCurrentUrl().endsWith("?window=1d"), "the page for the last day", driver);
            assertThat(browser.screenshots("app")).allSatisfy(file -> assertThat(file).isNotEmptyFile());

            driver.findElement(By.id("new-rollout")).click();
            await(() -> !driver.findElements(By.id("create-rollout")).isEmpty(), "the create-rollout form", driver);
            assertThat(driver.findElements(By.id("catalog-note"))).as("Unleash answered: no note").isEmpty();
            assertThat(options(driver, "flag")).contains(flag);
            Browser.choose(driver, "flag", flag);
            assertThat(options(driver, "environment")).contains(UnleashServer.ENVIRONMENT);
            WebElement steps = driver.findElement(By.id("steps"));
            steps.clear();
            steps.sendKeys("10, 50, 100");
            Browser.choose(driver, "guard-journey-0", "notes");
            Browser.choose(driver, "guard-sli-1", "sync_latency");
            Browser.choose(driver, "guard-action-1", "freeze");
            assertThat(driver.findElement(By.id("criticalJourneyGuards")).isSelected()).as("ticked by default").isTrue();
            assertThat(driver.findElement(By.id("criticalJourneyGuards-which")).getText())
                    .isEqualTo("Adds replay_repeat_failure_ratio → kill on checkout, unless a guard above has that indicator and journey.");
            driver.findElement(By.id("dryRun")).click();
            assertThat(browser.screenshots("new-rollout")).allSatisfy(file -> assertThat(file).isNotEmptyFile());
            assertThat(browser.consoleLog()).as("no script errors or blocked resources").doesNotContain("SEVERE");

            // submitted from the keyboard
            driver.findElement(By.id("create-rollout")).sendKeys(Keys.ENTER);
            await(() -> driver.getCurrentUrl().matches(".*/console/rollouts/\\d+$"), "the redirect to the rollout's page", driver);
            long id = Long.parseLong(driver.getCurrentUrl().replaceAll(".*/", ""));
            JsonPath rollout = given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
            assertThat(rollout.getString("app")).isEqualTo(app);
            assertThat(rollout.getString("flag")).isEqualTo(flag);
            assertThat(rollout.getString("state")).isEqualTo("DRAFT");
            assertThat(rollout.getList("steps")).containsExactly(10, 50, 100);
            assertThat(rollout.getBoolean("dryRun")).isTrue();
            assertThat(rollout.getList("guards.sli")).containsExactly("dead_letter_ratio", "sync_latency",
                    "replay_repeat_failure_ratio");
            assertThat(rollout.getList("guards.journey")).containsExactly("notes", null, "checkout");
            assertThat(rollout.getString("createdBy")).isEqualTo("bootstrap-admin");
        }
    }

    private static List<String> options(WebDriver driver, String select) {
        return driver.findElements(By.cssSelector("#" + select + " option")).stream().map(WebElement::getText).toList();
    }
}

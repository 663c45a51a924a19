package dev.bellwether.console;

import static dev.bellwether.support.Browser.await;
import static dev.bellwether.console.ConsoleClient.runningRollout;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.slo.SloEvaluator;
import dev.bellwether.support.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.http.ContentType;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriver;

/** The console in a real Chromium against the running service: sign in through the form, read, act, sign out. */
@QuarkusTest
class ConsoleBrowserTest {


    @TestHTTPResource("/console")
    URL console;

    @Inject
    SloEvaluator evaluator;

    @Test
    void aReleaseManagerSignsInThroughTheFormSeesTheOverviewPausesARolloutAndSignsOut() throws Exception {
        assertThat(evaluator.evaluateNow()).isTrue();
        String app = createApp("console-browser");
        String flag = "browser-flag-" + UUID.randomUUID().toString().substring(0, 8);
        long id = runningRollout(app, flag);
        String token = token("release-manager");

        try (Browser browser = Browser.start()) {
            var driver = browser.driver();
            driver.get(console.toString());
            await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
            browser.screenshots("sign-in");
            driver.findElement(By.name("token")).sendKeys(token);
            driver.findElement(By.cssSelector("form button[type=submit]")).click();
            await(() -> !driver.findElements(By.id("signed-in-as")).isEmpty(), "the overview", driver);

            WebElement row = driver.findElement(By.id("rollout-" + id));
            assertThat(row.getText()).contains(app, flag, "RUNNING", "1 of 3", "1 %", "DRY RUN", "Not judged yet.");
            // the built-in catalog's app, evaluated above with no events
            assertThat(driver.findElement(By.tagName("main")).getText()).contains("field-notes", "NO_DATA");
            assertThat(driver.findElement(By.id("automation")).getText()).isEqualTo("ON");
            assertThat(driver.findElement(By.id("unleash")).getText()).isIn("NOT CONFIGURED", "NOT CHECKED YET");
            assertThat(browser.script("return typeof htmx")).as("htmx from the service's WebJar").isEqualTo("object");
            assertThat((String) browser.script("return document.cookie")).doesNotContain(ConsoleGate.SESSION_COOKIE);

            assertThat(browser.screenshots("overview")).allSatisfy(file -> assertThat(file).isNotEmptyFile());
            row = driver.findElement(By.id("rollout-" + id));
            row.findElement(By.name("reason")).sendKeys("checking a support ticket <b>first</b>");
            row.findElement(By.name("confirm")).click();
            row.findElement(By.cssSelector("button[type=submit]")).click();
            await(() -> !driver.findElements(By.id("rollout-" + id)).isEmpty()
                    && driver.findElement(By.id("rollout-" + id)).getText().contains("PAUSED"), "the paused rollout", driver);
            assertThat(driver.findElement(By.id("attention")).getText())
                    .contains("Held: pause by", "checking a support ticket <b>first</b>");

            driver.findElement(By.cssSelector("form.who button[type=submit]")).click();
            await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
            driver.get(console.toString());
            await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
            assertThat(browser.consoleLog()).as("no script errors or blocked resources").doesNotContain("SEVERE");
        }
    }

    @Test
    void anOnCallEngineerSeesADecisionArriveLiveOnARolloutPageAndKillsWithAReason() throws Exception {
        String app = createApp("console-browser-rollout");
        String flag = "live-flag-" + UUID.randomUUID().toString().substring(0, 8);
        long id = runningRollout(app, flag);
        String onCall = token("on-call");
        String page = console.toString().replaceFirst("/console$", "/console/rollouts/" + id);

        try (Browser browser = Browser.start()) {
            var driver = browser.driver();
            driver.get(console.toString());
            await(() -> driver.getCurrentUrl().endsWith("/console/sign-in"), "the sign-in page", driver);
            driver.findElement(By.name("token")).sendKeys(onCall);
            driver.findElement(By.cssSelector("form button[type=submit]")).click();
            await(() -> !driver.findElements(By.id("signed-in-as")).isEmpty(), "the overview", driver);
            driver.findElement(By.cssSelector("#rollout-" + id + " a")).click();
            await(() -> driver.getCurrentUrl().equals(page), "the rollout page", driver);
            assertThat(driver.findElement(By.id("dry-run")).getText()).contains("DRY RUN");
            assertThat(driver.findElement(By.id("rollout-state")).getText()).isEqualTo("RUNNING");
            await(() -> Boolean.TRUE.equals(browser.script("return typeof Chart === 'object' || typeof Chart === 'function'"
                    + " ? !!Chart.getChart(document.querySelector('canvas[data-chart]')) : false")), "a drawn chart", driver);

            // a decision taken elsewhere appears without a reload: the marker set on this document survives
            browser.script("window.notReloaded = true");
            long taken = System.nanoTime();
            given().auth().oauth2(token("release-manager")).contentType(ContentType.JSON)
                    .body("{\"reason\": \"paused from the API <i>live</i>\"}").post("/v1/rollouts/" + id + "/pause")
                    .then().statusCode(200);
            await(() -> driver.findElement(By.id("audit")).getText().contains("paused from the API <i>live</i>"),
                    "the API's decision in the audit", driver);
            Duration shownAfter = Duration.ofNanos(System.nanoTime() - taken);
            assertThat(shownAfter).as("shown within 5 s of being taken").isLessThan(Duration.ofSeconds(5));
            assertThat(browser.script("return window.notReloaded === true")).isEqualTo(true);
            assertThat(driver.findElement(By.id("rollout-state")).getText()).isEqualTo("PAUSED");
            System.out.printf("rollout page: a decision taken through the API was shown after %d ms%n", shownAfter.toMillis());

            assertThat(browser.screenshots("rollout")).allSatisfy(file -> assertThat(file).isNotEmptyFile());
            driver.findElement(By.id("reason-kill")).sendKeys("error spike on checkout");
            driver.findElement(By.cssSelector("form[action$='/kill'] input[name=confirm]")).click();
            driver.findElement(By.id("do-kill")).click();
            await(() -> driver.getCurrentUrl().equals(page) && !driver.findElements(By.id("rollout-state")).isEmpty()
                    && driver.findElement(By.id("rollout-state")).getText().equals("KILLED"), "the killed rollout", driver);
            assertThat(driver.findElement(By.id("audit")).getText()).contains("kill", "error spike on checkout", "KILLED");
            assertThat(driver.findElements(By.cssSelector("form.action"))).isEmpty();
            assertThat(browser.consoleLog()).as("no script errors or blocked resources").doesNotContain("SEVERE");
        }
    }
}

package dev.bellwether.console;

import static dev.bellwether.console.ConsoleClient.runningRollout;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.slo.SloEvaluator;
import dev.bellwether.support.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.WebDriver;

/** The console in a real Chromium against the running service: sign in through the form, read, act, sign out. */
@QuarkusTest
class ConsoleBrowserTest {

    private static final Duration PAGE_WAIT = Duration.ofSeconds(15);

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

    /** Pages load after a click on their own time: poll, bounded. */
    private static void await(BooleanSupplier condition, String what, WebDriver driver) throws InterruptedException {
        long deadline = System.nanoTime() + PAGE_WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + PAGE_WAIT + "; at " + driver.getCurrentUrl() + ":\n"
                        + driver.getPageSource());
            }
            Thread.sleep(100);
        }
    }
}

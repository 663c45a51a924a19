package dev.bellwether.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.support.Browser;
import dev.bellwether.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * Swagger UI as an integrator uses it, in real Chromium against the packaged service: open it on the management port,
 * press Authorize, paste a token, and "Try it out" reaches the API on the public port with that token.
 */
class SwaggerUiIT {

    private static final String ADMIN = "swagger-ui-admin";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anIntegratorAuthorizesWithATokenAndTriesAnOperation() throws Exception {
        try (ServiceProcess service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "swagger-ui-data"),
                Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN))) {
            // the UI's own origin, and the public port as the document's server: what an operator sets
            service.environment("BELLWETHER_API_CROSS_ORIGINS", service.managementUrl())
                    .environment("BELLWETHER_PUBLIC_URL", service.baseUrl());
            service.start();
            ServiceProcess.call(service.baseUrl(), "POST", "/v1/apps", ADMIN, "{\"name\": \"swagger-app\"}");

            try (Browser browser = Browser.start()) {
                WebDriver driver = browser.driver();
                driver.get(service.managementUrl() + "/q/swagger-ui");
                WebElement authorize = until(driver, By.cssSelector(".auth-wrapper .authorize"));
                assertThat(driver.findElement(By.cssSelector(".servers select, .servers")).getText())
                        .contains(service.baseUrl());
                authorize.click();

                until(driver, By.cssSelector(".auth-container"));
                WebElement tokenSection = driver.findElements(By.cssSelector(".auth-container")).stream()
                        .filter(section -> section.getText().startsWith("apiToken")).findFirst().orElseThrow();
                tokenSection.findElement(By.cssSelector("input")).sendKeys(ADMIN);
                tokenSection.findElement(By.cssSelector("button.authorize")).click();
                until(driver, By.cssSelector(".auth-container button.btn-done")).click();

                WebElement operation = until(driver, By.cssSelector("[id$='-listApp']"));
                operation.findElement(By.cssSelector(".opblock-summary")).click();
                until(driver, By.cssSelector("[id$='-listApp'] .try-out__btn")).click();
                until(driver, By.cssSelector("[id$='-listApp'] .execute")).click();

                WebElement answer = until(driver, By.cssSelector("[id$='-listApp'] .live-responses-table tbody .response-col_status"));
                assertThat(answer.getText()).as(browser.consoleLog()).startsWith("200");
                String body = driver.findElement(By.cssSelector("[id$='-listApp'] .live-responses-table tbody .response-col_description .microlight"))
                        .getText();
                assertThat(body).contains("swagger-app");
                assertThat(driver.findElement(By.cssSelector("[id$='-listApp'] .curl-command")).getText())
                        .contains(service.baseUrl() + "/v1/apps", "Authorization: Bearer " + ADMIN);
            }
        }
    }

    /** The first shown element the selector finds, waiting for it up to {@link #WAIT}. */
    private static WebElement until(WebDriver driver, By selector) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            var shown = driver.findElements(selector).stream().filter(WebElement::isDisplayed).findFirst();
            if (shown.isPresent()) {
                return shown.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not shown within " + WAIT + ": " + selector + " on " + driver.getCurrentUrl());
    }
}

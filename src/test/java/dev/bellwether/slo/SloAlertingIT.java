package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.support.AlertingStack;
import dev.bellwether.support.AlertingStack.Notification;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.ServiceProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An SLO defined through the API pages through a real Prometheus and Alertmanager loading what {@code alerts/} ships,
 * and the page resolves when the burn stops: no rule file names the SLO.
 */
class SloAlertingIT {

    private static final String ADMIN = "alerting-admin";
    private static final String APP = "alerting-notes";
    private static final String SLO = "dead-letters";
    private static final Duration NOTIFIED_WITHIN = Duration.ofSeconds(45);

    @Test
    void anSloDefinedThroughTheApiPagesWithItsLabelsAndRunbookAndResolvesWhenTheBurnStops() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "alerting-data");
        Path monitoring = Files.createTempDirectory(Path.of("target"), "alerting-stack");
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN,
                "BELLWETHER_EVALUATION_INTERVAL", "1s"));
                AlertingStack stack = new AlertingStack(monitoring)) {
            service.start();
            String base = service.baseUrl();
            ServiceProcess.call(base, "POST", "/v1/apps", ADMIN, "{\"name\": \"" + APP + "\", \"beaconsPerSecond\": 1000}");
            String key = ServiceProcess.call(base, "POST", "/v1/apps/" + APP + "/ingest-keys", ADMIN, "").get("key").asText();
            // 95 %: all-bad events burn 20x, above the page's 14.4; 20 bad among 420 burn 0.95, below every condition
            ServiceProcess.call(base, "PUT", "/v1/apps/" + APP + "/slos/" + SLO, ADMIN,
                    "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.95, \"minEvents\": 10}");
            stack.start(URI.create(service.managementUrl()).getAuthority(), Path.of("alerts"));

            Instant burnStarted = Instant.now();
            post(base, key, "bad", 20, "dead_lettered");
            Notification page = stack.await(alert -> isOurs(alert, "page") && alert.status().equals("firing"), NOTIFIED_WITHIN)
                    .orElseThrow(() -> new AssertionError("no page within " + NOTIFIED_WITHIN.toSeconds() + " s; got "
                            + stack.notifications() + "\n" + logs(stack)));
            Duration timeToPage = Duration.between(burnStarted, Instant.now());

            assertThat(page.receiver()).as("routed by severity").isEqualTo("pager");
            assertThat(page.label("alertname")).isEqualTo("BellwetherSloErrorBudgetBurn");
            assertThat(page.annotation("runbook_url"))
                    .isEqualTo("https://github.com/bellwether/bellwether/blob/main/runbooks/slo-error-budget-burn.md");
            assertThat(page.annotation("summary")).isEqualTo(APP + " " + SLO + ": the SLO burns its error budget fast");
            assertThat(page.annotation("description")).contains("burn rate 20.0 over 1h and 20.0 over 5m");
            assertThat(state(base)).as("the state Bellwether shows").isEqualTo("PAGE");

            Instant burnStopped = Instant.now();
            post(base, key, "good", 400, "succeeded");
            Notification resolved = stack.await(alert -> isOurs(alert, "page") && alert.status().equals("resolved"),
                    NOTIFIED_WITHIN).orElseThrow(() -> new AssertionError("the page did not resolve within "
                            + NOTIFIED_WITHIN.toSeconds() + " s; got " + stack.notifications() + "\n" + logs(stack)));
            Duration timeToResolve = Duration.between(burnStopped, Instant.now());

            assertThat(resolved.receiver()).isEqualTo("pager");
            assertThat(state(base)).isEqualTo("OK");
            assertThat(stack.notifications()).as("no ticket: the state went from PAGE to OK")
                    .noneMatch(alert -> isOurs(alert, "ticket"));
            assertThat(stack.notifications()).as("the catalog's SLOs have no data: they never alert")
                    .allMatch(alert -> APP.equals(alert.label("app")));

            ServiceProcess.call(base, "DELETE", "/v1/apps/" + APP + "/slos/" + SLO, ADMIN, null);
            String series = "bellwether_slo_state{app=\"" + APP + "\",slo=\"" + SLO + "\"}";
            Instant deadline = Instant.now().plus(NOTIFIED_WITHIN);
            while (!stack.query(series).isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertThat(stack.query(series)).as("a deleted SLO's series are gone").isEmpty();

            System.out.printf("SloAlertingIT: paged %d ms after the burn started, resolved %d ms after it stopped%n",
                    timeToPage.toMillis(), timeToResolve.toMillis());
        }
    }

    private static boolean isOurs(Notification alert, String severity) {
        return APP.equals(alert.label("app")) && SLO.equals(alert.label("slo")) && severity.equals(alert.label("severity"));
    }

    private static String state(String base) throws Exception {
        return ServiceProcess.call(base, "GET", "/v1/apps/" + APP + "/slos/" + SLO, ADMIN, null).get("state").asText();
    }

    /** One beacon of {@code count} replays with one outcome, timed now. */
    private static void post(String base, String key, String prefix, int count, String outcome) throws Exception {
        Instant now = Instant.now();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(Fixtures.replay(prefix + "-" + i, now, outcome));
        }
        ServiceProcess.call(base, "POST", "/v1/beacons?key=" + key, null,
                Fixtures.beacon(APP, "client-" + prefix, Map.of(), events));
    }

    private static String logs(AlertingStack stack) {
        return "prometheus:\n" + stack.log("prometheus") + "\nalertmanager:\n" + stack.log("alertmanager");
    }
}

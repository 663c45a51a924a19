package dev.bellwether.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.support.Browser;
import dev.bellwether.support.FieldNotesServer;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The example PWA {@code examples/field-notes} driven in a real headless Chromium against the packaged service and a
 * real Unleash: a note written online, the app taken offline (network emulated off, its server stopped), opened from
 * its service worker's cache, edited while another device edits the same note, back online while its server is still
 * down (replays retried), the server back as a new release (replays succeed, one conflicts and is merged, one is
 * refused and dead-lettered), then reloaded into the new release's IndexedDB schema (a migration). Used by
 * {@link FieldNotesIT} and by the headless demo ({@link FieldNotesDemo}).
 */
final class FieldNotesTour implements AutoCloseable {

    static final String APP = "field-notes";
    static final String FLAG = "new-sync-engine";
    static final String OLD_RELEASE = "2026.11.2";
    static final String NEW_RELEASE = "2026.11.3";
    private static final String ADMIN = "field-notes-admin";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<String> say;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SharedPostgres postgres;
    private UnleashServer unleash;
    private ServiceProcess service;
    private FieldNotesServer notes;
    private Browser browser;
    private final List<Map<String, Object>> recordedByEarlierPages = new ArrayList<>();

    FieldNotesTour(Consumer<String> say) {
        this.say = say;
    }

    String serviceUrl() {
        return service.baseUrl();
    }

    String adminToken() {
        return ADMIN;
    }

    Browser browser() {
        return browser;
    }

    /** PostgreSQL, Unleash with {@value #FLAG} on for everyone, the service, the app's first release and Chromium. */
    void start() throws Exception {
        postgres = new SharedPostgres();
        unleash = UnleashServer.on(postgres);
        unleash.start();
        unleash.createFlag(FLAG);
        String strategies = "/admin/projects/" + UnleashServer.PROJECT + "/features/" + FLAG + "/environments/"
                + UnleashServer.ENVIRONMENT;
        expect(unleash.admin("POST", strategies + "/strategies", "{\"name\":\"flexibleRollout\",\"parameters\":"
                + "{\"rollout\":\"100\",\"stickiness\":\"default\",\"groupId\":\"" + FLAG + "\"}}"), 200);
        expect(unleash.admin("POST", strategies + "/on", null), 200);
        awaitFrontendFlag();
        say.accept("Unleash at " + unleash.baseUrl() + ": " + FLAG + " on for 100 %");

        Map<String, String> environment = new HashMap<>(postgres.environment());
        environment.putAll(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "QUARKUS_LOG_LEVEL", "WARN"));
        service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "field-notes-service"), environment);
        service.start();

        notes = new FieldNotesServer(Map.of("bellwether", service.baseUrl(), "unleash", unleash.baseUrl(),
                "unleash-token", unleash.frontendToken()));
        String origins = "[\"" + notes.origin() + "\"]";
        // The built-in SLO catalog declares field-notes, so the app may exist already: then only its origins change.
        HttpResponse<String> created = api("POST", "/v1/apps", "{\"name\": \"" + APP + "\", \"allowedOrigins\": " + origins + "}");
        if (created.statusCode() == 409) {
            expect(api("PATCH", "/v1/apps/" + APP, "{\"allowedOrigins\": " + origins + "}"), 200);
        } else {
            expect(created, 201, 200);
        }
        notes.option("key", JSON.readTree(expect(api("POST", "/v1/apps/" + APP + "/ingest-keys", ""), 201, 200).body())
                .get("key").asText());
        notes.start(OLD_RELEASE, 1);
        say.accept("Bellwether at " + service.baseUrl() + " (admin token " + ADMIN + "); field-notes " + OLD_RELEASE
                + " (IndexedDB schema v1) at " + notes.origin());
        browser = Browser.start();
    }

    /** The whole tour; returns what the app recorded, as each page's {@code window.fieldNotes.recorded} held it. */
    List<Map<String, Object>> run() throws Exception {
        browser.driver().get(notes.url("/"));
        awaitReady();
        await("the service worker controls the page", () -> Boolean.TRUE.equals(
                browser.script("return navigator.serviceWorker.controller !== null")));
        writeNote(null, "Survey plot 7", "Three oaks");
        awaitOutbox(0);
        String plot = (String) browser.asyncScript("const done = arguments[0];"
                + "fieldNotes.notes().then(notes => done(notes.find(note => note.title === 'Survey plot 7').id))");
        say.accept("note written online and replayed: " + lastRecorded());

        network(false);
        HttpResponse<String> otherDevice = notes.putNote(plot, "{\"mutationId\": \"other-device-1\", \"baseVersion\": 1,"
                + " \"title\": \"Survey plot 7\", \"text\": \"Three oaks, one ash\"}");
        expect(otherDevice, 200);
        notes.stop();
        say.accept("offline: network emulated off and the app's server stopped; another device edited the note meanwhile");
        reload();
        awaitReady();
        writeNote(plot, "Survey plot 7 (north)", null);
        writeNote(null, "Soil samples", "Clay at 40 cm");
        writeNote(null, "A title far longer than the server takes: " + "x".repeat(100), "refused by the server");
        awaitOutbox(3);
        say.accept("opened from the service worker's cache and edited offline: 3 mutations in the outbox");

        network(true);
        await("a replay retried while the server is down",
                () -> recordedByThisPage().stream().anyMatch(event -> "retried".equals(event.get("outcome"))));
        say.accept("online, server still down: " + lastRecorded());
        notes.start(NEW_RELEASE, 2);
        awaitOutbox(0);
        say.accept("server back as release " + NEW_RELEASE + ": outbox replayed");
        awaitFlush();

        reload();
        awaitReady();
        awaitFlush();
        say.accept("reloaded into release " + NEW_RELEASE + " (IndexedDB schema v2); every event acknowledged by Bellwether");
        List<Map<String, Object>> all = new ArrayList<>(recordedByEarlierPages);
        all.addAll(recordedByThisPage());
        return all;
    }

    /** Reloads the page, keeping what it recorded (each page starts its own list). */
    private void reload() {
        recordedByEarlierPages.addAll(recordedByThisPage());
        browser.driver().navigate().refresh();
    }

    /** {@code GET /v1/apps/field-notes/sli?window=1h}, with {@code &flag=...} when flag is not null. */
    JsonNode sli(String flag) throws Exception {
        return JSON.readTree(expect(api("GET", "/v1/apps/" + APP + "/sli?window=1h" + (flag == null ? "" : "&flag=" + flag),
                null), 200).body());
    }

    /** Waits until the service counts as many replays as the app recorded, and the migration. */
    JsonNode awaitSli(List<Map<String, Object>> recorded) throws Exception {
        long replays = recorded.stream().filter(event -> "replay".equals(event.get("type"))).count();
        Instant deadline = Instant.now().plus(WAIT);
        JsonNode sli = sli(null);
        while (Instant.now().isBefore(deadline)) {
            JsonNode total = sli.path("total");
            JsonNode counted = total.path("replays");
            long seen = counted.path("succeeded").asLong() + counted.path("retried").asLong()
                    + counted.path("deadLettered").asLong() + counted.path("conflicted").asLong();
            if (seen >= replays && total.path("migrations").path("count").asLong() >= 1) {
                return sli;
            }
            Thread.sleep(250);
            sli = sli(null);
        }
        return sli;
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> recordedByThisPage() {
        return (List<Map<String, Object>>) browser.script("return fieldNotes.recorded");
    }

    private String lastRecorded() {
        List<Map<String, Object>> all = recordedByThisPage();
        return all.isEmpty() ? "nothing recorded" : all.get(all.size() - 1).toString();
    }

    private void writeNote(String id, String title, String text) {
        if (id == null) {
            browser.driver().findElement(By.id("new-note")).click();
        } else {
            browser.driver().findElement(By.cssSelector("[data-note-id='" + id + "']")).click();
        }
        WebElement titleField = browser.driver().findElement(By.id("title"));
        titleField.clear();
        titleField.sendKeys(title);
        if (text != null) {
            WebElement textField = browser.driver().findElement(By.id("text"));
            textField.clear();
            textField.sendKeys(text);
        }
        long before = outboxReports();
        browser.driver().findElement(By.id("save")).click();
        await("the edit of '" + title + "' queued", () -> outboxReports() > before);
    }

    private long outboxReports() {
        return recordedByThisPage().stream().filter(event -> "outbox".equals(event.get("type"))).count();
    }

    private int outboxDepth() {
        return ((Number) browser.asyncScript("const done = arguments[0];"
                + "fieldNotes.outbox().then(outbox => done(outbox.length), () => done(-1))")).intValue();
    }

    /**
     * Waits until the outbox holds {@code depth} mutations and the app has recorded an outbox report of that depth: a
     * drain reports the depth after its last replay, and a reload before that report would leave it out of what the
     * test takes the app to have recorded.
     */
    private void awaitOutbox(int depth) {
        await("outbox depth " + depth, () -> outboxDepth() == depth);
        await("outbox depth " + depth + " reported", () -> lastReportedOutboxDepth() == depth);
    }

    private long lastReportedOutboxDepth() {
        List<Map<String, Object>> reports = recordedByThisPage().stream()
                .filter(event -> "outbox".equals(event.get("type"))).toList();
        return reports.isEmpty() ? -1 : ((Number) reports.get(reports.size() - 1).get("depth")).longValue();
    }

    private void awaitReady() {
        Object failure = browser.asyncScript("const done = arguments[0];"
                + "fieldNotes.ready.then(() => done(null), error => done(String(error)))");
        if (failure != null) {
            throw new IllegalStateException("the app did not start: " + failure + "\n" + browser.consoleLog());
        }
    }

    private void awaitFlush() {
        await("the SDK's flush", () -> browser.asyncScript("const done = arguments[0];"
                + "fieldNotes.flush().then(() => done(true), () => done(false))").equals(Boolean.TRUE));
    }

    /** Chromium's network emulation (DevTools protocol): offline fires the page's offline event, online its online. */
    private void network(boolean online) {
        ChromeDriver chrome = (ChromeDriver) browser.driver();
        chrome.executeCdpCommand("Network.enable", Map.of());
        chrome.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", !online, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
    }

    private void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what + "; the app recorded "
                        + recordedByThisPage() + "\nconsole:\n" + browser.consoleLog());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Polls Unleash's frontend API, which reflects a change after its own cache refresh, until the flag is on. */
    private void awaitFrontendFlag() throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> toggles = http.send(HttpRequest.newBuilder(URI.create(unleash.baseUrl() + "/api/frontend"))
                    .header("Authorization", unleash.frontendToken()).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (toggles.statusCode() == 200) {
                for (JsonNode toggle : JSON.readTree(toggles.body()).path("toggles")) {
                    if (FLAG.equals(toggle.path("name").asText()) && toggle.path("enabled").asBoolean()) {
                        return;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Unleash's frontend API did not show " + FLAG + " on within " + WAIT.toSeconds() + " s");
    }

    private HttpResponse<String> api(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + ADMIN)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                + response.statusCode() + ": " + response.body());
    }

    @Override
    public void close() throws Exception {
        try (SharedPostgres closingPostgres = postgres; UnleashServer closingUnleash = unleash;
                ServiceProcess closingService = service; FieldNotesServer closingNotes = notes; Browser closingBrowser = browser) {
            // closed in reverse order: the browser first, PostgreSQL last
        }
    }
}

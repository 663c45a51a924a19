package dev.bellwether.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.support.Browser;
import dev.bellwether.support.FaultyProxy;
import dev.bellwether.support.RecordingProxy;
import dev.bellwether.support.RecordingProxy.Exchange;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.StaticSite;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.WindowType;

/**
 * The JavaScript SDK in a real Chromium against the packaged service: pages and a service worker served from an
 * origin of their own (listed in each app's {@code allowedOrigins}) load the SDK's script build and record; what
 * the service counted (the SLI report) is compared with what was recorded. Each case has its own app, so its own
 * IndexedDB database and counts.
 */
class BrowserSdkIT {

    private static final String ADMIN = "browser-sdk-admin";
    private static final Path PAGES = Path.of("src/test/resources/browser/sdk");
    private static final Path SCRIPT_BUILD = Path.of("target/classes/META-INF/resources/sdk");
    /** An interval no case waits for: what is delivered was sent by something else (a beacon, a flush, a retry). */
    private static final int NEVER_MS = 3_600_000;
    /** Chromium's timers and the proxy's clock may disagree by a tick: what a wait may fall short of Retry-After. */
    private static final Duration CLOCK_TOLERANCE = Duration.ofMillis(50);

    private static ServiceProcess service;
    private static StaticSite site;
    private static Browser browser;
    private static String firstTab;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "browser-sdk-data"),
                Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN));
        service.start();
        site = StaticSite.start(Map.of("/", PAGES, "/sdk/", SCRIPT_BUILD));
        browser = Browser.start();
        firstTab = browser.driver().getWindowHandle();
    }

    @AfterAll
    static void stop() throws Exception {
        try (ServiceProcess stopService = service; StaticSite stopSite = site; Browser stopBrowser = browser) {
            // closed in reverse order
        }
    }

    /** Every case starts from the first tab, with the others closed. */
    @AfterEach
    void backToTheFirstTab() {
        for (String handle : browser.driver().getWindowHandles()) {
            if (!handle.equals(firstTab)) {
                browser.driver().switchTo().window(handle).close();
            }
        }
        browser.driver().switchTo().window(firstTab);
        browser.driver().get("about:blank");
    }

    @Test
    void eventsRecordedWhileTheServiceIsDownAndAcrossAReloadAreCountedOnceWhenItIsBack() throws Exception {
        String app = app("down", null);
        String key = key(app);
        List<Object> ids = new ArrayList<>();
        try (FaultyProxy proxy = FaultyProxy.to(URI.create(service.baseUrl()).getPort())) {
            proxy.refuse();
            browser.driver().get(page("http://127.0.0.1:" + proxy.port(), key, app,
                    Map.of("intervalMs", 200, "backoffMs", 100, "maxBackoffMs", 400)));
            ids.addAll(record(5));
            waitFor("a send that failed before the reload", Duration.ofSeconds(10), () -> stat("failures") >= 1);

            browser.driver().navigate().refresh();
            ids.addAll(record(5));
            waitFor("a send that failed after the reload", Duration.ofSeconds(10), () -> stat("failures") >= 1);
            assertThat(counted(app)).as("counted while the service is down").isZero();

            proxy.pass();
            waitFor("every stored event settled", Duration.ofSeconds(15), () -> stat("queued") == 0);
        }
        assertThat(ids).hasSize(10).doesNotHaveDuplicates();
        assertThat(stat("sent")).as("sent by the reloaded page, its predecessor's events included").isEqualTo(10);
        assertThat(counted(app)).as("events the service counted").isEqualTo(10);
    }

    @Test
    void aPageClosedRightAfterRecordingIsDeliveredBySendBeacon() throws Exception {
        String app = app("closed", null);
        String key = key(app);
        try (RecordingProxy proxy = RecordingProxy.to(service.baseUrl())) {
            browser.driver().switchTo().newWindow(WindowType.TAB);
            browser.driver().get(page(proxy.url(), key, app, Map.of("intervalMs", NEVER_MS)));
            assertThat(record(3)).hasSize(3);
            browser.driver().close();
            browser.driver().switchTo().window(firstTab);

            waitFor("the closed page's events counted", Duration.ofSeconds(10), () -> counted(app) == 3);
            List<Exchange> exchanges = proxy.exchanges();
            assertThat(exchanges).as("what reached the service").isNotEmpty().allSatisfy(exchange -> {
                assertThat(exchange.method()).isEqualTo("POST");
                assertThat(exchange.contentType()).startsWith("text/plain");
                assertThat(exchange.keyInQuery()).as("key in the query").isTrue();
                assertThat(exchange.authorization()).as("an Authorization header").isFalse();
                assertThat(exchange.status()).isEqualTo(202);
            });
        }
    }

    @Test
    void aRateLimitedClientWaitsWhatRetryAfterSaysAndEverythingArrivesOnce() throws Exception {
        // The rate is per app: one beacon a second, a burst of two. One send of five cohorts' events is five beacons.
        String app = app("limited", 1);
        String key = key(app);
        double rateLimitedBefore = rateLimitedBeacons();
        try (RecordingProxy proxy = RecordingProxy.to(service.baseUrl())) {
            // A short backoff: had the SDK not read Retry-After, it would come back within it, not after it.
            browser.driver().get(page(proxy.url(), key, app, Map.of("intervalMs", NEVER_MS, "backoffMs", 50)));
            for (int cohort = 0; cohort < 5; cohort++) {
                browser.script("window.flags = {['limited-' + arguments[0]]: true}", cohort);
                record(1);
            }
            run("await bw.flush().catch(() => {});");
            waitFor("every stored event settled", Duration.ofSeconds(20), () -> stat("queued") == 0);

            List<Exchange> posts = proxy.exchanges().stream().filter(e -> e.method().equals("POST")).toList();
            List<Exchange> limited = posts.stream().filter(e -> e.status() == 429).toList();
            assertThat(limited).as("beacons answered 429").isNotEmpty();
            assertThat(posts).as("each beacon accepted once, and once more per 429")
                    .hasSize(5 + limited.size());
            List<Long> waitsMs = new ArrayList<>();
            for (int i = 0; i + 1 < posts.size(); i++) {
                Exchange exchange = posts.get(i);
                if (exchange.status() == 429) {
                    Duration waited = Duration.between(exchange.answered(), posts.get(i + 1).received());
                    Duration asked = Duration.ofSeconds(Long.parseLong(exchange.retryAfter()));
                    assertThat(waited).as("wait after a 429 asking for " + asked).isGreaterThanOrEqualTo(asked.minus(CLOCK_TOLERANCE));
                    waitsMs.add(waited.toMillis());
                }
            }
            System.out.printf("429: %d beacons for 5 cohorts, %d answered 429, waits after them %s ms%n", posts.size(),
                    limited.size(), waitsMs);
            assertThat(rateLimitedBeacons() - rateLimitedBefore).as("429s the service counted")
                    .isEqualTo((double) limited.size());
        }
        assertThat(stat("sent")).isEqualTo(5);
        assertThat(counted(app)).as("events the service counted").isEqualTo(5);
    }

    /** With Web Locks one tab sends at a time; without them (an older browser) the service's dedupe is the guarantee. */
    @ParameterizedTest(name = "Web Locks: {0}")
    @ValueSource(booleans = {true, false})
    void twoTabsRecordingAtOnceLoseNothingAndCountNothingTwice(boolean webLocks) throws Exception {
        String app = app("tabs", null);
        String url = page(service.baseUrl(), key(app), app, Map.of("intervalMs", 100, "backoffMs", 100,
                "locks", webLocks ? "browser" : "none"));
        int perTab = 60;
        String recordInTheBackground = "window.recording = (async () => { const ids = [];"
                + " for (let i = 0; i < arguments[0]; i++) ids.push(await bw.sync({latencyMs: 100 + i})); return ids; })();";
        browser.driver().get(url);
        browser.script(recordInTheBackground, perTab);
        browser.driver().switchTo().newWindow(WindowType.TAB);
        String secondTab = browser.driver().getWindowHandle();
        browser.driver().get(url);
        browser.script(recordInTheBackground, perTab);

        List<Object> ids = new ArrayList<>(asList(run("const ids = await window.recording; await bw.flush(); return ids;")));
        browser.driver().switchTo().window(firstTab);
        ids.addAll(asList(run("const ids = await window.recording; await bw.flush(); return ids;")));
        browser.driver().switchTo().window(secondTab);
        run("await bw.flush();");

        assertThat(ids).hasSize(2 * perTab).doesNotHaveDuplicates();
        assertThat(run("const db = await new Promise((ok, fail) => { const r = indexedDB.open('bellwether-' + arguments[0]);"
                + " r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });"
                + " const left = await new Promise((ok) => { const r = db.transaction('events').objectStore('events').count();"
                + " r.onsuccess = () => ok(r.result); }); db.close(); return left;", app))
                .as("events left stored").isEqualTo(0L);
        assertThat(counted(app)).as("events the service counted").isEqualTo(2 * perTab);
        // How often both tabs sent the same stored events: the service's dedupe absorbed these.
        System.out.printf("two tabs, Web Locks %s: %d events recorded, %.0f answered as duplicates%n", webLocks, 2 * perTab,
                metric("bellwether_ingest_events_total", "app=\"" + app + "\"", "result=\"duplicate\""));
    }

    @Test
    void aServiceWorkerRecordsAndDelivers() throws Exception {
        String app = app("worker", null);
        String key = key(app);
        browser.driver().get(site.url("/worker.html"));
        Map<String, Object> options = Map.of("endpoint", service.baseUrl(), "key", key, "app", app, "intervalMs", NEVER_MS);
        @SuppressWarnings("unchecked")
        Map<String, Object> reply = (Map<String, Object>) run("return await send({options: arguments[0], count: 4});", options);

        assertThat(reply).as("the worker's reply; console:\n" + browser.consoleLog()).doesNotContainKey("error");
        assertThat(reply).containsEntry("sendBeacon", "undefined").containsEntry("localStorage", "undefined")
                .containsEntry("document", "undefined");
        assertThat(asList(reply.get("ids"))).hasSize(4).doesNotHaveDuplicates();
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) reply.get("stats");
        assertThat(stats).containsEntry("sent", 4L).containsEntry("queued", 0L);
        assertThat(counted(app)).as("events the service counted").isEqualTo(4);
    }

    /** An app that allows the site's origin, with its own beacon rate when given. */
    private static String app(String prefix, Integer beaconsPerSecond) throws Exception {
        String name = prefix + "-" + Long.toHexString(System.nanoTime());
        ServiceProcess.call(service.baseUrl(), "POST", "/v1/apps", ADMIN, "{\"name\": \"" + name + "\", \"allowedOrigins\": [\""
                + site.origin() + "\"]" + (beaconsPerSecond == null ? "" : ", \"beaconsPerSecond\": " + beaconsPerSecond) + "}");
        return name;
    }

    private static String key(String app) throws Exception {
        return ServiceProcess.call(service.baseUrl(), "POST", "/v1/apps/" + app + "/ingest-keys", ADMIN, "").get("key").asText();
    }

    private static String page(String endpoint, String key, String app, Map<String, Object> options) {
        Map<String, Object> query = new LinkedHashMap<>(Map.of("endpoint", endpoint, "key", key, "app", app));
        query.putAll(options);
        return site.url("/page.html?" + query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    /** Records n sync events in the current page; answers their ids once all are stored. */
    private static List<Object> record(int n) {
        return asList(run("const ids = []; for (let i = 0; i < arguments[0]; i++) ids.push(await bw.sync({latencyMs: 100 + i}));"
                + " return ids;", n));
    }

    /** Runs the body of an async function in the current page and answers what it returns; a rejection fails the test. */
    private static Object run(String body, Object... arguments) {
        Object[] all = new Object[arguments.length];
        System.arraycopy(arguments, 0, all, 0, arguments.length);
        @SuppressWarnings("unchecked")
        Map<String, Object> outcome = (Map<String, Object>) browser.asyncScript("const done = arguments[arguments.length - 1];"
                + " (async function () { " + body + " }).apply(null, Array.from(arguments).slice(0, -1))"
                + ".then((value) => done({value}), (error) => done({error: String(error)}));", all);
        if (outcome.containsKey("error")) {
            throw new AssertionError("the page's script failed: " + outcome.get("error") + "\nconsole:\n" + browser.consoleLog());
        }
        return outcome.get("value");
    }

    private static long stat(String name) {
        return ((Number) browser.script("return bw.stats()[arguments[0]]", name)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        return (List<Object>) value;
    }

    /** The events the service counted for the app around now. */
    private static long counted(String app) throws Exception {
        Instant now = Instant.now();
        return ServiceProcess.call(service.baseUrl(), "GET", "/v1/apps/" + app + "/sli?from=" + now.minus(10, ChronoUnit.MINUTES)
                + "&to=" + now.plus(10, ChronoUnit.MINUTES), ADMIN, null).path("total").path("events").asLong();
    }

    /** Beacons the service answered 429, all apps together (only one case is rate-limited). */
    private double rateLimitedBeacons() throws Exception {
        return metric("bellwether_ingest_beacons_total", "outcome=\"rate_limited\"");
    }

    /** The sum of a metric's series on the management port that carry all the given labels. */
    private double metric(String name, String... labels) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith(name + "{") && Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static void waitFor(String what, Duration bound, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(bound);
        while (!condition.call()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + bound + ": " + what + "\nconsole:\n" + browser.consoleLog());
            }
            Thread.sleep(100);
        }
    }
}

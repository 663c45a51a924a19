package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.support.Browser;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.StaticSite;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.HasDevTools;
import org.openqa.selenium.devtools.v156.performance.Performance;
import org.openqa.selenium.devtools.v156.performance.model.Metric;

/**
 * What the JavaScript SDK costs the app that embeds it, in a real Chromium against the packaged service: main-thread
 * time per record call (the synchronous part, per call, and all script time including IndexedDB callbacks, per call on
 * average, from Chromium's own counters), side by side with a bare durable IndexedDB write of the same event, the
 * least any SDK that stores before it resolves can spend; bytes on the wire per event by batch size, as sent and as
 * gzip would make them; the size of the script build. Not a timed test: it prints a table and writes
 * target/bench/sdk.json. Run with {@code ./mvnw -Pbench verify -Dit.test=SdkBenchmark}.
 */
class SdkBenchmark {

    private static final String ADMIN = "sdk-bench-admin";
    private static final int RECORD_CALLS = Integer.getInteger("bench.sdk-record-calls", 2_000);
    private static final List<Integer> BATCHES = List.of(1, 10, 100, 1_000);
    private static final Path SCRIPTS = Path.of("target", "classes", "META-INF", "resources", "sdk");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recordCallsStayOffTheMainThreadAndBeaconsStaySmall() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "sdk-bench");
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "QUARKUS_LOG_LEVEL", "WARN"));
                StaticSite site = StaticSite.start(Map.of("/", Path.of("src/test/resources/browser/bench"), "/sdk/", SCRIPTS),
                        StaticSite.CROSS_ORIGIN_ISOLATED);
                Browser browser = Browser.start()) {
            service.start();
            String base = service.baseUrl();
            ServiceProcess.call(base, "POST", "/v1/apps", ADMIN, "{\"name\": \"sdk-bench\", \"beaconsPerSecond\": 1000000, "
                    + "\"allowedOrigins\": [\"" + site.origin() + "\"]}");
            String key = ServiceProcess.call(base, "POST", "/v1/apps/sdk-bench/ingest-keys", ADMIN, "").get("key").asText();
            browser.driver().get(site.url("/sdk.html"));
            DevTools devTools = ((HasDevTools) browser.driver()).getDevTools();
            devTools.createSession();
            devTools.send(Performance.enable(Optional.empty()));

            // a first round warms the JIT and IndexedDB; only the second is measured
            Map<?, ?> sdk = null;
            double recordScriptMs = 0;
            double sendScriptMs = 0;
            Map<?, ?> sent = null;
            for (int round = 0; round < 2; round++) {
                run(browser, "open(arguments[0], arguments[1], arguments[2])", base, key, "bench-record-" + round);
                double before = scriptSeconds(devTools);
                sdk = run(browser, "record(arguments[0], arguments[1])", RECORD_CALLS, "r" + round + "-");
                double recorded = scriptSeconds(devTools);
                sent = run(browser, "flush()");
                double flushed = scriptSeconds(devTools);
                run(browser, "close()");
                recordScriptMs = (recorded - before) * 1000 / RECORD_CALLS;
                sendScriptMs = (flushed - recorded) * 1000 / RECORD_CALLS;
            }
            if (number(sent, "sent") != RECORD_CALLS) {
                throw new IllegalStateException("the service acknowledged " + sent + " of " + RECORD_CALLS + " events");
            }
            run(browser, "barePuts(arguments[0])", RECORD_CALLS);
            double bareBefore = scriptSeconds(devTools);
            Map<?, ?> bare = run(browser, "barePuts(arguments[0])", RECORD_CALLS);
            double bareScriptMs = (scriptSeconds(devTools) - bareBefore) * 1000 / RECORD_CALLS;

            ObjectNode json = JSON.createObjectNode();
            StringBuilder table = new StringBuilder();
            table.append(String.format(Locale.ROOT, "main thread per record call (%d calls, fine timer: %s), ms%n", RECORD_CALLS,
                    sdk.get("isolated")));
            table.append(String.format(Locale.ROOT, "%-30s %10s %10s %10s %18s%n", "", "sync p50", "sync p99", "sync max",
                    "all script, mean"));
            table.append(row("SDK record call", sdk, recordScriptMs));
            table.append(row("bare durable IndexedDB add", bare, bareScriptMs));
            table.append(String.format(Locale.ROOT, "%-30s %10s %10s %10s %18.3f%n", "SDK sending, per event", "", "", "",
                    sendScriptMs));
            json.set("sdk", timing(sdk, recordScriptMs).put("sendScriptMsPerEvent", sendScriptMs));
            json.set("bareIndexedDb", timing(bare, bareScriptMs));
            json.put("recordCalls", RECORD_CALLS);

            table.append(String.format(Locale.ROOT, "%n%-12s %8s %14s %18s %14s%n", "batch", "beacons", "bytes/event",
                    "gzipped/event", "acknowledged"));
            ArrayNode wire = json.putArray("wire");
            for (int batch : BATCHES) {
                run(browser, "open(arguments[0], arguments[1], arguments[2])", base, key, "bench-wire-" + batch);
                run(browser, "record(arguments[0], arguments[1])", batch, "w" + batch + "-");
                Map<?, ?> flushed = run(browser, "flush()");
                double gzipped = number(run(browser, "gzipped()"), "bytes");
                run(browser, "close()");
                double perEvent = number(flushed, "bytes") / batch;
                table.append(String.format(Locale.ROOT, "%-12d %8.0f %14.1f %18.1f %14.0f%n", batch, number(flushed, "beacons"),
                        perEvent, gzipped / batch, number(flushed, "sent")));
                wire.addObject().put("events", batch).put("beacons", number(flushed, "beacons")).put("bytesPerEvent", perEvent)
                        .put("gzippedBytesPerEvent", gzipped / batch).put("acknowledged", number(flushed, "sent"));
            }

            table.append(String.format(Locale.ROOT, "%n%-22s %10s %10s%n", "script", "minified", "gzipped"));
            ObjectNode sizes = json.putObject("scriptBytes");
            for (String script : List.of("bellwether.js")) {
                byte[] minified = Files.readAllBytes(SCRIPTS.resolve(script));
                int gzipped = gzipped(minified);
                table.append(String.format(Locale.ROOT, "%-22s %10d %10d%n", script, minified.length, gzipped));
                sizes.putObject(script).put("minified", minified.length).put("gzipped", gzipped);
            }
            System.out.print(table);
            Path out = Path.of("target", "bench");
            Files.createDirectories(out);
            Files.writeString(out.resolve("sdk.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            Files.writeString(out.resolve("sdk.md"), table.toString());
        }
    }

    private static Map<?, ?> run(Browser browser, String call, Object... arguments) {
        Object[] withCallback = new Object[arguments.length];
        System.arraycopy(arguments, 0, withCallback, 0, arguments.length);
        Object result = browser.asyncScript("const done = arguments[arguments.length - 1]; " + call
                + ".then(done, error => done({error: String(error)}));", withCallback);
        if (!(result instanceof Map<?, ?> map) || map.containsKey("error")) {
            throw new IllegalStateException(call + " failed: " + result + "\n" + browser.consoleLog());
        }
        return map;
    }

    /** Chromium's own count of the seconds the page's main thread spent running script. */
    private static double scriptSeconds(DevTools devTools) {
        for (Metric metric : devTools.send(Performance.getMetrics())) {
            if (metric.getName().equals("ScriptDuration")) {
                return metric.getValue().doubleValue();
            }
        }
        throw new IllegalStateException("Chromium reported no ScriptDuration");
    }

    private static String row(String name, Map<?, ?> timing, double scriptMs) {
        return String.format(Locale.ROOT, "%-30s %10.3f %10.3f %10.3f %18.3f%n", name, number(timing, "p50"), number(timing, "p99"),
                number(timing, "max"), scriptMs);
    }

    private static ObjectNode timing(Map<?, ?> timing, double scriptMs) {
        return JSON.createObjectNode().put("syncP50Ms", number(timing, "p50")).put("syncP99Ms", number(timing, "p99"))
                .put("syncMaxMs", number(timing, "max")).put("scriptMsPerCall", scriptMs);
    }

    private static double number(Map<?, ?> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }

    private static int gzipped(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(9);
            }
        }) {
            gzip.write(bytes);
        }
        return out.size();
    }
}

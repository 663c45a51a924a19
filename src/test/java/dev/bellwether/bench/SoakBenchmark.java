package dev.bellwether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.bench.ProcessMeter.MemoryProbe;
import dev.bellwether.bench.ProcessMeter.MemorySample;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A soak: steady beacons at a fraction of the maximum this machine reached a moment before (measured first, closed
 * loop, in the same run), for {@code bench.soak-minutes}, while the SLO evaluator ticks and a rollout steps a flag in a
 * real Unleash. Per minute it records the ack latency (from each beacon's scheduled send time, so a stall is not
 * hidden by the generator waiting for it), the failures, the service's resident set and heap (used, and live after
 * collection), PostgreSQL's memory, and the rollout's and SLO's states; at the end, the trend of the memory figures
 * over the second half of the run. Not a timed test: it prints a table and writes target/bench/soak.json. Run with
 * {@code ./mvnw -Pbench verify -Dit.test=SoakBenchmark}.
 */
class SoakBenchmark {

    private static final String ADMIN = "soak-admin";
    private static final String APP = "soak";
    private static final Duration SOAK = Duration.ofMinutes(Long.getLong("bench.soak-minutes", 30));
    private static final double FRACTION_OF_MAXIMUM = Double.parseDouble(System.getProperty("bench.soak-fraction", "0.5"));
    private static final Duration CALIBRATION = Duration.ofSeconds(Long.getLong("bench.soak-calibration-seconds", 30));
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    private static final int CLIENTS = 2_000;
    private static final Duration SAMPLE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong sequence = new AtomicLong();
    private final String flag = "soak-flag";

    /** One minute of the soak. */
    record Minute(int minute, long acknowledged, long failed, double p50Ms, double p99Ms, double maxMs) {
    }

    /** One reading of the processes, every {@link #SAMPLE}. */
    record Reading(double minutes, double serviceRssMb, double heapUsedMb, double heapLiveMb, double postgresMb,
            String rollout, String slo) {
    }

    @Test
    void steadyLoadKeepsMemoryAndLatencyFlat() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "soak-data");
        try (SharedPostgres unleashDatabase = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(unleashDatabase)) {
            unleash.start();
            unleash.createFlag(flag);
            Map<String, String> environment = new HashMap<>(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "QUARKUS_LOG_LEVEL", "WARN",
                    "BELLWETHER_UNLEASH_URL", unleash.apiUrl(), "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                    "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken()));
            try (ServiceProcess service = new ServiceProcess(data, environment)) {
                service.start();
                MemoryProbe memory = new MemoryProbe(service.pid(), data.resolve("postgres").resolve("postmaster.pid"));
                String base = service.baseUrl();
                call(base, "POST", "/v1/apps", "{\"name\": \"" + APP + "\", \"beaconsPerSecond\": 1000000}");
                String key = call(base, "POST", "/v1/apps/" + APP + "/ingest-keys", "").get("key").asText();
                String beacons = base + "/v1/beacons?key=" + key;

                double maximum = calibrate(beacons);
                double rate = maximum * FRACTION_OF_MAXIMUM;
                System.out.printf(Locale.ROOT, "maximum %.0f beacons/s closed loop over %d s; soaking at %.0f beacons/s for %d min%n",
                        maximum, CALIBRATION.toSeconds(), rate, SOAK.toMinutes());

                call(base, "PUT", "/v1/apps/" + APP + "/slos/dead-letters",
                        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.85, \"minEvents\": 100}");
                long rollout = call(base, "POST", "/v1/rollouts", "{\"app\": \"" + APP + "\", \"flag\": \"" + flag + "\", "
                        + "\"steps\": [5, 25, 50, 100], \"bake\": \"PT" + Math.max(1, SOAK.toMinutes() / 5) + "M\", "
                        + "\"minSamplePerCohort\": 200, \"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}")
                        .get("id").asLong();
                call(base, "POST", "/v1/rollouts/" + rollout + "/start", "{\"reason\": \"soak\"}");

                List<Reading> readings = new ArrayList<>();
                Instant start = Instant.now();
                var sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(() -> {
                    try {
                        readings.add(read(base, service.managementUrl(), memory, rollout, start));
                    } catch (Exception unreadable) {
                        // a reading that fails is skipped: the soak goes on and the table shows the gap
                    }
                }, 0, SAMPLE.toSeconds(), TimeUnit.SECONDS);
                List<Minute> minutes = soak(beacons, rate, SOAK);
                sampler.shutdownNow();
                sampler.awaitTermination(10, TimeUnit.SECONDS);
                report(maximum, rate, minutes, List.copyOf(readings),
                        call(base, "GET", "/v1/rollouts/" + rollout + "/decisions", null));
            }
        }
    }

    /** Beacons per second that {@link #CONNECTIONS} closed-loop connections get acknowledged, after as long a warm-up. */
    private double calibrate(String url) throws Exception {
        closedLoop(url, CALIBRATION);
        return closedLoop(url, CALIBRATION) / (double) CALIBRATION.toSeconds();
    }

    private long closedLoop(String url, Duration length) throws Exception {
        AtomicLong acknowledged = new AtomicLong();
        long deadline = System.nanoTime() + length.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            workers.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    if (send(url) == 202) {
                        acknowledged.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        return acknowledged.get();
    }

    /**
     * Open loop: each connection sends on its own schedule, together {@code rate} a second; a beacon's latency counts
     * from when it was due, so a stall shows in the figures instead of slowing the generator down.
     */
    private List<Minute> soak(String url, double rate, Duration length) throws Exception {
        Map<Integer, Histogram> latencies = new ConcurrentHashMap<>();
        Map<Integer, AtomicLong> failures = new ConcurrentHashMap<>();
        long interval = (long) (CONNECTIONS * 1e9 / rate);
        long started = System.nanoTime();
        long deadline = started + length.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            long offset = interval * c / CONNECTIONS;
            workers.add(pool.submit(() -> {
                for (long due = started + offset; due < deadline; due += interval) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    int status = send(url);
                    int minute = (int) ((due - started) / 60_000_000_000L);
                    if (status == 202) {
                        Histogram histogram = latencies.computeIfAbsent(minute, m -> new Histogram(600_000_000_000L, 3));
                        synchronized (histogram) {
                            histogram.recordValue(Math.max(0, System.nanoTime() - due));
                        }
                    } else {
                        failures.computeIfAbsent(minute, m -> new AtomicLong()).incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        List<Minute> minutes = new ArrayList<>();
        for (int m = 0; m < length.toMinutes(); m++) {
            Histogram h = latencies.getOrDefault(m, new Histogram(3));
            minutes.add(new Minute(m, h.getTotalCount(), failures.getOrDefault(m, new AtomicLong()).get(),
                    h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6));
        }
        return minutes;
    }

    /** The status of one beacon, or 0 when it got no answer. */
    private int send(String url) {
        long n = sequence.getAndAdd(RealisticBeacon.EVENTS);
        long client = (n / RealisticBeacon.EVENTS) % CLIENTS;
        String body = RealisticBeacon.json(APP, "client-" + client, flag, client % 2 == 0, n, Instant.now());
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "text/plain;charset=UTF-8").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception noAnswer) {
            return 0;
        }
    }

    private Reading read(String base, String management, MemoryProbe memory, long rollout, Instant start) throws Exception {
        MemorySample sample = memory.sample();
        String metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode state = call(base, "GET", "/v1/rollouts/" + rollout, null);
        JsonNode slo = call(base, "GET", "/v1/apps/" + APP + "/slos/dead-letters", null);
        return new Reading(Duration.between(start, Instant.now()).toMillis() / 60_000.0, sample.serviceRssKb() / 1024.0,
                sum(metrics, "jvm_memory_used_bytes{area=\"heap\"") / 1048576.0,
                sum(metrics, "jvm_gc_live_data_size_bytes") / 1048576.0, sample.postgresKb() / 1024.0,
                state.get("state").asText() + " " + state.path("percentage").asText(state.path("step").asText()),
                slo.path("state").asText());
    }

    /** The sum of every sample of a metric whose line starts with {@code prefix}. */
    private static double sum(String metrics, String prefix) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private void report(double maximum, double rate, List<Minute> minutes, List<Reading> readings, JsonNode decisions)
            throws Exception {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%nSoak at %.0f beacons/s (%.2f of the %.0f/s measured first), %d events each, %d min%n%n"
                        + "| minute | beacons/s | failed | p50 ack ms | p99 ack ms | max ms | service RSS MB | heap used MB"
                        + " | heap live MB | postgres MB | rollout | SLO |%n|---|---|---|---|---|---|---|---|---|---|---|---|%n",
                rate, FRACTION_OF_MAXIMUM, maximum, RealisticBeacon.EVENTS, SOAK.toMinutes()));
        ObjectNode json = JSON.createObjectNode().put("maximumBeaconsPerSecond", maximum).put("rate", rate)
                .put("minutes", SOAK.toMinutes()).put("eventsPerBeacon", RealisticBeacon.EVENTS).put("clients", CLIENTS)
                .put("connections", CONNECTIONS).put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode rows = json.putArray("perMinute");
        for (Minute m : minutes) {
            List<Reading> in = readings.stream().filter(r -> (int) r.minutes() == m.minute()).toList();
            double rss = mean(in, Reading::serviceRssMb);
            double heap = mean(in, Reading::heapUsedMb);
            double live = mean(in, Reading::heapLiveMb);
            double postgres = mean(in, Reading::postgresMb);
            String rollout = in.isEmpty() ? "" : in.get(in.size() - 1).rollout();
            String slo = in.isEmpty() ? "" : in.get(in.size() - 1).slo();
            table.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s |%n",
                    m.minute() + 1, m.acknowledged() / 60.0, m.failed(), m.p50Ms(), m.p99Ms(), m.maxMs(), rss, heap, live,
                    postgres, rollout, slo));
            rows.addObject().put("minute", m.minute() + 1).put("beaconsPerSecond", m.acknowledged() / 60.0)
                    .put("failed", m.failed()).put("p50Ms", m.p50Ms()).put("p99Ms", m.p99Ms()).put("maxMs", m.maxMs())
                    .put("serviceRssMb", rss).put("heapUsedMb", heap).put("heapLiveMb", live).put("postgresMb", postgres)
                    .put("rollout", rollout).put("slo", slo);
        }
        // the trend over the second half: the first half holds the JIT's and the caches' warm-up
        List<Reading> late = readings.stream().filter(r -> r.minutes() >= SOAK.toMinutes() / 2.0).toList();
        double rssSlope = slopePerTenMinutes(late, Reading::serviceRssMb);
        double liveSlope = slopePerTenMinutes(late, Reading::heapLiveMb);
        double postgresSlope = slopePerTenMinutes(late, Reading::postgresMb);
        long failed = minutes.stream().mapToLong(Minute::failed).sum();
        table.append(String.format(Locale.ROOT, "%nTrend over the second half, MB per 10 min: service RSS %+.1f, heap live %+.1f,"
                + " postgres %+.1f; failed beacons %d; rollout decisions: %s%n", rssSlope, liveSlope, postgresSlope, failed,
                triggers(decisions)));
        json.put("serviceRssMbPer10MinSecondHalf", rssSlope).put("heapLiveMbPer10MinSecondHalf", liveSlope)
                .put("postgresMbPer10MinSecondHalf", postgresSlope).put("failedBeacons", failed)
                .put("rolloutDecisions", triggers(decisions));
        System.out.println(table);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("soak.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("soak.md"), table.toString());
    }

    private static String triggers(JsonNode decisions) {
        List<String> triggers = new ArrayList<>();
        decisions.forEach(d -> triggers.add(d.get("trigger").asText() + "→" + d.path("toState").asText()));
        return String.join(", ", triggers);
    }

    private static double mean(List<Reading> readings, java.util.function.ToDoubleFunction<Reading> figure) {
        return readings.stream().mapToDouble(figure).average().orElse(Double.NaN);
    }

    /** Least-squares slope of a figure against time, in MB per ten minutes. */
    private static double slopePerTenMinutes(List<Reading> readings, java.util.function.ToDoubleFunction<Reading> figure) {
        double meanX = mean(readings, Reading::minutes);
        double meanY = mean(readings, figure);
        double covariance = 0;
        double variance = 0;
        for (Reading r : readings) {
            covariance += (r.minutes() - meanX) * (figure.applyAsDouble(r) - meanY);
            variance += (r.minutes() - meanX) * (r.minutes() - meanX);
        }
        return variance == 0 ? Double.NaN : covariance / variance * 10;
    }

    private JsonNode call(String base, String method, String path, String body) throws Exception {
        return ServiceProcess.call(base, method, path, ADMIN, body);
    }
}

package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.bench.ProcessMeter.Cpu;
import dev.bellwether.bench.ProcessMeter.CpuReading;
import dev.bellwether.bench.ProcessMeter.Memory;
import dev.bellwether.bench.ProcessMeter.MemoryProbe;
import dev.bellwether.bench.ProcessMeter.MemorySample;
import dev.bellwether.bench.ProcessMeter.MemorySampler;
import dev.bellwether.support.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Ingest throughput and ack latency of realistic beacons (20 events) over loopback, side by side with the ceiling
 * endpoint of the same server (HTTP only) and its parsed endpoint (HTTP, parsing and validation, no storage), in
 * alternating rounds so that machine noise hits all alike. Not a timed test: it
 * prints a table and writes target/bench/ingest.json. Run with {@code ./mvnw -Pbench verify}.
 *
 * <p>Also reports memory under load, sampled during each round: the service JVM's resident set and the embedded
 * PostgreSQL's (Linux only: read from /proc); and the CPU time per request of the service, its PostgreSQL and the load
 * generator (this JVM), which share the machine's cores: the ratios of the endpoints follow from those costs.
 */
class IngestBenchmark {

    private static final String ADMIN = "bench-admin";
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    private static final Duration ROUND = Duration.ofSeconds(Long.getLong("bench.round-seconds", 10));
    private static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("bench.warm-up-seconds", 30));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int EVENTS_PER_BEACON = RealisticBeacon.EVENTS;
    private static final Duration MEMORY_SAMPLE = Duration.ofMillis(Long.getLong("bench.memory-sample-ms", 500));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong sequence = new AtomicLong();

    record Result(String endpoint, long requests, double seconds, double p50Ms, double p99Ms, long failures,
            Memory memory, Cpu cpu) {
        double perSecond() {
            return requests / seconds;
        }

        /** CPU time per acknowledged request, in microseconds. */
        double microsPerRequest(Duration cpuTime) {
            return cpuTime.toNanos() / 1e3 / Math.max(1, requests);
        }
    }

    @Test
    void ingestAgainstCeiling() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "bench-data");
        Map<String, String> environment = new java.util.HashMap<>(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN,
                "BELLWETHER_BENCH_CEILING_ENDPOINT", "true", "QUARKUS_LOG_LEVEL", "WARN"));
        // e.g. -Dbench.service-jvm-options=-XX:StartFlightRecording=filename=target/bench/ingest.jfr to profile the service
        String jvmOptions = System.getProperty("bench.service-jvm-options", "");
        if (!jvmOptions.isBlank()) {
            environment.put("JAVA_TOOL_OPTIONS", jvmOptions);
        }
        // e.g. -Dbench.service-env=BELLWETHER_INGEST_WRITER_THREADS=4 to compare settings
        for (String setting : System.getProperty("bench.service-env", "").split(",")) {
            if (setting.contains("=")) {
                environment.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }
        try (ServiceProcess service = new ServiceProcess(data, environment)) {
            service.start();
            // the layout EmbeddedPostgresConfigSource gives BELLWETHER_DATA_DIR
            MemoryProbe memory = new MemoryProbe(service.pid(), data.resolve("postgres").resolve("postmaster.pid"));
            String base = service.baseUrl();
            admin(base, "/v1/apps", "{\"name\": \"bench\", \"beaconsPerSecond\": 1000000}");
            String key = JSON.readTree(admin(base, "/v1/apps/bench/ingest-keys", "")).get("key").asText();
            Map<String, String> endpoints = new LinkedHashMap<>();
            endpoints.put("ceiling", base + "/v1/bench/ceiling?key=" + key);
            endpoints.put("parsed", base + "/v1/bench/parsed?key=" + key);
            endpoints.put("beacons", base + "/v1/beacons?key=" + key);

            // warm-up: let the JIT compile both paths before anything is measured
            for (var endpoint : endpoints.entrySet()) {
                run(endpoint.getKey(), endpoint.getValue(), WARM_UP, memory);
            }
            Map<String, List<Result>> rounds = new LinkedHashMap<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (var endpoint : endpoints.entrySet()) {
                    rounds.computeIfAbsent(endpoint.getKey(), k -> new ArrayList<>())
                            .add(run(endpoint.getKey(), endpoint.getValue(), ROUND, memory));
                }
            }
            report(rounds, memory.sample(), commitFigures(service.managementUrl()));
        }
    }

    Result run(String endpoint, String url, Duration length, MemoryProbe memory) throws Exception {
        MemorySampler sampler = new MemorySampler(memory, MEMORY_SAMPLE);
        CpuReading cpuBefore = memory.cpu();
        Histogram latencies = new Histogram(60_000_000_000L, 3);
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        long started = System.nanoTime();
        long deadline = started + length.toNanos();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int connection = c;
            workers.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                            .header("Content-Type", "text/plain;charset=UTF-8")
                            .POST(HttpRequest.BodyPublishers.ofString(beacon("client-" + connection))).build();
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        long tookNanos = System.nanoTime() - sent;
                        if (response.statusCode() == 202) {
                            synchronized (latencies) {
                                latencies.recordValue(tookNanos);
                            }
                            requests.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;
        Cpu cpu = memory.cpu().since(cpuBefore);
        return new Result(endpoint, requests.get(), seconds, latencies.getValueAtPercentile(50) / 1e6,
                latencies.getValueAtPercentile(99) / 1e6, failures.get(), sampler.stop(), cpu);
    }

    private String beacon(String client) {
        long n = sequence.getAndAdd(RealisticBeacon.EVENTS);
        return RealisticBeacon.json("bench", client, "new-sync-engine", n % 2 == 0, n, Instant.now());
    }

    /** Mean commit latency and batch size over the whole run, from the service's own metrics. */
    private String commitFigures(String management) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double commits = metric(metrics, "bellwether_ingest_commit_seconds_count");
        return String.format("mean commit %.1f ms, mean batch %.1f beacons / %.0f events",
                metric(metrics, "bellwether_ingest_commit_seconds_sum") / commits * 1000,
                metric(metrics, "bellwether_ingest_batch_beacons_sum") / commits,
                metric(metrics, "bellwether_ingest_batch_events_sum") / commits);
    }

    private static double metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    private void report(Map<String, List<Result>> rounds, MemorySample after, String commits) throws Exception {
        // one label for the whole table: Pss unless some sample had to fall back to summing RSS
        boolean pss = after.postgresPss()
                && rounds.values().stream().flatMap(List::stream).allMatch(r -> r.memory().postgresPss());
        String postgres = pss ? "PSS" : "RSS sum";
        StringBuilder table = new StringBuilder("\n| endpoint | round | beacons/s | events/s | p50 ack ms | p99 ack ms | failures"
                + " | CPU µs per request: service | postgres | load generator"
                + " | service RSS max MB | service RSS mean MB | postgres " + postgres + " max MB | postgres " + postgres
                + " mean MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        ObjectNode json = JSON.createObjectNode();
        json.put("connections", CONNECTIONS).put("eventsPerBeacon", EVENTS_PER_BEACON).put("roundSeconds", ROUND.toSeconds())
                .put("cores", Runtime.getRuntime().availableProcessors()).put("serviceRssMb", mb(after.serviceRssKb()))
                .put("serviceHwmMb", mb(after.serviceHwmKb())).put("postgresMb", mb(after.postgresKb()))
                .put("postgresMemory", pss ? "pss" : "rss-sum").put("postgresProcesses", after.postgresProcesses())
                .put("memorySampleMs", MEMORY_SAMPLE.toMillis());
        Map<String, Double> perSecond = new LinkedHashMap<>();
        for (var entry : rounds.entrySet()) {
            var array = json.putArray(entry.getKey());
            int round = 1;
            for (Result r : entry.getValue()) {
                boolean beacons = !entry.getKey().equals("ceiling");
                double events = beacons ? r.perSecond() * EVENTS_PER_BEACON : 0;
                Memory m = r.memory();
                Cpu cpu = r.cpu();
                table.append(String.format("| %s | %d | %.0f | %s | %.1f | %.1f | %d | %.0f | %.0f | %.0f | %d | %d | %d | %d |%n",
                        r.endpoint(), round++, r.perSecond(), beacons ? String.format("%.0f", events) : "-", r.p50Ms(),
                        r.p99Ms(), r.failures(), r.microsPerRequest(cpu.service()), r.microsPerRequest(cpu.postgres()),
                        r.microsPerRequest(cpu.generator()), mb(m.serviceRssMaxKb()), mb(m.serviceRssMeanKb()),
                        mb(m.postgresMaxKb()), mb(m.postgresMeanKb())));
                array.addObject().put("requestsPerSecond", r.perSecond()).put("eventsPerSecond", events)
                        .put("p50Ms", r.p50Ms()).put("p99Ms", r.p99Ms()).put("failures", r.failures())
                        .put("serviceCpuMicrosPerRequest", r.microsPerRequest(cpu.service()))
                        .put("postgresCpuMicrosPerRequest", r.microsPerRequest(cpu.postgres()))
                        .put("generatorCpuMicrosPerRequest", r.microsPerRequest(cpu.generator()))
                        .put("cpuCoresBusy", (cpu.service().toNanos() + cpu.postgres().toNanos() + cpu.generator().toNanos())
                                / 1e9 / r.seconds())
                        .put("serviceRssMaxMb", mb(m.serviceRssMaxKb())).put("serviceRssMeanMb", mb(m.serviceRssMeanKb()))
                        .put("serviceHwmMb", mb(m.serviceHwmKb())).put("postgresMaxMb", mb(m.postgresMaxKb()))
                        .put("postgresMeanMb", mb(m.postgresMeanKb())).put("memorySamples", m.samples());
                perSecond.merge(entry.getKey(), r.perSecond(), Double::sum);
            }
        }
        double ratio = perSecond.get("beacons") / perSecond.get("ceiling");
        double parsedRatio = perSecond.get("parsed") / perSecond.get("ceiling");
        json.put("beaconsToCeilingRatio", ratio).put("parsedToCeilingRatio", parsedRatio);
        table.append(String.format("%nbeacons / ceiling = %.2f, parsed / ceiling = %.2f; service RSS after the runs: %d MB"
                + " (peak VmHWM %d MB); postgres %s after the runs: %d MB over %d processes; %s%n", ratio, parsedRatio,
                mb(after.serviceRssKb()),
                mb(after.serviceHwmKb()), postgres, mb(after.postgresKb()), after.postgresProcesses(), commits));
        json.put("commits", commits);
        System.out.println(table);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("ingest.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("ingest.md"), table.toString());
    }

    String admin(String base, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static long mb(double kb) {
        return Math.round(kb / 1024);
    }

}

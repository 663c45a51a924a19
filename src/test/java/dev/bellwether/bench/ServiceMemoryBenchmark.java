package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.bench.IngestBenchmark.Result;
import dev.bellwether.bench.ProcessMeter.MemoryProbe;
import dev.bellwether.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Durable ingest with the shipped JVM options ({@code jvm.options}: a bounded heap and GC) side by side with the JVM's
 * defaults: two packaged services, each with its own embedded PostgreSQL, loaded in alternating rounds (A B B A ...) so
 * that the machine's other load and any drift hit both alike. Reports each one's beacons/s, the service's resident set
 * under load and its PostgreSQL's, and the load average when each round started. Not a timed test: it prints a table
 * and writes target/bench/service-memory.json. Run with
 * {@code ./mvnw -Pbench verify -Dit.test=ServiceMemoryBenchmark}.
 *
 * <p>{@code -Dbench.bounded-jvm-options} and {@code -Dbench.unbounded-jvm-options} (space-separated) replace either
 * side's options, to measure another variant against the defaults or against the shipped file.
 */
class ServiceMemoryBenchmark {

    private static final String ADMIN = "bench-admin";
    private static final Duration ROUND = Duration.ofSeconds(Long.getLong("bench.round-seconds", 10));
    private static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("bench.warm-up-seconds", 30));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 4);
    private static final List<String> POSTGRES_MEMORY_SETTINGS = List.of("shared_buffers", "wal_buffers", "work_mem",
            "maintenance_work_mem", "max_connections", "huge_pages");
    private static final ObjectMapper JSON = new ObjectMapper();

    record Variant(String name, List<String> jvmOptions) {
    }

    record Running(Variant variant, ServiceProcess service, MemoryProbe memory, String beaconUrl, Path data) {
    }

    @Test
    void boundedAgainstUnbounded() throws Exception {
        List<Variant> variants = List.of(
                new Variant("unbounded", options("bench.unbounded-jvm-options", List.of())),
                new Variant("bounded", options("bench.bounded-jvm-options",
                        List.of("@" + ServiceProcess.JVM_OPTIONS.toAbsolutePath()))));
        IngestBenchmark load = new IngestBenchmark();
        List<Running> running = new ArrayList<>();
        try {
            for (Variant variant : variants) {
                running.add(start(variant, load));
            }
            for (Running r : running) {
                load.run(r.variant().name(), load.http(r.beaconUrl()), WARM_UP, r.memory());
            }
            Map<String, List<Result>> results = new LinkedHashMap<>();
            Map<String, List<Double>> loadAverages = new LinkedHashMap<>();
            for (int round = 0; round < ROUNDS; round++) {
                // A B, then B A: a trend over the run (the machine's other load) weighs on both sides alike
                List<Running> order = new ArrayList<>(running);
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Running r : order) {
                    loadAverages.computeIfAbsent(r.variant().name(), k -> new ArrayList<>()).add(loadAverage());
                    results.computeIfAbsent(r.variant().name(), k -> new ArrayList<>())
                            .add(load.run(r.variant().name(), load.http(r.beaconUrl()), ROUND, r.memory()));
                }
            }
            report(running, results, loadAverages);
        } finally {
            for (Running r : running) {
                r.service().close();
            }
        }
    }

    private static List<String> options(String property, List<String> defaults) {
        String given = System.getProperty(property);
        return given == null ? defaults : Arrays.stream(given.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static Running start(Variant variant, IngestBenchmark load) throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "bench-" + variant.name());
        ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "QUARKUS_LOG_LEVEL", "WARN"))
                .jvmOptions(variant.jvmOptions());
        service.start();
        String base = service.baseUrl();
        load.admin(base, "/v1/apps", "{\"name\": \"bench\", \"beaconsPerSecond\": 1000000}");
        String key = JSON.readTree(load.admin(base, "/v1/apps/bench/ingest-keys", "")).get("key").asText();
        // the layout EmbeddedPostgresConfigSource gives BELLWETHER_DATA_DIR
        MemoryProbe memory = new MemoryProbe(service.pid(), data.resolve("postgres").resolve("postmaster.pid"));
        return new Running(variant, service, memory, base + "/v1/beacons?key=" + key, data);
    }

    /** The options as the JVM reads them: an {@code @file} replaced by its options, comments left out. */
    private static String expanded(List<String> options) throws Exception {
        List<String> read = new ArrayList<>();
        for (String option : options) {
            if (option.startsWith("@")) {
                for (String line : Files.readAllLines(Path.of(option.substring(1)))) {
                    String uncommented = line.replaceAll("#.*", "").trim();
                    if (!uncommented.isEmpty()) {
                        read.add(uncommented);
                    }
                }
            } else {
                read.add(option);
            }
        }
        return read.isEmpty() ? "(the JVM's defaults)" : String.join(" ", read);
    }

    /** The 1-minute load average: what else the machine's two cores were running. */
    private static double loadAverage() throws Exception {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** The embedded PostgreSQL's memory settings, asked of the server itself with the password the service keeps. */
    private static Map<String, String> postgresSettings(Path data) throws Exception {
        List<String> pid = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"));
        String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres";
        Map<String, String> settings = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres",
                Files.readString(data.resolve("postgres-password")).trim());
                Statement statement = connection.createStatement()) {
            for (String setting : POSTGRES_MEMORY_SETTINGS) {
                try (ResultSet row = statement.executeQuery("SHOW " + setting)) {
                    row.next();
                    settings.put(setting, row.getString(1));
                }
            }
        }
        return settings;
    }

    private static void report(List<Running> running, Map<String, List<Result>> results,
            Map<String, List<Double>> loadAverages) throws Exception {
        StringBuilder table = new StringBuilder("\n| JVM options | round | load average | beacons/s | events/s | p50 ack ms"
                + " | p99 ack ms | failures | service CPU µs per beacon | service RSS max MB | service RSS mean MB"
                + " | postgres PSS max MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        ObjectNode json = JSON.createObjectNode();
        json.put("roundSeconds", ROUND.toSeconds()).put("cores", Runtime.getRuntime().availableProcessors());
        Map<String, Double> beaconsPerSecond = new LinkedHashMap<>();
        Map<String, Long> rssMaxKb = new LinkedHashMap<>();
        for (Running r : running) {
            String name = r.variant().name();
            ObjectNode variant = json.putObject(name);
            variant.put("jvmOptions", expanded(r.variant().jvmOptions()));
            ArrayNode rounds = variant.putArray("rounds");
            List<Result> own = results.get(name);
            for (int i = 0; i < own.size(); i++) {
                Result result = own.get(i);
                double loadAverage = loadAverages.get(name).get(i);
                table.append(String.format("| %s | %d | %.1f | %.0f | %.0f | %.1f | %.1f | %d | %.0f | %d | %d | %d |%n", name,
                        i + 1, loadAverage, result.perSecond(), result.perSecond() * RealisticBeacon.EVENTS, result.p50Ms(),
                        result.p99Ms(), result.failures(), result.microsPerRequest(result.cpu().service()),
                        mb(result.memory().serviceRssMaxKb()), mb(result.memory().serviceRssMeanKb()),
                        mb(result.memory().postgresMaxKb())));
                rounds.addObject().put("loadAverage", loadAverage).put("beaconsPerSecond", result.perSecond())
                        .put("p50Ms", result.p50Ms()).put("p99Ms", result.p99Ms()).put("failures", result.failures())
                        .put("serviceCpuMicrosPerBeacon", result.microsPerRequest(result.cpu().service()))
                        .put("serviceRssMaxMb", mb(result.memory().serviceRssMaxKb()))
                        .put("serviceRssMeanMb", mb(result.memory().serviceRssMeanKb()))
                        .put("serviceHwmMb", mb(result.memory().serviceHwmKb()))
                        .put("postgresPssMaxMb", mb(result.memory().postgresMaxKb()));
                beaconsPerSecond.merge(name, result.perSecond(), Double::sum);
                rssMaxKb.merge(name, result.memory().serviceRssMaxKb(), Math::max);
            }
            Map<String, String> settings = postgresSettings(r.data());
            variant.set("postgres", JSON.valueToTree(settings));
            variant.put("serviceRssMaxMb", mb(rssMaxKb.get(name)));
        }
        double ratio = beaconsPerSecond.get("bounded") / beaconsPerSecond.get("unbounded");
        json.put("boundedToUnboundedThroughput", ratio);
        table.append(String.format("%nbounded / unbounded beacons/s = %.3f; service RSS max: bounded %d MB, unbounded %d MB;"
                + " bounded options: %s; postgres: %s%n", ratio, mb(rssMaxKb.get("bounded")), mb(rssMaxKb.get("unbounded")),
                expanded(running.get(1).variant().jvmOptions()), postgresSettings(running.get(1).data())));
        System.out.println(table);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("service-memory.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("service-memory.md"), table.toString());
    }

    private static long mb(double kb) {
        return Math.round(kb / 1024);
    }
}

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
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Ingest throughput and ack latency of realistic beacons (20 events) over loopback, side by side with the ceiling
 * endpoint of the same server (HTTP only), its parsed endpoint (HTTP, parsing and validation, no storage) and the
 * database-direct ceiling (the same events' identities written by {@code COPY} from this JVM into a table of the
 * service's own PostgreSQL that holds only what dedupe needs), in alternating rounds so that machine noise hits all
 * alike. Not a timed test: it prints a table and writes target/bench/ingest.json. Run with {@code ./mvnw -Pbench verify}.
 *
 * <p>Also reports memory under load, sampled during each round: the service JVM's resident set and the embedded
 * PostgreSQL's (Linux only: read from /proc); and the CPU time per request of the service, its PostgreSQL and the load
 * generator (this JVM), which share the machine's cores: the ratios of the endpoints follow from those costs.
 *
 * <p>With {@code -Dbench.journeys=N} (N > 0), a second durable round posts the same beacons to a second app that
 * declares N journeys, its replays spread over them, so that what journeys cost ingest is a ratio within one run;
 * after the measured rounds, one more round per app counts the rollup rows it writes per beacon.
 */
class IngestBenchmark {

    private static final String ADMIN = "bench-admin";
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    private static final Duration ROUND = Duration.ofSeconds(Long.getLong("bench.round-seconds", 10));
    private static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("bench.warm-up-seconds", 60));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int EVENTS_PER_BEACON = RealisticBeacon.EVENTS;
    private static final Duration MEMORY_SAMPLE = Duration.ofMillis(Long.getLong("bench.memory-sample-ms", 500));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The service's default, unless {@code -Dbench.service-env} sets BELLWETHER_INGEST_WRITER_THREADS. */
    private static final int DEFAULT_WRITER_THREADS = 1;
    /** What the database-direct path writes into: the identity dedupe needs, unique, and the event's time. */
    private static final String DIRECT_TABLE = "bench_direct_event";
    /** Journeys declared in the second app, 0 for none (and no such round). */
    private static final int JOURNEYS = Integer.getInteger("bench.journeys", 0);
    /** The endpoints to run, e.g. {@code -Dbench.endpoints=beacons} to profile one alone; all when unset. */
    private static final List<String> ONLY = List.of(System.getProperty("bench.endpoints", "").split(",")).stream()
            .filter(name -> !name.isBlank()).toList();
    private static final String PLAIN_APP = "bench";
    private static final String JOURNEY_APP = "bench-journeys";
    private static final String PLAIN_ROUND = "beacons";
    private static final String JOURNEY_ROUND = "beacons, " + JOURNEYS + " journeys";
    /** What counts the rollup rows ingest writes, by app and table, while {@link #countRollupRows} runs. */
    private static final String ROLLUP_ROWS_TABLE = "bench_rollup_rows";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong sequence = new AtomicLong();
    private Connection wal;

    /** What a round measures: threads each repeating one unit of work, acknowledged as some beacons' worth. */
    interface Load {
        int threads();

        /** @return the beacons acknowledged (each {@value RealisticBeacon#EVENTS} events), 0 for a failure */
        int once(int thread) throws Exception;
    }

    record Result(String endpoint, long requests, double seconds, double p50Ms, double p99Ms, long failures,
            Memory memory, Cpu cpu, long walBytes) {
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
        int writerThreads = Integer.parseInt(environment.getOrDefault("BELLWETHER_INGEST_WRITER_THREADS",
                String.valueOf(DEFAULT_WRITER_THREADS)));
        try (ServiceProcess service = new ServiceProcess(data, environment)) {
            service.start();
            // the layout EmbeddedPostgresConfigSource gives BELLWETHER_DATA_DIR
            MemoryProbe memory = new MemoryProbe(service.pid(), data.resolve("postgres").resolve("postmaster.pid"));
            String base = service.baseUrl();
            String key = createApp(base, PLAIN_APP);
            Map<String, Load> endpoints = new LinkedHashMap<>();
            endpoints.put("ceiling", http(base + "/v1/bench/ceiling?key=" + key));
            endpoints.put("parsed", http(base + "/v1/bench/parsed?key=" + key));
            endpoints.put(PLAIN_ROUND, http(base + "/v1/beacons?key=" + key));
            if (JOURNEYS > 0) {
                String journeyKey = createApp(base, JOURNEY_APP);
                for (int j = 0; j < JOURNEYS; j++) {
                    // an exact name and a prefix, so that both lookups of the matcher are taken
                    send(base, "PUT", "/v1/apps/" + JOURNEY_APP + "/journeys/flow-" + j, "{\"mutations\": [\"flow-" + j
                            + ".submit\", \"flow-" + j + ".*\"], \"criticality\": \"normal\"}");
                }
                endpoints.put(JOURNEY_ROUND, http(base + "/v1/beacons?key=" + journeyKey, JOURNEY_APP,
                        IngestBenchmark::journeyMutation));
            }

            if (!ONLY.isEmpty()) {
                endpoints.keySet().retainAll(ONLY);
            }
            wal = connect(data);
            // warm-up: let the JIT compile every path before anything is measured
            for (var endpoint : endpoints.entrySet()) {
                run(endpoint.getKey(), endpoint.getValue(), WARM_UP, memory);
            }
            // the direct path commits batches the size of the service's own commits during its warm-up
            int batchBeacons = Integer.getInteger("bench.direct-batch-beacons",
                    (int) Math.max(1, Math.round(meanBatchBeacons(service.managementUrl()))));
            try (DirectWriter direct = new DirectWriter(data, writerThreads, batchBeacons)) {
                if (ONLY.isEmpty() || ONLY.contains("direct")) {
                    endpoints.put("direct", direct);
                    run("direct", direct, WARM_UP, memory);
                }
                Map<String, List<Result>> rounds = new LinkedHashMap<>();
                for (int round = 0; round < ROUNDS; round++) {
                    for (var endpoint : endpoints.entrySet()) {
                        rounds.computeIfAbsent(endpoint.getKey(), k -> new ArrayList<>())
                                .add(run(endpoint.getKey(), endpoint.getValue(), ROUND, memory));
                    }
                }
                Map<String, Double> rollupRowsPerBeacon = endpoints.keySet().containsAll(List.of(PLAIN_ROUND, JOURNEY_ROUND))
                        ? countRollupRows(endpoints, memory)
                        : Map.of();
                report(rounds, memory.sample(), commitFigures(service.managementUrl()) + "; " + direct.describe(),
                        rollupRowsPerBeacon);
            } finally {
                wal.close();
            }
        }
    }

    /** Creates an app that no rate limit holds back and returns an ingest key of it. */
    private String createApp(String base, String name) throws Exception {
        admin(base, "/v1/apps", "{\"name\": \"" + name + "\", \"beaconsPerSecond\": 1000000}");
        return JSON.readTree(admin(base, "/v1/apps/" + name + "/ingest-keys", "")).get("key").asText();
    }

    /** Replay {@code replay} of the run goes to journey {@code replay % JOURNEYS}, by its exact name or its prefix. */
    private static String journeyMutation(long replay) {
        return "flow-" + replay % JOURNEYS + (replay / JOURNEYS % 2 == 0 ? ".submit" : ".edit");
    }

    /**
     * One more round of each durable endpoint, not measured for speed, while a statement trigger counts the rows
     * ingest appends to the rollup tables (compacted rows left out): rows per acknowledged beacon, by endpoint. The
     * trigger is dropped afterwards, so it weighs on none of the measured rounds.
     */
    private Map<String, Double> countRollupRows(Map<String, Load> endpoints, MemoryProbe memory) throws Exception {
        try (Statement sql = wal.createStatement()) {
            sql.execute("CREATE TABLE " + ROLLUP_ROWS_TABLE + " (app_id bigint NOT NULL, rollup text NOT NULL, rows bigint NOT NULL)");
            sql.execute("CREATE FUNCTION bench_count_rollup_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN"
                    + " INSERT INTO " + ROLLUP_ROWS_TABLE + " SELECT app_id, TG_TABLE_NAME, count(*) FROM written"
                    + " WHERE NOT compacted GROUP BY app_id; RETURN NULL; END $$");
            for (String table : List.of("rollup_minute", "rollup_hour")) {
                sql.execute("CREATE TRIGGER bench_count_rollup_rows AFTER INSERT ON " + table
                        + " REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION bench_count_rollup_rows()");
            }
        }
        Map<String, Double> perBeacon = new LinkedHashMap<>();
        try {
            for (String endpoint : List.of(PLAIN_ROUND, JOURNEY_ROUND)) {
                String app = endpoint.equals(PLAIN_ROUND) ? PLAIN_APP : JOURNEY_APP;
                long before = rollupRows(app);
                Result counted = run(endpoint, endpoints.get(endpoint), ROUND, memory);
                perBeacon.put(endpoint, (double) (rollupRows(app) - before) / Math.max(1, counted.requests()));
            }
        } finally {
            try (Statement sql = wal.createStatement()) {
                for (String table : List.of("rollup_minute", "rollup_hour")) {
                    sql.execute("DROP TRIGGER bench_count_rollup_rows ON " + table);
                }
                sql.execute("DROP FUNCTION bench_count_rollup_rows()");
                sql.execute("DROP TABLE " + ROLLUP_ROWS_TABLE);
            }
        }
        return perBeacon;
    }

    /** The rollup rows (minute and hour) counted for an app since the trigger was created. */
    private long rollupRows(String app) throws SQLException {
        try (Statement sql = wal.createStatement(); ResultSet row = sql.executeQuery("SELECT coalesce(sum(rows), 0) FROM "
                + ROLLUP_ROWS_TABLE + " WHERE app_id = (SELECT id FROM app WHERE name = '" + app + "')")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The service's own PostgreSQL, as the superuser: the layout EmbeddedPostgresConfigSource gives BELLWETHER_DATA_DIR. */
    private static Connection connect(Path data) throws Exception {
        String port = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(3).trim();
        String password = Files.readString(data.resolve("postgres-password")).trim();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
    }

    /** Where PostgreSQL's WAL has got to, in bytes: what a round wrote is the difference (0 without a connection). */
    private long walPosition() throws SQLException {
        if (wal == null) {
            return 0;
        }
        try (Statement sql = wal.createStatement(); ResultSet row = sql.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** One beacon of the plain app per request from each of {@link #CONNECTIONS} connections, acknowledged by a 202. */
    Load http(String url) {
        return http(url, PLAIN_APP, replay -> "note.update");
    }

    /** The same for {@code app}, its replays' mutations named by {@code mutationOfReplay}. */
    Load http(String url, String app, LongFunction<String> mutationOfReplay) {
        return new Load() {
            @Override
            public int threads() {
                return CONNECTIONS;
            }

            @Override
            public int once(int connection) throws Exception {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "text/plain;charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofString(beacon(app, "client-" + connection, mutationOfReplay)))
                        .build();
                return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 202 ? 1 : 0;
            }
        };
    }

    /**
     * The least PostgreSQL spends to keep these events durable and unique: from a plain JDBC client, as many
     * connections as the service has writer threads, each committing batches of {@code batchBeacons} beacons' events
     * by {@code COPY} into a table holding only the identity (unique on app, client and event id) and the time. It is
     * the service's own PostgreSQL, so fsync and synchronous_commit are the service's.
     */
    private final class DirectWriter implements Load, AutoCloseable {
        private final List<Connection> connections = new ArrayList<>();
        private final int batchBeacons;
        private final String settings;

        DirectWriter(Path data, int threads, int batchBeacons) throws Exception {
            this.batchBeacons = batchBeacons;
            for (int i = 0; i < threads; i++) {
                connections.add(connect(data));
            }
            try (Statement sql = connections.get(0).createStatement()) {
                sql.execute("DROP TABLE IF EXISTS " + DIRECT_TABLE);
                sql.execute("CREATE TABLE " + DIRECT_TABLE + " (app_id bigint NOT NULL, client text COLLATE \"C\" NOT NULL,"
                        + " event_id text COLLATE \"C\" NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (app_id, client, event_id))");
                try (ResultSet row = sql.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit')")) {
                    row.next();
                    settings = "fsync " + row.getString(1) + ", synchronous_commit " + row.getString(2);
                }
            }
            for (Connection connection : connections) {
                connection.setAutoCommit(false);
            }
        }

        @Override
        public int threads() {
            return connections.size();
        }

        @Override
        public int once(int thread) throws Exception {
            Connection connection = connections.get(thread);
            StringBuilder rows = new StringBuilder(batchBeacons * EVENTS_PER_BEACON * 64);
            Instant now = Instant.now();
            for (int b = 0; b < batchBeacons; b++) {
                long first = sequence.getAndAdd(EVENTS_PER_BEACON);
                String client = "client-" + (first / EVENTS_PER_BEACON % CONNECTIONS);
                for (int i = 0; i < EVENTS_PER_BEACON; i++) {
                    rows.append("1\t").append(client).append("\te-").append(first + i).append('\t')
                            .append(now.minusMillis(i * 997L)).append('\n');
                }
            }
            try {
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "COPY " + DIRECT_TABLE + " (app_id, client, event_id, at) FROM STDIN", new StringReader(rows.toString()));
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
            return batchBeacons;
        }

        String describe() {
            return String.format("direct: %d connections, COPY of %d beacons (%d events) per commit, %s", connections.size(),
                    batchBeacons, batchBeacons * EVENTS_PER_BEACON, settings);
        }

        @Override
        public void close() throws SQLException {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    Result run(String endpoint, Load load, Duration length, MemoryProbe memory) throws Exception {
        MemorySampler sampler = new MemorySampler(memory, MEMORY_SAMPLE);
        CpuReading cpuBefore = memory.cpu();
        long walBefore = walPosition();
        Histogram latencies = new Histogram(60_000_000_000L, 3);
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(load.threads());
        long started = System.nanoTime();
        long deadline = started + length.toNanos();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < load.threads(); t++) {
            int thread = t;
            workers.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    long sent = System.nanoTime();
                    try {
                        int acknowledged = load.once(thread);
                        long tookNanos = System.nanoTime() - sent;
                        if (acknowledged > 0) {
                            synchronized (latencies) {
                                latencies.recordValue(tookNanos);
                            }
                            requests.addAndGet(acknowledged);
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
                latencies.getValueAtPercentile(99) / 1e6, failures.get(), sampler.stop(), cpu, walPosition() - walBefore);
    }

    private String beacon(String app, String client, LongFunction<String> mutationOfReplay) {
        long n = sequence.getAndAdd(RealisticBeacon.EVENTS);
        return RealisticBeacon.json(app, client, "new-sync-engine", n % 2 == 0, n, Instant.now(), mutationOfReplay);
    }

    /** The service's mean beacons per commit so far, from its own metrics. */
    private double meanBatchBeacons(String management) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metric(metrics, "bellwether_ingest_batch_beacons_sum") / metric(metrics, "bellwether_ingest_commit_seconds_count");
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

    private void report(Map<String, List<Result>> rounds, MemorySample after, String commits,
            Map<String, Double> rollupRowsPerBeacon) throws Exception {
        // one label for the whole table: Pss unless some sample had to fall back to summing RSS
        boolean pss = after.postgresPss()
                && rounds.values().stream().flatMap(List::stream).allMatch(r -> r.memory().postgresPss());
        String postgres = pss ? "PSS" : "RSS sum";
        StringBuilder table = new StringBuilder("\n| endpoint | round | beacons/s | events/s | p50 ack ms | p99 ack ms | failures"
                + " | CPU µs per request: service | postgres | load generator"
                + " | WAL bytes per event | service RSS max MB | service RSS mean MB | postgres " + postgres + " max MB | postgres "
                + postgres + " mean MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
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
                double walPerEvent = beacons ? (double) r.walBytes() / Math.max(1, r.requests() * EVENTS_PER_BEACON) : 0;
                table.append(String.format("| %s | %d | %.0f | %s | %.1f | %.1f | %d | %.0f | %.0f | %.0f | %s | %d | %d | %d | %d |%n",
                        r.endpoint(), round++, r.perSecond(), beacons ? String.format("%.0f", events) : "-", r.p50Ms(),
                        r.p99Ms(), r.failures(), r.microsPerRequest(cpu.service()), r.microsPerRequest(cpu.postgres()),
                        r.microsPerRequest(cpu.generator()), beacons ? String.format("%.0f", walPerEvent) : "-", mb(m.serviceRssMaxKb()), mb(m.serviceRssMeanKb()),
                        mb(m.postgresMaxKb()), mb(m.postgresMeanKb())));
                array.addObject().put("requestsPerSecond", r.perSecond()).put("eventsPerSecond", events)
                        .put("p50Ms", r.p50Ms()).put("p99Ms", r.p99Ms()).put("failures", r.failures())
                        .put("serviceCpuMicrosPerRequest", r.microsPerRequest(cpu.service()))
                        .put("postgresCpuMicrosPerRequest", r.microsPerRequest(cpu.postgres()))
                        .put("generatorCpuMicrosPerRequest", r.microsPerRequest(cpu.generator()))
                        .put("walBytes", r.walBytes()).put("walBytesPerEvent", walPerEvent)
                        .put("cpuCoresBusy", (cpu.service().toNanos() + cpu.postgres().toNanos() + cpu.generator().toNanos())
                                / 1e9 / r.seconds())
                        .put("serviceRssMaxMb", mb(m.serviceRssMaxKb())).put("serviceRssMeanMb", mb(m.serviceRssMeanKb()))
                        .put("serviceHwmMb", mb(m.serviceHwmKb())).put("postgresMaxMb", mb(m.postgresMaxKb()))
                        .put("postgresMeanMb", mb(m.postgresMeanKb())).put("memorySamples", m.samples());
                perSecond.merge(entry.getKey(), r.perSecond(), Double::sum);
            }
        }
        if (rounds.keySet().containsAll(List.of("ceiling", "parsed", PLAIN_ROUND, "direct"))) {
            double ratio = perSecond.get(PLAIN_ROUND) / perSecond.get("ceiling");
            double parsedRatio = perSecond.get("parsed") / perSecond.get("ceiling");
            double directRatio = perSecond.get(PLAIN_ROUND) / perSecond.get("direct");
            double beaconsCpu = microsPerEvent(rounds.get(PLAIN_ROUND), true);
            double directCpu = microsPerEvent(rounds.get("direct"), false);
            double postgresCpuToDirect = microsPerEvent(rounds.get(PLAIN_ROUND), false) / directCpu;
            json.put("beaconsToCeilingRatio", ratio).put("parsedToCeilingRatio", parsedRatio)
                    .put("beaconsToDirectRatio", directRatio).put("beaconsServiceAndPostgresCpuMicrosPerEvent", beaconsCpu)
                    .put("directPostgresCpuMicrosPerEvent", directCpu).put("postgresCpuBeaconsToDirect", postgresCpuToDirect);
            table.append(String.format("%nbeacons / direct = %.2f in events/s; CPU µs per event, service + postgres: beacons %.1f,"
                    + " direct (postgres) %.1f%n", directRatio, beaconsCpu, directCpu));
            table.append(String.format("postgres CPU an event, beacons / direct = %.2f (decision 0019's aim: at most 1.5)%n",
                    postgresCpuToDirect));
            table.append(String.format("beacons / ceiling = %.2f, parsed / ceiling = %.2f; ", ratio, parsedRatio));
        }
        if (rounds.keySet().containsAll(List.of("parsed", PLAIN_ROUND))) {
            double serviceCpuToParsed = serviceMicrosPerRequest(rounds.get(PLAIN_ROUND))
                    / serviceMicrosPerRequest(rounds.get("parsed"));
            json.put("serviceCpuBeaconsToParsed", serviceCpuToParsed);
            table.append(String.format("service CPU a beacon, beacons / parsed = %.2f (decision 0019's aim: at most 2)%n",
                    serviceCpuToParsed));
        }
        table.append(String.format("service RSS after the runs: %d MB"
                + " (peak VmHWM %d MB); postgres %s after the runs: %d MB over %d processes; %s%n",
                mb(after.serviceRssKb()),
                mb(after.serviceHwmKb()), postgres, mb(after.postgresKb()), after.postgresProcesses(), commits));
        json.put("commits", commits);
        if (rounds.keySet().containsAll(List.of(PLAIN_ROUND, JOURNEY_ROUND))) {
            table.append(journeyCost(rounds.get(PLAIN_ROUND), rounds.get(JOURNEY_ROUND), rollupRowsPerBeacon,
                    json.putObject("journeys")));
        }
        System.out.println(table);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("ingest.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("ingest.md"), table.toString());
    }

    /**
     * What journeys cost, as ratios of the journey app's durable rounds to the plain app's in the same run: events per
     * second, CPU per event (service, PostgreSQL and both) and WAL per event; and the rollup rows each wrote per beacon.
     */
    private static String journeyCost(List<Result> plain, List<Result> journeys, Map<String, Double> rollupRowsPerBeacon,
            ObjectNode json) {
        double eventsPerSecond = journeys.stream().mapToDouble(Result::perSecond).sum()
                / plain.stream().mapToDouble(Result::perSecond).sum();
        double serviceCpu = serviceMicrosPerEvent(journeys) / serviceMicrosPerEvent(plain);
        double postgresCpu = microsPerEvent(journeys, false) / microsPerEvent(plain, false);
        double bothCpu = microsPerEvent(journeys, true) / microsPerEvent(plain, true);
        double wal = walBytesPerEvent(journeys) / walBytesPerEvent(plain);
        double plainRows = rollupRowsPerBeacon.get(PLAIN_ROUND);
        double journeyRows = rollupRowsPerBeacon.get(JOURNEY_ROUND);
        json.put("journeys", JOURNEYS).put("eventsPerSecondRatio", eventsPerSecond).put("serviceCpuPerEventRatio", serviceCpu)
                .put("postgresCpuPerEventRatio", postgresCpu).put("serviceAndPostgresCpuPerEventRatio", bothCpu)
                .put("walPerEventRatio", wal).put("plainServiceAndPostgresCpuMicrosPerEvent", microsPerEvent(plain, true))
                .put("journeysServiceAndPostgresCpuMicrosPerEvent", microsPerEvent(journeys, true))
                .put("plainWalBytesPerEvent", walBytesPerEvent(plain)).put("journeysWalBytesPerEvent", walBytesPerEvent(journeys))
                .put("plainRollupRowsPerBeacon", plainRows).put("journeysRollupRowsPerBeacon", journeyRows);
        return String.format("%n%d journeys ÷ none, durable ingest, all rounds: events/s %.2f; CPU per event: service %.2f,"
                + " postgres %.2f, both %.2f (%.1f against %.1f µs); WAL per event %.2f (%.0f against %.0f bytes);"
                + " rollup rows written per beacon %.2f against %.2f (a round each, counted by a trigger after the measured rounds)%n",
                JOURNEYS, eventsPerSecond, serviceCpu, postgresCpu, bothCpu, microsPerEvent(journeys, true),
                microsPerEvent(plain, true), wal, walBytesPerEvent(journeys), walBytesPerEvent(plain), journeyRows, plainRows);
    }

    private static double serviceMicrosPerEvent(List<Result> rounds) {
        return microsPerEvent(rounds, true) - microsPerEvent(rounds, false);
    }

    private static double walBytesPerEvent(List<Result> rounds) {
        long bytes = 0;
        long events = 0;
        for (Result r : rounds) {
            bytes += r.walBytes();
            events += r.requests() * EVENTS_PER_BEACON;
        }
        return (double) bytes / Math.max(1, events);
    }

    /** CPU per event over all rounds: PostgreSQL's, plus the service's when it did the work. */
    /** The service's CPU per acknowledged request over all rounds, in microseconds. */
    private static double serviceMicrosPerRequest(List<Result> rounds) {
        long nanos = 0;
        long requests = 0;
        for (Result r : rounds) {
            nanos += r.cpu().service().toNanos();
            requests += r.requests();
        }
        return nanos / 1e3 / Math.max(1, requests);
    }

    private static double microsPerEvent(List<Result> rounds, boolean withService) {
        long nanos = 0;
        long events = 0;
        for (Result r : rounds) {
            nanos += r.cpu().postgres().toNanos() + (withService ? r.cpu().service().toNanos() : 0);
            events += r.requests() * EVENTS_PER_BEACON;
        }
        return nanos / 1e3 / Math.max(1, events);
    }

    String admin(String base, String path, String body) throws Exception {
        return send(base, "POST", path, body);
    }

    private String send(String base, String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static long mb(double kb) {
        return Math.round(kb / 1024);
    }

}

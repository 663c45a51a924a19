package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.support.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The heap that a full ingest writer queue holds, against the counted bytes that bound it
 * ({@code BELLWETHER_INGEST_WRITER_QUEUE_BYTES}). The packaged service with the shipped {@code jvm.options} and its own
 * PostgreSQL; the commits are stalled by a transaction holding {@code LOCK TABLE event IN ACCESS EXCLUSIVE MODE}, and
 * beacons of one shape are posted until the queue sheds them. The live heap after a full GC (the total of
 * {@code jcmd GC.class_histogram}) with the queue full, less the same service's idle after its previous drain, is
 * what the queue holds. Then the lock is released, and every beacon must have been answered 202 with all its events
 * stored, or 503 with all or none of them stored.
 *
 * <p>While the queue fills, the writers' waiting statements are cancelled a few times, as a statement timeout or an
 * operator would: each writer then takes a whole batch of the beacons waiting (up to the batch bounds), so that the
 * batches in commit are as large as under load and their rows, keys and COPY text are in the figure too.
 *
 * <p>The service's JDBC socket timeout is raised for the run: the shipped one would end the stalled commits, and with
 * them the full queue, before a fill on a busy machine is done.
 *
 * <p>Not a timed test: it prints a table and writes target/bench/writer-queue-heap.json. Run with
 * {@code ./mvnw -Pbench verify -Dit.test=WriterQueueHeapBenchmark}; {@code -Dbench.queue-bytes} sets the service's
 * queue bound, {@code -Dbench.in-flight} the beacons posted at once, {@code -Dbench.cancels} the cancellations.
 */
class WriterQueueHeapBenchmark {

    private static final String ADMIN = "bench-admin";
    private static final String APP = "qheap";
    /** Beacons in flight at once: each queued one is answered only when its wait runs out, so fill needs many. */
    private static final int IN_FLIGHT = Integer.getInteger("bench.in-flight", 384);
    private static final int CANCELS = Integer.getInteger("bench.cancels", 3);
    private static final Duration CANCEL_EVERY = Duration.ofSeconds(1);
    /** Longer than any fill: the shipped 30 s socket timeout would end the stalled commits, and the queue with them. */
    private static final String SOCKET_TIMEOUT_SECONDS = "600";
    private static final Duration FILL_LIMIT = Duration.ofSeconds(Long.getLong("bench.fill-seconds", 240));
    private static final int TOP_CLASSES = 12;
    private static final int SHED_WHEN_FULL = 20;
    /** Well within the service's 3 s answer timeout, after which a beacon waiting in the queue is answered 503 too. */
    private static final Duration AT_ONCE = Duration.ofMillis(1500);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // a connection per beacon: hundreds of idle keep-alive connections would be in the full heap and not the idle one
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
    }

    /** One kind of beacon; {@code json} gives beacon {@code n} of a run, its own client, so each beacon's fate shows. */
    record Shape(String name, String description, int events, boolean gzip, BeaconJson json) {
    }

    interface BeaconJson {
        String of(String client, Instant now);
    }

    record Sent(String client, int events, int jsonBytes, int status, long nanos) {
    }

    record Histogram(long bytes, long instances, Map<String, long[]> classes) {
    }

    record Measured(Shape shape, int posted, int answered202, int answered503, int other, long countedBytes,
            long idleHeap, long fullHeap, Histogram idle, Histogram full, int stored, int storedAfter503, int lost,
            int partial, long stalledCommitMillis) {
        double heldMb() {
            return (fullHeap - idleHeap) / 1048576.0;
        }

        double heldPerCounted() {
            return (double) (fullHeap - idleHeap) / countedBytes;
        }

        long instances(String className) {
            return full.classes().getOrDefault(className, new long[2])[0]
                    - idle.classes().getOrDefault(className, new long[2])[0];
        }
    }

    @Test
    void fullQueueHeap() throws Exception {
        List<Shape> shapes = List.of(
                new Shape("realistic", "RealisticBeacon: 20 events of every type, as sent (text/plain)", RealisticBeacon.EVENTS,
                        false, (client, now) -> RealisticBeacon.json(APP, client, "new-editor", true, 0, now)),
                new Shape("tiny-events", "1,000 events (the per-beacon limit) of the fewest bytes each, gzip", 1000, true,
                        (client, now) -> beacon(client, 1000, i -> "{\"id\":\"" + i + "\",\"type\":\"sync\",\"at\":\""
                                + now.truncatedTo(ChronoUnit.SECONDS) + "\",\"latencyMs\":1}")),
                new Shape("long-fields", "1,000 replays, id and mutation of the 128 characters allowed, gzip", 1000, true,
                        (client, now) -> beacon(client, 1000, i -> "{\"id\":\"" + longText("e" + i + "-") + "\",\"type\":\"replay\",\"at\":\""
                                + now + "\",\"mutation\":\"" + longText("m" + i + "-") + "\",\"outcome\":\"retried\",\"attempts\":2,"
                                + "\"latencyMs\":1234.5}")),
                new Shape("utf16-fields", "100 replays, client, id and mutation of 128 characters beyond Latin-1, the id"
                        + " of backslashes (escaped again in COPY), gzip", 100, true,
                        (client, now) -> beacon(client, 100, i -> "{\"id\":\"\u0100" + "\\\\".repeat(63) + String.format("%064d", i)
                                + "\",\"type\":\"replay\",\"at\":\"" + now + "\",\"mutation\":\"" + longText("\u0100" + i + "-")
                                + "\",\"outcome\":\"retried\",\"attempts\":2,\"latencyMs\":1234.5}")),
                new Shape("inflated-1MiB", "20 events padded by an unknown field to the 1 MiB inflated limit, gzip", 20, true,
                        (client, now) -> padded(client, now)));
        long queueBound = Long.getLong("bench.queue-bytes", 16L << 20);
        Path data = Files.createTempDirectory(Path.of("target"), "bench-qheap");
        List<String> jvmOptions = List.of("@" + ServiceProcess.JVM_OPTIONS.toAbsolutePath(),
                "-Dquarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout=" + SOCKET_TIMEOUT_SECONDS);
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN,
                "QUARKUS_LOG_LEVEL", "WARN", "BELLWETHER_INGEST_WRITER_QUEUE_BYTES", Long.toString(queueBound)))
                .jvmOptions(jvmOptions)) {
            service.start();
            String base = service.baseUrl();
            ServiceProcess.call(base, "POST", "/v1/apps", ADMIN, "{\"name\": \"" + APP + "\", \"beaconsPerSecond\": 1000000}");
            String key = ServiceProcess.call(base, "POST", "/v1/apps/" + APP + "/ingest-keys", ADMIN, "").get("key").asText();
            String beacons = base + "/v1/beacons?key=" + key;
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // a first beacon makes the release and cohort rows, and loads what ingest loads once
            post(http, beacons, shapes.get(0), "warm-up", Instant.now()).join();
            List<Measured> results = new ArrayList<>();
            try (Connection sql = connect(data)) {
                for (Shape shape : shapes) {
                    results.add(measure(service, data, http, beacons, sql, shape));
                }
            }
            report(results, queueBound, String.join(" ", jvmOptions));
        }
    }

    private static Measured measure(ServiceProcess service, Path data, HttpClient http, String url, Connection sql,
            Shape shape) throws Exception {
        Histogram idle = histogram(service.pid());
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicInteger shed = new AtomicInteger();
        int posted = 0;
        long stalledAt;
        long countedBytes;
        Histogram full;
        try (Connection lock = connect(data)) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE event IN ACCESS EXCLUSIVE MODE");
            }
            stalledAt = System.nanoTime();
            long fillDeadline = stalledAt + FILL_LIMIT.toNanos();
            long nextCancel = stalledAt + 2 * CANCEL_EVERY.toNanos();
            int cancels = 0;
            Instant now = Instant.now();
            // full once beacons are shed: answered 503 at once, which after the last cancel only a full queue does
            while (shed.get() < SHED_WHEN_FULL) {
                if (System.nanoTime() > fillDeadline) {
                    throw new IllegalStateException(shape.name() + ": the queue did not fill within " + FILL_LIMIT);
                }
                if (cancels < CANCELS && System.nanoTime() > nextCancel) {
                    cancelWaitingCommits(sql);
                    cancels++;
                    nextCancel += CANCEL_EVERY.toNanos();
                }
                inFlight.acquire();
                String client = clientOf(shape, posted++);
                long started = System.nanoTime();
                boolean afterCancels = cancels == CANCELS;
                post(http, url, shape, client, now).whenComplete((answer, failure) -> {
                    long nanos = System.nanoTime() - started;
                    int status = failure == null ? answer.status() : -1;
                    if (status == 503 && afterCancels && nanos < AT_ONCE.toNanos()) {
                        shed.incrementAndGet();
                    }
                    sent.add(new Sent(client, shape.events(), failure == null ? answer.jsonBytes() : 0, status, nanos));
                    inFlight.release();
                });
            }
            // every beacon answered: what is left is the queue and the batches in commit, not requests
            inFlight.acquire(IN_FLIGHT);
            inFlight.release(IN_FLIGHT);
            countedBytes = queueBytes(service);
            full = histogram(service.pid());
            lock.rollback();
        }
        long stalledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalledAt);
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (queueBytes(service) > 0) {
            if (System.nanoTime() > drainDeadline) {
                throw new IllegalStateException(shape.name() + ": the queue did not drain after the lock was released");
            }
            Thread.sleep(200);
        }
        Map<String, Integer> storedByClient = storedEvents(sql, shape.name() + "-%");
        int answered202 = 0, answered503 = 0, other = 0, stored = 0, storedAfter503 = 0, lost = 0, partial = 0;
        for (Sent beacon : sent) {
            int events = storedByClient.getOrDefault(beacon.client(), 0);
            if (events != 0 && events != beacon.events()) {
                partial++;
            }
            if (beacon.status() == 202) {
                answered202++;
                if (events == beacon.events()) {
                    stored++;
                } else {
                    lost++;
                }
            } else if (beacon.status() == 503) {
                answered503++;
                if (events == beacon.events()) {
                    storedAfter503++;
                }
            } else {
                other++;
            }
        }
        return new Measured(shape, posted, answered202, answered503, other, countedBytes, idle.bytes(), full.bytes(), idle,
                full, stored, storedAfter503, lost, partial, stalledMillis);
    }

    /** Each beacon its own client, so its fate shows in the event table; the longest allowed where the shape tests texts. */
    private static String clientOf(Shape shape, int n) {
        String client = shape.name() + "-" + n;
        return shape.name().startsWith("utf16") ? longText(client + "-\u0100") : client;
    }

    private record Answer(int status, int jsonBytes) {
    }

    private static CompletableFuture<Answer> post(HttpClient http, String url, Shape shape, String client,
            Instant now) {
        byte[] json = shape.json().of(client, now).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain;charset=UTF-8")
                .header("Connection", "close")
                .timeout(Duration.ofSeconds(60));
        if (shape.gzip()) {
            request.header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gzip(json)));
        } else {
            request.POST(HttpRequest.BodyPublishers.ofByteArray(json));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> new Answer(response.statusCode(), json.length));
    }

    private interface EventJson {
        String of(int index);
    }

    private static String beacon(String client, int events, EventJson event) {
        StringBuilder json = new StringBuilder("{\"schema\":1,\"app\":\"" + APP + "\",\"release\":\"2026.11.3\",\"client\":\""
                + client + "\",\"flags\":{\"new-editor\":true},\"events\":[");
        for (int i = 0; i < events; i++) {
            json.append(i == 0 ? "" : ",").append(event.of(i));
        }
        return json.append("]}").toString();
    }

    /** A text of the longest length a field may have, unique by its prefix. */
    private static String longText(String prefix) {
        return prefix + "x".repeat(128 - prefix.length());
    }

    /** The events of the realistic beacon, each padded by an unknown field so the beacon inflates to just under 1 MiB. */
    private static String padded(String client, Instant now) {
        int limit = 1 << 20;
        String plain = RealisticBeacon.json(APP, client, "new-editor", true, 0, now);
        int pad = (limit - plain.length() - 64) / RealisticBeacon.EVENTS - ",\"pad\":\"\"".length();
        String padding = ",\"pad\":\"" + "p".repeat(pad) + "\"";
        return plain.replace(",\"type\":", padding + ",\"type\":");
    }

    private static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The writers' statements waiting for the lock, cancelled: their batches fail (503) and each takes a new one. */
    private static void cancelWaitingCommits(Connection sql) throws Exception {
        try (Statement statement = sql.createStatement()) {
            statement.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                    + " AND wait_event_type = 'Lock' AND (query LIKE 'COPY event%' OR query LIKE 'INSERT INTO event %')");
        }
    }

    private static Map<String, Integer> storedEvents(Connection sql, String clientPattern) throws Exception {
        Map<String, Integer> stored = new HashMap<>();
        try (var query = sql.prepareStatement("SELECT client, count(*) FROM event WHERE client LIKE ? GROUP BY client")) {
            query.setString(1, clientPattern);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    stored.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        return stored;
    }

    /** The writer queue's counted bytes, as the service's gauge gives them. */
    private static long queueBytes(ServiceProcess service) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("bellwether_ingest_writer_queue_bytes ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new IllegalStateException("no bellwether_ingest_writer_queue_bytes in /q/metrics");
    }

    /** Live objects after the full GC that {@code GC.class_histogram} runs first: by class, and in all. */
    private static Histogram histogram(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd GC.class_histogram failed:\n" + out);
        }
        Map<String, long[]> classes = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 3 && fields[0].equals("Total")) {
                return new Histogram(Long.parseLong(fields[2]), Long.parseLong(fields[1]), classes);
            }
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                classes.put(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
            }
        }
        throw new IllegalStateException("no Total in jcmd GC.class_histogram:\n" + out);
    }

    /** The service's own PostgreSQL, as the superuser: the layout EmbeddedPostgresConfigSource gives BELLWETHER_DATA_DIR. */
    private static Connection connect(Path data) throws Exception {
        String port = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(3).trim();
        String password = Files.readString(data.resolve("postgres-password")).trim();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
    }

    private static void report(List<Measured> results, long queueBound, String jvmOptions) throws Exception {
        StringBuilder table = new StringBuilder(String.format("%nWriter queue bound %d bytes; JVM options %s%n%n", queueBound,
                jvmOptions));
        table.append("| beacon | JSON bytes | events | beacons held | events in commit batches | counted MB | heap held MB"
                + " | heap held / counted byte | idle heap MB | full heap MB | 202 stored | 503 | 503 stored anyway | lost"
                + " | partly stored | other answers |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        ObjectNode json = JSON.createObjectNode();
        json.put("queueBytesBound", queueBound).put("jvmOptions", jvmOptions).put("inFlight", IN_FLIGHT)
                .put("cancels", CANCELS);
        ArrayNode shapes = json.putArray("shapes");
        StringBuilder classes = new StringBuilder();
        for (Measured m : results) {
            long submissions = m.instances("dev.bellwether.ingest.EventWriter$Submission");
            long rows = m.instances("dev.bellwether.ingest.EventWriter$Row");
            int jsonBytes = m.shape().json().of(clientOf(m.shape(), 0), Instant.now()).getBytes(StandardCharsets.UTF_8).length;
            table.append(String.format("| %s | %d | %d | %d | %d | %.1f | %.1f | %.2f | %.1f | %.1f | %d | %d | %d | %d | %d | %d |%n",
                    m.shape().name(), jsonBytes, m.shape().events(), submissions, rows, m.countedBytes() / 1048576.0,
                    m.heldMb(), m.heldPerCounted(), m.idleHeap() / 1048576.0, m.fullHeap() / 1048576.0, m.stored(),
                    m.answered503(), m.storedAfter503(), m.lost(), m.partial(), m.other()));
            ObjectNode shape = shapes.addObject();
            shape.put("name", m.shape().name()).put("description", m.shape().description()).put("jsonBytes", jsonBytes)
                    .put("events", m.shape().events()).put("posted", m.posted()).put("beaconsHeld", submissions)
                    .put("eventsInCommitBatches", rows).put("countedBytes", m.countedBytes())
                    .put("idleHeapBytes", m.idleHeap()).put("fullHeapBytes", m.fullHeap())
                    .put("heldBytes", m.fullHeap() - m.idleHeap()).put("heldPerCountedByte", m.heldPerCounted())
                    .put("answered202", m.answered202()).put("stored", m.stored()).put("answered503", m.answered503())
                    .put("storedAfter503", m.storedAfter503()).put("lost", m.lost()).put("partlyStored", m.partial())
                    .put("otherAnswers", m.other()).put("stalledMillis", m.stalledCommitMillis());
            ArrayNode top = shape.putArray("topClasses");
            classes.append(String.format("%n%s: what the held heap consists of (live after a full GC, full less idle)%n%n"
                    + "| class | instances | MB | bytes per event held |%n|---|---|---|---|%n", m.shape().name()));
            long eventsHeld = submissions * m.shape().events();
            m.full().classes().entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), new long[] {e.getValue()[0] - m.idle().classes().getOrDefault(e.getKey(), new long[2])[0],
                            e.getValue()[1] - m.idle().classes().getOrDefault(e.getKey(), new long[2])[1]}))
                    .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[1]))
                    .limit(TOP_CLASSES)
                    .forEach(e -> {
                        classes.append(String.format("| %s | %d | %.2f | %.1f |%n", e.getKey(), e.getValue()[0],
                                e.getValue()[1] / 1048576.0, (double) e.getValue()[1] / Math.max(1, eventsHeld)));
                        top.addObject().put("class", e.getKey()).put("instances", e.getValue()[0]).put("bytes", e.getValue()[1]);
                    });
        }
        table.append(classes);
        System.out.println(table);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("writer-queue-heap.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("writer-queue-heap.md"), table.toString());
        for (Measured m : results) {
            if (m.lost() > 0 || m.partial() > 0 || m.other() > 0) {
                throw new AssertionError(m.shape().name() + ": " + m.lost() + " beacons answered 202 without their events, "
                        + m.partial() + " partly stored, " + m.other() + " answered neither 202 nor 503");
            }
        }
    }
}

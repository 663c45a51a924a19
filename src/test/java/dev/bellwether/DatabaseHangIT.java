package dev.bellwether;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL hung, not dead (every process of it SIGSTOPped, as a partition to a remote database looks) while beacons
 * arrive, then resumed: the packaged service answers 503 with Retry-After within its stated bound, reports itself not
 * ready and the database down, and recovers without a restart; once clients resend what was not acknowledged, every
 * event is stored and counted exactly once.
 */
class DatabaseHangIT {

    private static final String ADMIN = "hang-admin";
    private static final String APP = "hang-notes";
    /** The bound docs/operations.md states for a beacon's answer while the database hangs. */
    private static final Duration BEACON_ANSWER_BOUND = Duration.ofSeconds(5);
    private static final Duration READINESS_DOWN_BOUND = Duration.ofSeconds(5);
    private static final Duration DATABASE_UP_GAUGE_BOUND = Duration.ofSeconds(10);
    private static final Duration FROZEN_FOR = Duration.ofSeconds(10);
    private static final int CLIENTS = 4;
    private static final int EVENTS_PER_BEACON = 5;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One beacon sent: its body, and how each attempt to deliver it was answered. */
    private record Sent(String body, Instant at, int status, Duration took, Optional<String> retryAfter,
            Optional<String> contentType, int accepted) {
    }

    @Test
    void aHungDatabaseIsAnsweredWithinBoundsAndNothingIsLostOrCountedTwice() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "hang-data");
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN))) {
            service.start();
            String base = service.baseUrl();
            String management = service.managementUrl();
            ServiceProcess.call(base, "POST", "/v1/apps", ADMIN, "{\"name\": \"" + APP + "\", \"beaconsPerSecond\": 100000}");
            String key = ServiceProcess.call(base, "POST", "/v1/apps/" + APP + "/ingest-keys", ADMIN, "").get("key").asText();
            Instant now = Instant.now();
            assertThat(post(base, key, beacon("warm-up", now)).status()).isEqualTo(202);

            List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean sending = new AtomicBoolean(true);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                String client = "client-" + c;
                clients.submit(() -> {
                    for (int n = 0; sending.get(); n++) {
                        sent.add(post(base, key, beacon(client + "-" + n, now)));
                    }
                    return null;
                });
            }
            Thread.sleep(2_000);

            List<Long> postgres = postgresProcesses(data);
            Instant frozen;
            Duration readinessDown = null;
            Duration gaugeDown = null;
            Instant thawed;
            Duration readinessUp = null;
            try {
                signal("-STOP", postgres);
                frozen = Instant.now();
                while (Duration.between(frozen, Instant.now()).compareTo(FROZEN_FOR) < 0) {
                    Duration since = Duration.between(frozen, Instant.now());
                    if (readinessDown == null && readinessStatus(management) == 503) {
                        readinessDown = Duration.between(frozen, Instant.now());
                    }
                    if (gaugeDown == null && databaseUp(management).equals("0.0")) {
                        gaugeDown = Duration.between(frozen, Instant.now());
                    }
                    if (since.compareTo(Duration.ofSeconds(1)) > 0) {
                        Thread.sleep(250);
                    }
                }
            } finally {
                signal("-CONT", postgres);
                thawed = Instant.now();
            }
            while (readinessUp == null && Duration.between(thawed, Instant.now()).compareTo(Duration.ofSeconds(30)) < 0) {
                if (readinessStatus(management) == 200) {
                    readinessUp = Duration.between(thawed, Instant.now());
                } else {
                    Thread.sleep(100);
                }
            }
            Thread.sleep(2_000);
            sending.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            List<Sent> answers = List.copyOf(sent);
            List<Sent> unavailable = answers.stream().filter(s -> s.status() == 503).toList();
            Duration slowest = answers.stream().map(Sent::took).max(Duration::compareTo).orElseThrow();
            long acknowledgedEvents = answers.stream().mapToLong(Sent::accepted).sum();
            Optional<Duration> first503 = unavailable.stream().map(s -> Duration.between(frozen, s.at().plus(s.took())))
                    .min(Duration::compareTo);
            System.out.printf("database hang: %d beacons, %d answered 503; slowest answer %d ms; first 503 %s after the freeze; "
                    + "readiness down after %s, gauge 0 after %s, readiness up %s after the thaw%n", answers.size(),
                    unavailable.size(), slowest.toMillis(), first503.map(Duration::toMillis).orElse(null),
                    readinessDown, gaugeDown, readinessUp);

            assertThat(readinessDown).as("readiness DOWN within %s of the freeze", READINESS_DOWN_BOUND)
                    .isNotNull().isLessThanOrEqualTo(READINESS_DOWN_BOUND);
            assertThat(gaugeDown).as("bellwether_database_up 0 within %s of the freeze", DATABASE_UP_GAUGE_BOUND)
                    .isNotNull().isLessThanOrEqualTo(DATABASE_UP_GAUGE_BOUND);
            assertThat(readinessUp).as("readiness UP again after the thaw, without a restart").isNotNull()
                    .isLessThanOrEqualTo(Duration.ofSeconds(10));
            assertThat(answers).as("every beacon answered 202 or 503").allSatisfy(s -> assertThat(s.status()).isIn(202, 503));
            assertThat(slowest).as("every beacon answered within %s", BEACON_ANSWER_BOUND).isLessThanOrEqualTo(BEACON_ANSWER_BOUND);
            assertThat(unavailable).as("beacons sent while frozen are answered 503").isNotEmpty()
                    .allSatisfy(s -> {
                        assertThat(s.retryAfter()).as("Retry-After").isPresent();
                        assertThat(s.contentType()).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                    });
            assertThat(answers.stream().filter(s -> s.status() == 202 && s.at().isAfter(thawed)))
                    .as("beacons accepted again after the thaw").isNotEmpty();

            // Clients resend what was not acknowledged until it is; a commit that finished after its 503 is a duplicate.
            for (Sent refused : unavailable) {
                Sent again = post(base, key, refused.body());
                for (int attempt = 0; again.status() != 202 && attempt < 20; attempt++) {
                    Thread.sleep(500);
                    again = post(base, key, refused.body());
                }
                assertThat(again.status()).as("a resent beacon is accepted").isEqualTo(202);
                acknowledgedEvents += again.accepted();
            }
            long distinctEvents = (long) (answers.size() + 1) * EVENTS_PER_BEACON;
            assertThat(storedEvents(data)).as("every event stored exactly once").isEqualTo(distinctEvents);
            assertThat(acknowledgedEvents).as("acknowledged as new at most once each").isLessThanOrEqualTo(distinctEvents);
            assertThat(countedEvents(base, now)).as("every event counted once in the rollups").isEqualTo(distinctEvents);
        }
    }

    private static String beacon(String client, Instant at) {
        return Fixtures.beacon(APP, client, Map.of("new-sync-engine", true), Fixtures.replays("e", EVENTS_PER_BEACON, at));
    }

    /** Posts one beacon as navigator.sendBeacon does; an answer that never comes counts as status 0. */
    private static Sent post(String base, String key, String body) {
        Instant at = Instant.now();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/beacons?key=" + key))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            int accepted = response.statusCode() == 202 ? JSON.readTree(response.body()).get("accepted").asInt() : 0;
            return new Sent(body, at, response.statusCode(), Duration.between(at, Instant.now()),
                    response.headers().firstValue("Retry-After"), response.headers().firstValue("Content-Type"), accepted);
        } catch (IOException e) {
            return new Sent(body, at, 0, Duration.between(at, Instant.now()), Optional.empty(), Optional.empty(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int readinessStatus(String management) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(management + "/q/health/ready")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException noAnswer) {
            return 0;
        }
    }

    private static String databaseUp(String management) throws InterruptedException {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines().filter(line -> line.startsWith("bellwether_database_up ")).map(line -> line.split(" ")[1])
                    .findFirst().orElse("");
        } catch (IOException noAnswer) {
            return "";
        }
    }

    /** The embedded PostgreSQL's postmaster (first line of postmaster.pid) and every process it started. */
    private static List<Long> postgresProcesses(Path data) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(0).trim());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow();
        // the postmaster first, so that it forks no new backend while its children are being stopped
        return Stream.concat(Stream.of(handle), handle.descendants()).map(ProcessHandle::pid).toList();
    }

    private static void signal(String signal, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.stream().map(String::valueOf).forEach(command::add);
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes());
        assertThat(kill.waitFor()).as("kill %s: %s", signal, output).isZero();
    }

    private static long storedEvents(Path data) throws Exception {
        String port = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid")).get(3).trim();
        // the superuser's password is the one EmbeddedPostgresConfigSource generated in the data directory
        String password = Files.readString(data.resolve("postgres-password")).trim();
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", password);
                Statement statement = connection.createStatement();
                ResultSet count = statement.executeQuery(
                        "SELECT count(*) FROM event e JOIN app a ON a.id = e.app_id WHERE a.name = '" + APP + "'")) {
            count.next();
            return count.getLong(1);
        }
    }

    private static long countedEvents(String base, Instant around) throws Exception {
        String query = "?from=" + around.minus(10, ChronoUnit.MINUTES) + "&to=" + around.plus(10, ChronoUnit.MINUTES);
        JsonNode sli = ServiceProcess.call(base, "GET", "/v1/apps/" + APP + "/sli" + query, ADMIN, null);
        return sli.path("total").path("events").asLong();
    }
}

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
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
 * PostgreSQL failing under beacon load, then back, with the packaged service never restarted: hung (every process of
 * it SIGSTOPped, as a partition to a remote database looks) and killed (every process SIGKILLed, then started again on
 * the same data directory and port). The service answers 503 with Retry-After within its stated bound, reports itself
 * not ready and the database down, and recovers by itself; once clients resend what was not acknowledged, every event
 * is stored and counted exactly once.
 */
class DatabaseFaultsIT {

    private static final String ADMIN = "fault-admin";
    private static final String APP = "fault-notes";
    /** The bound docs/operations.md states for a beacon's answer while the database hangs or is down. */
    private static final Duration BEACON_ANSWER_BOUND = Duration.ofSeconds(5);
    private static final Duration READINESS_DOWN_BOUND = Duration.ofSeconds(5);
    private static final Duration DATABASE_UP_GAUGE_BOUND = Duration.ofSeconds(10);
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(10);
    private static final int CLIENTS = 4;
    private static final int EVENTS_PER_BEACON = 5;
    /** A client that was refused waits before its next beacon, as the SDK does, rather than spinning on fast 503s. */
    private static final Duration CLIENT_PAUSE_AFTER_REFUSAL = Duration.ofMillis(100);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One beacon sent: its body, and how each attempt to deliver it was answered. */
    private record Sent(String body, Instant at, int status, Duration took, Optional<String> retryAfter,
            Optional<String> contentType, int accepted) {
    }

    /** What a test does to the service's PostgreSQL, and how it brings it back. */
    private interface Fault {
        void inflict(Path data) throws Exception;

        void repair(Path data) throws Exception;
    }

    /** Every process SIGSTOPped: connections stay open, nothing answers. */
    private static final class Hang implements Fault {
        private List<Long> processes = List.of();

        @Override
        public void inflict(Path data) throws Exception {
            processes = postgresProcesses(data);
            signal("-STOP", processes);
        }

        @Override
        public void repair(Path data) throws Exception {
            signal("-CONT", processes);
        }
    }

    /**
     * Every process SIGKILLed, as a crash of the server takes them all (a postmaster killed alone would leave backends
     * holding its shared memory, which a new postmaster refuses to start beside); then the postmaster is started again
     * with its own command line, so on the same data directory, port and settings, and recovers from its WAL.
     */
    private static final class Kill implements Fault {
        private List<String> commandLine = List.of();
        private Process restarted;

        @Override
        public void inflict(Path data) throws Exception {
            List<Long> processes = postgresProcesses(data);
            commandLine = commandLine(processes.get(0));
            signal("-KILL", processes);
            for (long pid : processes) {
                Optional<ProcessHandle> process = ProcessHandle.of(pid);
                if (process.isPresent()) {
                    process.get().onExit().get(10, TimeUnit.SECONDS);
                }
            }
        }

        @Override
        public void repair(Path data) throws Exception {
            Path log = data.resolveSibling(data.getFileName() + "-postgres-restarted.log");
            List<String> command = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                // PostgreSQL refuses to run as root; zonky runs it in a user namespace of its own, and so does this
                command.addAll(List.of("unshare", "-U"));
            }
            command.addAll(commandLine);
            restarted = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Instant deadline = Instant.now().plus(RECOVERY_BOUND);
            while (true) {
                try (Connection connection = superuser(data)) {
                    return;
                } catch (SQLException | IOException | RuntimeException notYet) {
                    // refused, or postmaster.pid still being rewritten
                    if (!restarted.isAlive() || Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("PostgreSQL did not start again; see " + log, notYet);
                    }
                    Thread.sleep(100);
                }
            }
        }

        /** The service stops the PostgreSQL it started through its data directory; this one only if that failed. */
        void cleanUp() throws InterruptedException {
            if (restarted != null && restarted.isAlive()) {
                restarted.destroy();
                restarted.waitFor(30, TimeUnit.SECONDS);
            }
        }

        private static List<String> commandLine(long pid) throws IOException {
            String raw = Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"), StandardCharsets.UTF_8);
            return Arrays.stream(raw.split("\0")).filter(argument -> !argument.isEmpty()).toList();
        }
    }

    /** How the service's health signals followed the fault and the repair. */
    private record Signals(Duration readinessDown, Duration gaugeDown, Duration readinessUp, Duration gaugeUp) {
    }

    @Test
    void aHungDatabaseIsAnsweredWithinBoundsAndNothingIsLostOrCountedTwice() throws Exception {
        underLoad("hang", new Hang(), Duration.ofSeconds(10));
    }

    @Test
    void aKilledAndRestartedDatabaseIsAnsweredWithinBoundsAndNothingIsLostOrCountedTwice() throws Exception {
        Kill kill = new Kill();
        try {
            underLoad("kill", kill, Duration.ofSeconds(6));
        } finally {
            kill.cleanUp();
        }
    }

    private static void underLoad(String name, Fault fault, Duration faultFor) throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), name + "-data");
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
                        Sent answer = post(base, key, beacon(client + "-" + n, now));
                        sent.add(answer);
                        if (answer.status() != 202) {
                            Thread.sleep(CLIENT_PAUSE_AFTER_REFUSAL.toMillis());
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(2_000);

            Instant struck = Instant.now();
            Duration readinessDown = null;
            Duration gaugeDown = null;
            Instant repaired;
            try {
                fault.inflict(data.resolve("postgres"));
                while (Duration.between(struck, Instant.now()).compareTo(faultFor) < 0) {
                    Duration since = Duration.between(struck, Instant.now());
                    if (readinessDown == null && readinessStatus(management) == 503) {
                        readinessDown = Duration.between(struck, Instant.now());
                    }
                    if (gaugeDown == null && databaseUp(management).equals("0.0")) {
                        gaugeDown = Duration.between(struck, Instant.now());
                    }
                    if (since.compareTo(Duration.ofSeconds(1)) > 0) {
                        Thread.sleep(250);
                    }
                }
            } finally {
                fault.repair(data.resolve("postgres"));
                repaired = Instant.now();
            }
            Duration readinessUp = null;
            Duration gaugeUp = null;
            while ((readinessUp == null || gaugeUp == null)
                    && Duration.between(repaired, Instant.now()).compareTo(DATABASE_UP_GAUGE_BOUND.plusSeconds(5)) < 0) {
                if (readinessUp == null && readinessStatus(management) == 200) {
                    readinessUp = Duration.between(repaired, Instant.now());
                }
                if (gaugeUp == null && databaseUp(management).equals("1.0")) {
                    gaugeUp = Duration.between(repaired, Instant.now());
                }
                Thread.sleep(100);
            }
            Thread.sleep(2_000);
            sending.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            checkAnswersAndLedger(name, base, key, data, now, struck, repaired,
                    new Signals(readinessDown, gaugeDown, readinessUp, gaugeUp), List.copyOf(sent));
        }
    }

    private static void checkAnswersAndLedger(String name, String base, String key, Path data, Instant now, Instant struck,
            Instant repaired, Signals signals, List<Sent> answers) throws Exception {
        List<Sent> unavailable = answers.stream().filter(s -> s.status() == 503).toList();
        Duration slowest = answers.stream().map(Sent::took).max(Duration::compareTo).orElseThrow();
        long acknowledgedEvents = answers.stream().mapToLong(Sent::accepted).sum();
        Optional<Duration> first503 = unavailable.stream().map(s -> Duration.between(struck, s.at().plus(s.took())))
                .min(Duration::compareTo);
        System.out.printf("database %s: %d beacons, %d answered 503; slowest answer %d ms; first 503 %s ms after the fault; "
                + "readiness down after %s, gauge 0 after %s; readiness up %s, gauge 1 %s after the repair%n", name,
                answers.size(), unavailable.size(), slowest.toMillis(), first503.map(Duration::toMillis).orElse(null),
                signals.readinessDown(), signals.gaugeDown(), signals.readinessUp(), signals.gaugeUp());

        assertThat(signals.readinessDown()).as("readiness DOWN within %s of the fault", READINESS_DOWN_BOUND)
                .isNotNull().isLessThanOrEqualTo(READINESS_DOWN_BOUND);
        assertThat(signals.gaugeDown()).as("bellwether_database_up 0 within %s of the fault", DATABASE_UP_GAUGE_BOUND)
                .isNotNull().isLessThanOrEqualTo(DATABASE_UP_GAUGE_BOUND);
        assertThat(signals.readinessUp()).as("readiness UP again after the repair, without a restart").isNotNull()
                .isLessThanOrEqualTo(RECOVERY_BOUND);
        assertThat(signals.gaugeUp()).as("bellwether_database_up 1 again after the repair").isNotNull()
                .isLessThanOrEqualTo(DATABASE_UP_GAUGE_BOUND);
        assertThat(answers).as("every beacon answered 202 or 503").allSatisfy(s -> assertThat(s.status()).isIn(202, 503));
        assertThat(slowest).as("every beacon answered within %s", BEACON_ANSWER_BOUND).isLessThanOrEqualTo(BEACON_ANSWER_BOUND);
        assertThat(first503).as("the first 503 within %s of the fault", BEACON_ANSWER_BOUND)
                .hasValueSatisfying(first -> assertThat(first).isLessThanOrEqualTo(BEACON_ANSWER_BOUND));
        assertThat(unavailable).as("beacons sent during the fault are answered 503").isNotEmpty()
                .allSatisfy(s -> {
                    assertThat(s.retryAfter()).as("Retry-After").isPresent();
                    assertThat(s.contentType()).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                });
        assertThat(answers.stream().filter(s -> s.status() == 202 && s.at().isAfter(repaired)))
                .as("beacons accepted again after the repair").isNotEmpty();

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
    private static List<Long> postgresProcesses(Path postgres) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(postgres.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow();
        // the postmaster first, so that it forks no new backend while its children are being signalled
        return Stream.concat(Stream.of(handle), handle.descendants()).map(ProcessHandle::pid).toList();
    }

    private static void signal(String signal, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.stream().map(String::valueOf).forEach(command::add);
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes());
        assertThat(kill.waitFor()).as("kill %s: %s", signal, output).isZero();
    }

    /** As the service connects: the port from postmaster.pid, the password EmbeddedPostgresConfigSource generated. */
    private static Connection superuser(Path postgres) throws IOException, SQLException {
        String port = Files.readAllLines(postgres.resolve("postmaster.pid")).get(3).trim();
        String password = Files.readString(postgres.resolveSibling("postgres-password")).trim();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
    }

    private static long storedEvents(Path data) throws Exception {
        try (Connection connection = superuser(data.resolve("postgres"));
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

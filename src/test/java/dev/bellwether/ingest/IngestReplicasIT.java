package dev.bellwether.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged service on one PostgreSQL, behind no sticky routing: every beacon is posted to both at
 * once and sent again, in a shuffled order, while both compact the rollups. Each event is stored, acknowledged as
 * new and counted in the rollups exactly once, and either replica reports the same SLIs.
 */
class IngestReplicasIT {

    private static final String ADMIN = "ingest-replicas-admin";
    private static final String APP = "replicated-ingest";
    private static final String FLAG = "new-editor";
    private static final int CLIENTS = 24;
    private static final int BEACONS_PER_CLIENT = 4;
    private static final int REPLAYS_PER_BEACON = 15;
    private static final int SYNCS_PER_BEACON = 5;
    private static final int EVENTS_PER_BEACON = REPLAYS_PER_BEACON + SYNCS_PER_BEACON;
    /** Every tenth replay is dead-lettered, the rest succeed. */
    private static final int DEAD_LETTER_EVERY = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    private record Post(ServiceProcess replica, int beacon) {
    }

    /** A beacon's 202 answer, and whether an earlier try was answered 503 (its commit may still have landed). */
    private record Answer(JsonNode body, boolean unavailableFirst) {
    }

    @Test
    void eachEventIsStoredAndCountedOnceWhicheverReplicaTakesIt() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres()) {
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.put("BELLWETHER_ADMIN_TOKEN", ADMIN);
            // both replicas fold deltas while beacons land, as they do in production, only more often
            environment.put("BELLWETHER_ROLLUP_COMPACTION_INTERVAL", "1s");
            try (ServiceProcess first = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "ingest-a"), environment);
                    ServiceProcess second = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "ingest-b"), environment)) {
                first.start();
                second.start();
                ServiceProcess.call(first.baseUrl(), "POST", "/v1/apps", ADMIN, "{\"name\": \"" + APP + "\", \"beaconsPerSecond\": 100000}");
                // the key is made on one replica and used on both: the other has never seen it
                String key = ServiceProcess.call(second.baseUrl(), "POST", "/v1/apps/" + APP + "/ingest-keys", ADMIN, "").get("key").asText();

                Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5);
                List<String> beacons = beacons(at);
                int events = beacons.size() * EVENTS_PER_BEACON;
                List<Post> posts = new ArrayList<>();
                for (int i = 0; i < beacons.size(); i++) {
                    posts.add(new Post(first, i));
                    posts.add(new Post(second, i));
                    posts.add(new Post(i % 2 == 0 ? first : second, i));
                }
                Collections.shuffle(posts, new Random(19));

                long accepted = 0;
                long duplicates = 0;
                Set<Integer> unacknowledgedOnce = new HashSet<>();
                ExecutorService senders = Executors.newFixedThreadPool(16);
                try {
                    List<Future<Answer>> answers = new ArrayList<>();
                    for (Post post : posts) {
                        answers.add(senders.submit(() -> send(post.replica(), key, beacons.get(post.beacon()))));
                    }
                    for (int i = 0; i < posts.size(); i++) {
                        Answer answer = answers.get(i).get();
                        assertThat(answer.body().get("rejected")).isEmpty();
                        accepted += answer.body().get("accepted").asLong();
                        duplicates += answer.body().get("duplicates").asLong();
                        if (answer.unavailableFirst()) {
                            unacknowledgedOnce.add(posts.get(i).beacon());
                        }
                    }
                } finally {
                    senders.shutdownNow();
                }
                System.out.printf("IngestReplicasIT: %d posts of %d beacons; %d beacons answered 503 at first; %d events accepted, %d duplicates%n",
                        posts.size(), beacons.size(), unacknowledgedOnce.size(), accepted, duplicates);
                assertThat(accepted + duplicates).as("every event of every post answered").isEqualTo(3L * events);
                // exactly the events when no try was answered 503; a 503 whose commit landed after its answer leaves
                // its events to be answered as duplicates on the resend, so they may be acknowledged as new nowhere
                assertThat(accepted).as("events acknowledged as new, over both replicas")
                        .isBetween((long) events - (long) unacknowledgedOnce.size() * EVENTS_PER_BEACON, (long) events);
                assertThat(counter(first, "accepted") + counter(second, "accepted"))
                        .as("the replicas' own counts of new events add up").isEqualTo(events);

                try (Connection connection = postgres.connect();
                        PreparedStatement stored = connection.prepareStatement(
                                "SELECT count(*), count(DISTINCT (client, event_id)) FROM event e JOIN app a ON a.id = e.app_id WHERE a.name = ?")) {
                    stored.setString(1, APP);
                    try (ResultSet row = stored.executeQuery()) {
                        row.next();
                        assertThat(row.getLong(1)).as("event rows").isEqualTo(events);
                        assertThat(row.getLong(2)).as("distinct identities").isEqualTo(events);
                    }
                }

                Map<String, Long> expected = expectedCounts(beacons.size());
                Instant from = at.minus(10, ChronoUnit.MINUTES);
                Instant to = Instant.now().plus(1, ChronoUnit.MINUTES);
                // read while compaction may be folding the deltas, and again once every delta is folded
                assertThat(counts(sli(first, from, to))).isEqualTo(expected);
                assertThat(counts(sli(second, from, to))).isEqualTo(expected);
                awaitCompacted(postgres);
                JsonNode fromFirst = sli(first, from, to);
                JsonNode fromSecond = sli(second, from, to);
                assertThat(counts(fromFirst)).isEqualTo(expected);
                assertThat(fromSecond).as("the whole SLI report, from either replica").isEqualTo(fromFirst);
            }
        }
    }

    /** Each client sends its beacons under one flag state and release; clients alternate canary and control. */
    private static List<String> beacons(Instant at) {
        List<String> beacons = new ArrayList<>();
        for (int client = 0; client < CLIENTS; client++) {
            for (int b = 0; b < BEACONS_PER_CLIENT; b++) {
                List<String> events = new ArrayList<>();
                for (int i = 0; i < REPLAYS_PER_BEACON; i++) {
                    events.add(Fixtures.replay("r-" + b + "-" + i, at, i % DEAD_LETTER_EVERY == 0 ? "dead_lettered" : "succeeded"));
                }
                for (int i = 0; i < SYNCS_PER_BEACON; i++) {
                    events.add(Fixtures.sync("s-" + b + "-" + i, at, 100 + 10L * i, 1_000));
                }
                beacons.add(Fixtures.beacon(APP, "client-" + client, Map.of(FLAG, client % 2 == 0), events));
            }
        }
        return beacons;
    }

    private static Map<String, Long> expectedCounts(int beacons) {
        long deadLettered = (long) beacons * ((REPLAYS_PER_BEACON + DEAD_LETTER_EVERY - 1) / DEAD_LETTER_EVERY);
        long replays = (long) beacons * REPLAYS_PER_BEACON;
        long perArm = (long) beacons / 2 * EVENTS_PER_BEACON;
        return new TreeMap<>(Map.of("events", replays + (long) beacons * SYNCS_PER_BEACON,
                "succeeded", replays - deadLettered, "deadLettered", deadLettered, "syncs", (long) beacons * SYNCS_PER_BEACON,
                "canary events", perArm, "control events", perArm));
    }

    /** The figures this test can know in advance, from an SLI report split by the flag. */
    private static Map<String, Long> counts(JsonNode report) {
        Map<String, Long> counts = new TreeMap<>();
        JsonNode total = report.get("total");
        counts.put("events", total.get("events").asLong());
        counts.put("succeeded", total.get("replays").get("succeeded").asLong());
        counts.put("deadLettered", total.get("replays").get("deadLettered").asLong());
        counts.put("syncs", total.get("syncs").get("count").asLong());
        for (JsonNode cohort : report.get("cohorts")) {
            counts.merge(cohort.get("arm").asText() + " events", cohort.get("sli").get("events").asLong(), Long::sum);
        }
        return counts;
    }

    /**
     * Posts a beacon as a client does: a 503 (not stored in time, nothing acknowledged) is sent again; sooner than its
     * Retry-After asks, which a client may do, so that a busy machine does not stretch the test.
     */
    private Answer send(ServiceProcess replica, String key, String beacon) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/v1/beacons?key=" + key))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(beacon)).build();
        boolean unavailable = false;
        for (int attempt = 0; attempt < 20; attempt++) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                return new Answer(JSON.readTree(response.body()), unavailable);
            }
            assertThat(response.statusCode()).as("answer to a beacon: %s", response.body()).isEqualTo(503);
            unavailable = true;
            Thread.sleep(500);
        }
        throw new AssertionError("a beacon was answered 503 twenty times by " + replica.baseUrl());
    }

    private JsonNode sli(ServiceProcess replica, Instant from, Instant to) throws Exception {
        return ServiceProcess.call(replica.baseUrl(), "GET",
                "/v1/apps/" + APP + "/sli?from=" + from + "&to=" + to + "&flag=" + FLAG, ADMIN, null);
    }

    private static void awaitCompacted(SharedPostgres postgres) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        try (Connection connection = postgres.connect();
                PreparedStatement pending = connection.prepareStatement("SELECT (SELECT count(*) FROM rollup_minute WHERE NOT compacted) "
                        + "+ (SELECT count(*) FROM rollup_hour WHERE NOT compacted)")) {
            while (true) {
                try (ResultSet row = pending.executeQuery()) {
                    row.next();
                    if (row.getLong(1) == 0) {
                        return;
                    }
                }
                assertThat(Instant.now()).as("rollup deltas compacted within 30 s").isBefore(deadline);
                Thread.sleep(200);
            }
        }
    }

    /** bellwether_ingest_events_total of this app and result, as one replica exports it. */
    private long counter(ServiceProcess replica, String result) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(replica.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("bellwether_ingest_events_total{") && line.contains("app=\"" + APP + "\"")
                    && line.contains("result=\"" + result + "\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        // a replica that took no new event of the app has no such series
        return 0;
    }
}

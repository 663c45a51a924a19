package dev.bellwether.api;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.ingest.BeaconParser;
import dev.bellwether.api.GeneratedRequests.Request;
import dev.bellwether.api.GeneratedRequests.Targets;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing: generated beacons and admin requests, valid but edgy or damaged, never get a 5xx or hang, every refusal is
 * problem JSON, and nothing of a refused beacon is stored.
 *
 * <p>The requests come from a generator of our own ({@link GeneratedRequests}) on one seeded {@link java.util.Random},
 * not from jqwik: its engine asks coding agents, which wrote this test, not to use it. They are sent over real HTTP
 * to the test's own Quarkus (real PostgreSQL). A failure prints the seed, the request's number and the request itself;
 * there is no shrinking. {@code -Dbellwether.fuzz.seed}, {@code -Dbellwether.fuzz.beacons} and {@code -Dbellwether.fuzz.admin}
 * change the seed and how many requests are sent (docs/operations.md, "Fuzzing").
 */
@QuarkusTest
class FuzzedRequestsTest {

    private static final long DEFAULT_SEED = 20261130L;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Requests in flight at once: enough to overlap the commit waits, few enough that no commit outwaits its bound. */
    private static final int CONCURRENCY = 4;
    private static final int MAX_FAILURES_SHOWN = 20;
    /** Below Vert.x's limit on the request line (max-initial-line-length), with room for the method and version. */
    private static final int LONGEST_SHARED_REQUEST_LINE = 4000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A request line or headers over Vert.x's limits are refused by its HTTP decoder, before any route, with an empty
     * body: no handler of the service sees them, so they cannot be problem JSON.
     */
    private static final Set<Integer> ANSWERED_BY_THE_HTTP_CODEC = Set.of(414, 431);

    @TestHTTPResource("/")
    URI base;

    @Inject
    DataSource dataSource;

    /** One request sent and what came back, or why nothing came back. */
    private record Outcome(int index, Request request, int status, String contentType, String body, String failure) {
    }

    @Test
    void generatedRequestsNeverGetA5xxOrHangAndRefusedBeaconsStoreNothing() throws Exception {
        long seed = Long.getLong("bellwether.fuzz.seed", DEFAULT_SEED);
        int beacons = Integer.getInteger("bellwether.fuzz.beacons", 7000);
        int adminRequests = Integer.getInteger("bellwether.fuzz.admin", 3000);

        String beaconApp = createApp("fuzz");
        // the limiter is not what is being tested: at the default rate it would answer many of the beacons
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"beaconsPerSecond\": 1000000}")
                .patch("/v1/apps/" + beaconApp).then().statusCode(200);
        String adminApp = createApp("fuzz-admin");
        Targets targets = new Targets(beaconApp, ingestKey(beaconApp), ingestKey(adminApp), adminApp, ADMIN, Instant.now());

        GeneratedRequests generated = new GeneratedRequests(targets, seed);
        int total = beacons + adminRequests;
        List<Request> requests = new ArrayList<>(total);
        for (long i = 0; i < total; i++) {
            // evenly interleaved, so that admin requests run while beacons are being committed
            boolean beacon = (i + 1) * beacons / total > i * beacons / total;
            requests.add(beacon ? generated.nextBeacon() : generated.nextAdmin());
        }

        long started = System.nanoTime();
        List<Outcome> outcomes = sendAll(requests);
        long sendingSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

        List<String> failures = new ArrayList<>();
        long accepted = 0;
        Set<String> acceptedReleases = new HashSet<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (Outcome outcome : outcomes) {
            statuses.merge(outcome.status(), 1, Integer::sum);
            String problem = check(outcome);
            if (problem != null) {
                failures.add(describe(seed, outcome, problem));
                continue;
            }
            if (outcome.status() == 202) {
                JsonNode answer = JSON.readTree(outcome.body());
                accepted += answer.path("accepted").asLong();
                if (answer.path("accepted").asLong() + answer.path("duplicates").asLong() > 0) {
                    // read as the service read it: its reader takes what a general-purpose one may refuse (an escaped
                    // lone surrogate in the name of a field it ignores)
                    acceptedReleases.add(BeaconParser.read(inflated(outcome.request())).path("release").asText());
                }
            }
        }
        System.out.printf("fuzz: seed %d, %d requests in %d s, %d events accepted, answers by status %s%n", seed, outcomes.size(),
                sendingSeconds, accepted, statuses);

        assertThat(failures).as("seed %d: %d of %d requests failed; the first of them:%n%s", seed, failures.size(), outcomes.size(),
                String.join("\n\n", failures.subList(0, Math.min(MAX_FAILURES_SHOWN, failures.size())))).isEmpty();
        assertThat(outcomes).hasSize(requests.size());
        // a beacon that names the other app and carries that app's key is a good beacon of the other app
        assertThat(storedEvents(beaconApp) + storedEvents(adminApp)).as("events stored = events the 202 answers accepted")
                .isEqualTo(accepted);
        assertThat(releases(beaconApp)).as("releases stored come from beacons that were accepted").isSubsetOf(acceptedReleases);
        assertThat(releases(adminApp)).as("releases stored come from beacons that were accepted").isSubsetOf(acceptedReleases);
    }

    private List<Outcome> sendAll(List<Request> requests) throws Exception {
        HttpClient client = newClient();
        ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            AtomicLong next = new AtomicLong();
            List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < CONCURRENCY; w++) {
                running.add(workers.submit(() -> {
                    for (int i = (int) next.getAndIncrement(); i < requests.size(); i = (int) next.getAndIncrement()) {
                        outcomes.add(send(client, i, requests.get(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
            return outcomes;
        } finally {
            workers.shutdownNow();
        }
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(REQUEST_TIMEOUT).build();
    }

    private Outcome send(HttpClient shared, int index, Request request) {
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(base.resolve(request.pathAndQuery())).timeout(REQUEST_TIMEOUT)
                    .method(request.method(), request.body().length == 0 && !request.method().equals("POST")
                            && !request.method().equals("PUT") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        } catch (IllegalArgumentException e) {
            return new Outcome(index, request, -1, null, null, "the generator made a request that cannot be sent: " + e.getMessage());
        }
        request.headers().forEach(builder::header);
        // Vert.x refuses a longer line as HTTP/1.0 and closes the connection; java.net.http may hand that closed
        // connection to the next request, which then fails without any fault of the service
        HttpClient client = request.pathAndQuery().length() > LONGEST_SHARED_REQUEST_LINE ? newClient() : shared;
        try {
            HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(index, request, response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body(), null);
        } catch (HttpTimeoutException e) {
            return new Outcome(index, request, -1, null, null, "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return new Outcome(index, request, -1, null, null, "the connection failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(index, request, -1, null, null, "interrupted");
        }
    }

    /** What is wrong with an answer, or null when it is as it should be. */
    private static String check(Outcome outcome) {
        if (outcome.failure() != null) {
            return outcome.failure();
        }
        int status = outcome.status();
        if (status >= 500) {
            return "a " + status + " answer";
        }
        if (status >= 400 && !ANSWERED_BY_THE_HTTP_CODEC.contains(status)) {
            if (outcome.contentType() == null || !outcome.contentType().startsWith(Problem.MEDIA_TYPE)) {
                return "a " + status + " answer that is not problem JSON";
            }
            try {
                JsonNode problem = JSON.readTree(outcome.body());
                if (problem.path("status").asInt() != status || problem.path("title").asText().isBlank()) {
                    return "a problem without its status or title";
                }
            } catch (IOException e) {
                return "a problem JSON answer that is not JSON";
            }
        }
        return null;
    }

    private static String describe(long seed, Outcome outcome, String problem) {
        Request request = outcome.request();
        return "#" + outcome.index() + " (seed " + seed + "): " + problem + "\n  " + request.method() + " " + cut(request.pathAndQuery())
                + "\n  headers " + request.headers() + "\n  " + request.shown() + "\n  answer " + outcome.status() + " "
                + outcome.contentType() + " " + (outcome.body() == null ? "" : cut(outcome.body()));
    }

    private static String cut(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    /** The beacon as the service read it: a 202 means the body was well-formed JSON, gzip or not. */
    private static byte[] inflated(Request request) throws IOException {
        if (!"gzip".equalsIgnoreCase(request.headers().get("Content-Encoding"))) {
            return request.body();
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
            return in.readAllBytes();
        }
    }

    private long storedEvents(String app) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT count(*) FROM event WHERE app_id = (SELECT id FROM app WHERE name = ?)")) {
            query.setString(1, app);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private Set<String> releases(String app) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT name FROM release WHERE app_id = (SELECT id FROM app WHERE name = ?)")) {
            query.setString(1, app);
            Set<String> names = new HashSet<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        }
    }
}

package dev.bellwether.ingest;

import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.replays;
import static dev.bellwether.support.Fixtures.sli;
import static dev.bellwether.support.Fixtures.sync;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
class BeaconIngestTest {

    private static final Map<String, Object> CANARY = Map.of("new-sync-engine", true);

    @Test
    void sendBeaconStyleTextPlainWithKeyInQueryIsAcceptedAndCounted() {
        String app = createApp("beacon");
        String key = ingestKey(app);
        Instant now = Instant.now();
        String body = beacon(app, "c-1", CANARY, List.of(replay("e1", now, "succeeded"), sync("e2", now, 1200, 30_000)));

        given().queryParam("key", key).contentType("text/plain;charset=UTF-8").body(body)
                .post("/v1/beacons")
                .then().statusCode(202).body("accepted", equalTo(2)).body("duplicates", equalTo(0))
                .body("rejected", hasSize(0));

        var report = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(2, ChronoUnit.MINUTES));
        assertThat(report.<Integer>path("total.replays.succeeded")).isEqualTo(1);
        assertThat(report.<Integer>path("total.syncs.count")).isEqualTo(1);
        assertThat(report.<Float>path("total.syncs.latencyMs.p50")).isBetween(1188f, 1212f);
        assertThat(report.<String>path("cohorts[0].cohort")).isEqualTo("new-sync-engine=true");
    }

    @Test
    void repeatFailuresCountEachMutationOnceFromItsSecondFailedAttemptInTheSliApiAndMetrics() {
        String app = createApp("repeat");
        String key = ingestKey(app);
        Instant now = Instant.now();
        // mutation a fails twice then is dead-lettered; b fails once then succeeds; c succeeds at once
        List<String> events = List.of(
                replay("a1", now, "retried", 1), replay("a2", now, "retried", 2), replay("a3", now, "dead_lettered", 3),
                replay("b1", now, "retried", 1), replay("b2", now, "succeeded", 2),
                replay("c1", now, "succeeded", 1));

        postBeacon(key, beacon(app, "c-1", CANARY, events)).then().statusCode(202).body("accepted", equalTo(6));

        var report = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(2, ChronoUnit.MINUTES));
        assertThat(report.<Integer>path("total.replays.firstAttempts")).isEqualTo(3);
        assertThat(report.<Integer>path("total.replays.repeatFailures")).isEqualTo(1);
        assertThat(report.<Float>path("total.replays.repeatFailureRatio")).isCloseTo(1f / 3, org.assertj.core.data.Offset.offset(1e-6f));
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("bellwether_replay_first_attempts_total{app=\"" + app + "\"")
                .contains("bellwether_replay_repeat_failures_total{app=\"" + app + "\"");
    }

    @Test
    void theBenchmarkEndpointsAreOffUnlessSwitchedOn() {
        String body = beacon("bench-off", "c-1", CANARY, List.of(replay("e1", Instant.now(), "succeeded")));
        for (String endpoint : List.of("/v1/bench/ceiling", "/v1/bench/parsed")) {
            given().contentType("text/plain;charset=UTF-8").body(body).post(endpoint)
                    .then().statusCode(404).body("detail", containsString("benchmark endpoints are off"));
        }
    }

    @Test
    void gzipBodyIsAccepted() throws IOException {
        String app = createApp("gzip");
        String key = ingestKey(app);
        byte[] body = gzip(beacon(app, "c-1", Map.of(), replays("g", 3, Instant.now())));

        given().header("Authorization", "Bearer " + key).header("Content-Encoding", "gzip").contentType(ContentType.JSON)
                .body(body).post("/v1/beacons")
                .then().statusCode(202).body("accepted", equalTo(3));
    }

    static Stream<Arguments> malformedEnvelopes() {
        String events = "\"events\": []";
        return Stream.of(
                Arguments.of("not JSON", "this is not json", null),
                Arguments.of("a JSON array", "[1, 2]", null),
                Arguments.of("unknown schema", "{\"schema\": 2, \"app\": \"%s\", \"release\": \"r\", \"client\": \"c\", " + events + "}", "schema"),
                Arguments.of("missing schema", "{\"app\": \"%s\", \"release\": \"r\", \"client\": \"c\", " + events + "}", "schema"),
                Arguments.of("missing app", "{\"schema\": 1, \"release\": \"r\", \"client\": \"c\", " + events + "}", "app"),
                Arguments.of("missing release", "{\"schema\": 1, \"app\": \"%s\", \"client\": \"c\", " + events + "}", "release"),
                Arguments.of("missing client", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", " + events + "}", "client"),
                Arguments.of("client not a string", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", \"client\": 7, " + events + "}", "client"),
                Arguments.of("flags not an object", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", \"client\": \"c\", \"flags\": [true], " + events + "}", "flags"),
                Arguments.of("flag value a number", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", \"client\": \"c\", \"flags\": {\"f\": 3}, " + events + "}", "flags.f"),
                Arguments.of("events not an array", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", \"client\": \"c\", \"events\": {}}", "events"),
                Arguments.of("missing events", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", \"client\": \"c\"}", "events"),
                Arguments.of("more than 1000 events", "{\"schema\": 1, \"app\": \"%s\", \"release\": \"r\", \"client\": \"c\", \"events\": ["
                        + String.join(",", Collections.nCopies(1001, "{}")) + "]}", "events"));
    }

    @ParameterizedTest(name = "{0} is a 400 naming {2}")
    @MethodSource("malformedEnvelopes")
    void malformedEnvelopeIsA400NamingTheFieldAndStoresNothing(String what, String template, String field) {
        String app = createApp("bad");
        String key = ingestKey(app);
        Instant now = Instant.now();
        var response = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(template.replace("%s", app)).post("/v1/beacons")
                .then().statusCode(400).contentType("application/problem+json").extract();
        assertThat(response.<String>path("field")).isEqualTo(field);
        assertThat(response.<String>path("detail")).isNotBlank();
        assertThat(sli(app, now.minus(1, ChronoUnit.HOURS), now.plus(1, ChronoUnit.MINUTES)).<Integer>path("total.events")).isZero();
    }

    @Test
    void aMalformedEnvelopeWithValidEventsStoresNoneOfThem() {
        String app = createApp("partial");
        String key = ingestKey(app);
        Instant now = Instant.now();
        String body = beacon(app, "c-1", Map.of(), replays("p", 3, now)).replace("\"schema\": 1", "\"schema\": \"one\"");
        postBeacon(key, body).then().statusCode(400);
        assertThat(sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES)).<Integer>path("total.events")).isZero();
    }

    @Test
    void bodyOver64KibIsA413() {
        String app = createApp("big");
        String key = ingestKey(app);
        String padding = "x".repeat(70_000);
        String body = beacon(app, "c-1", Map.of("pad", padding.substring(0, 100)), List.of())
                .replace("\"events\"", "\"padding\": \"" + padding + "\", \"events\"");
        postBeacon(key, body).then().statusCode(413).body("detail", containsString("65536"));
    }

    @Test
    void gzipThatInflatesBeyondTheLimitIsA413() throws IOException {
        String app = createApp("bomb");
        String key = ingestKey(app);
        byte[] bomb = gzip("{\"schema\": 1, \"padding\": \"" + " ".repeat(2_000_000) + "\"}");
        assertThat(bomb.length).isLessThan(65_536);
        given().header("Authorization", "Bearer " + key).header("Content-Encoding", "gzip").contentType(ContentType.JSON)
                .body(bomb).post("/v1/beacons").then().statusCode(413);
    }

    @Test
    void otherMediaTypesAreA415() {
        String app = createApp("media");
        String key = ingestKey(app);
        given().header("Authorization", "Bearer " + key).contentType("application/xml").body("<beacon/>")
                .post("/v1/beacons").then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void aBadEventIsRejectedWithItsReasonWhileItsSiblingsAreStored() {
        String app = createApp("mixed");
        String key = ingestKey(app);
        Instant now = Instant.now();
        List<String> events = List.of(
                replay("ok-1", now, "succeeded"),
                "{\"id\": \"bad-type\", \"type\": \"teleport\", \"at\": \"" + now + "\"}",
                "{\"id\": \"neg\", \"type\": \"sync\", \"at\": \"" + now + "\", \"latencyMs\": -5}",
                replay("future", now.plus(10, ChronoUnit.MINUTES), "succeeded"),
                replay("ancient", now.minus(30, ChronoUnit.DAYS), "succeeded"),
                sync("ok-2", now, 100, 1000));

        var response = postBeacon(key, beacon(app, "c-1", Map.of(), events)).then().statusCode(202)
                .body("accepted", equalTo(2)).body("rejected", hasSize(4)).extract();
        assertThat(response.<List<Integer>>path("rejected.index")).containsExactly(1, 2, 3, 4);
        assertThat(response.<List<String>>path("rejected.code"))
                .containsExactly("unknown_type", "invalid_field", "future_timestamp", "expired_timestamp");
        assertThat(response.<String>path("rejected[1].reason")).contains("latencyMs").contains("-5");

        var report = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES));
        assertThat(report.<Integer>path("total.events")).isEqualTo(2);
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("bellwether_ingest_events_rejected_total{app=\"" + app + "\",reason=\"unknown_type\"} 1.0");
    }

    @Test
    void missingUnknownAndRevokedKeysAreA401() {
        String app = createApp("keys");
        String body = beacon(app, "c-1", Map.of(), replays("k", 1, Instant.now()));
        given().contentType(ContentType.JSON).body(body).post("/v1/beacons").then().statusCode(401)
                .body("detail", containsString("ingest key is required"));
        postBeacon("bwi_not-a-real-key", body).then().statusCode(401);

        var created = given().auth().oauth2(dev.bellwether.support.Fixtures.ADMIN).post("/v1/apps/" + app + "/ingest-keys")
                .then().statusCode(201).extract();
        String key = created.path("key");
        postBeacon(key, body).then().statusCode(202);
        given().auth().oauth2(dev.bellwether.support.Fixtures.ADMIN)
                .delete("/v1/apps/" + app + "/ingest-keys/" + created.<Integer>path("id")).then().statusCode(204);
        postBeacon(key, body).then().statusCode(401).body("detail", containsString("unknown or revoked"));
    }

    @Test
    void aKeyOfOneAppCannotWriteAnother() {
        String appA = createApp("app-a");
        String appB = createApp("app-b");
        String keyA = ingestKey(appA);
        Instant now = Instant.now();
        postBeacon(keyA, beacon(appB, "c-1", Map.of(), replays("x", 2, now)))
                .then().statusCode(403).body("field", equalTo("app")).body("detail", containsString(appA));
        assertThat(sli(appB, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES)).<Integer>path("total.events")).isZero();
    }

    @Test
    void eventsAreCountedExactlyOnceUnderConcurrentDuplicatePosts() throws Exception {
        String app = createApp("once", "\"beaconsPerSecond\": 10000");
        String key = ingestKey(app);
        Instant now = Instant.now();
        String body = beacon(app, "c-1", CANARY, replays("dup", 20, now));
        int posts = 24;
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Callable<int[]>> calls = new ArrayList<>();
            for (int i = 0; i < posts; i++) {
                calls.add(() -> {
                    var response = postBeacon(key, body).then().statusCode(202).extract();
                    return new int[] {response.path("accepted"), response.path("duplicates")};
                });
            }
            int accepted = 0;
            int duplicates = 0;
            for (Future<int[]> result : pool.invokeAll(calls)) {
                accepted += result.get()[0];
                duplicates += result.get()[1];
            }
            assertThat(accepted).isEqualTo(20);
            assertThat(duplicates).isEqualTo(20 * posts - 20);
        } finally {
            pool.shutdownNow();
        }
        // and within one beacon, and again much later in another beacon
        List<String> twice = new ArrayList<>(replays("dup", 2, now));
        twice.add(replay("fresh", now, "dead_lettered"));
        twice.add(replay("fresh", now, "dead_lettered"));
        postBeacon(key, beacon(app, "c-1", CANARY, twice)).then().statusCode(202)
                .body("accepted", equalTo(1)).body("duplicates", equalTo(3));

        var report = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES));
        assertThat(report.<Integer>path("total.replays.succeeded")).isEqualTo(20);
        assertThat(report.<Integer>path("total.replays.deadLettered")).isEqualTo(1);
    }

    @Test
    void sameEventIdFromAnotherClientIsAnotherEvent() {
        String app = createApp("clients");
        String key = ingestKey(app);
        Instant now = Instant.now();
        postBeacon(key, beacon(app, "c-1", Map.of(), replays("e", 1, now))).then().body("accepted", equalTo(1));
        postBeacon(key, beacon(app, "c-2", Map.of(), replays("e", 1, now))).then().body("accepted", equalTo(1));
    }

    @Test
    void aBatchArrivingHoursLateLandsInTheWindowItHappenedIn() {
        String app = createApp("late");
        String key = ingestKey(app);
        Instant now = Instant.now();
        Instant threeHoursAgo = now.minus(3, ChronoUnit.HOURS);
        postBeacon(key, beacon(app, "c-offline", CANARY,
                List.of(replay("late-1", threeHoursAgo, "dead_lettered"), replay("late-2", threeHoursAgo, "succeeded"))))
                .then().statusCode(202).body("accepted", equalTo(2));

        var then = sli(app, threeHoursAgo.minus(5, ChronoUnit.MINUTES), threeHoursAgo.plus(5, ChronoUnit.MINUTES));
        assertThat(then.<Integer>path("total.replays.deadLettered")).isEqualTo(1);
        assertThat(then.<Float>path("total.replays.deadLetterRatio")).isEqualTo(0.5f);
        var lastHour = given().auth().oauth2(dev.bellwether.support.Fixtures.ADMIN).queryParam("window", "1h")
                .get("/v1/apps/" + app + "/sli").then().statusCode(200).extract();
        assertThat(lastHour.<Integer>path("total.events")).isZero();
        var lastDay = given().auth().oauth2(dev.bellwether.support.Fixtures.ADMIN).queryParam("window", "1d")
                .get("/v1/apps/" + app + "/sli").then().statusCode(200).extract();
        assertThat(lastDay.<Integer>path("total.events")).isEqualTo(2);
    }

    @Test
    void slisSplitByFlagIntoCanaryAndControl() {
        String app = createApp("cohorts");
        String key = ingestKey(app);
        Instant now = Instant.now();
        postBeacon(key, beacon(app, "c-on", Map.of("new-sync-engine", true, "theme", "dark"),
                List.of(replay("a", now, "dead_lettered"), replay("b", now, "succeeded")))).then().statusCode(202);
        postBeacon(key, beacon(app, "c-on2", Map.of("new-sync-engine", "v2"),
                List.of(replay("a", now, "succeeded")))).then().statusCode(202);
        postBeacon(key, beacon(app, "c-off", Map.of("new-sync-engine", false),
                List.of(replay("a", now, "succeeded"), replay("b", now, "succeeded")))).then().statusCode(202);

        var byFlag = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES), "flag", "new-sync-engine");
        assertThat(byFlag.<List<String>>path("cohorts.cohort"))
                .containsExactlyInAnyOrder("new-sync-engine=true", "new-sync-engine=v2", "new-sync-engine=false");
        assertThat(byFlag.<String>path("cohorts.find { it.cohort == 'new-sync-engine=false' }.arm")).isEqualTo("control");
        assertThat(byFlag.<String>path("cohorts.find { it.cohort == 'new-sync-engine=v2' }.arm")).isEqualTo("canary");
        assertThat(byFlag.<Integer>path("cohorts.find { it.cohort == 'new-sync-engine=true' }.sli.replays.deadLettered")).isEqualTo(1);
        assertThat(byFlag.<Integer>path("total.replays.terminal")).isEqualTo(5);

        var exact = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES));
        assertThat(exact.<List<String>>path("cohorts.cohort")).contains("new-sync-engine=true,theme=dark");
        var release = sli(app, now.minus(5, ChronoUnit.MINUTES), now.plus(1, ChronoUnit.MINUTES), "release", "no-such-release");
        assertThat(release.<Integer>path("total.events")).isZero();
    }

    @Test
    void originsAreCheckedPerAppAndPreflightIsAnswered() {
        String app = createApp("cors", "\"allowedOrigins\": [\"https://notes.example\"]");
        String key = ingestKey(app);
        String body = beacon(app, "c-1", Map.of(), replays("o", 1, Instant.now()));

        given().queryParam("key", key).header("Origin", "https://notes.example").contentType("text/plain").body(body)
                .post("/v1/beacons").then().statusCode(202)
                .header("Access-Control-Allow-Origin", "https://notes.example");
        given().queryParam("key", key).header("Origin", "https://evil.example").contentType("text/plain").body(body)
                .post("/v1/beacons").then().statusCode(403).body("detail", containsString("https://evil.example"));

        given().queryParam("key", key).header("Origin", "https://notes.example")
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type")
                .options("/v1/beacons").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "https://notes.example")
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Headers", containsString("Content-Type"));
        given().header("Origin", "https://notes.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/beacons").then().statusCode(204);
        given().queryParam("key", key).header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/beacons").then().statusCode(403);
    }

    @Test
    void tooManyBeaconsPerKeyIsA429WithRetryAfter() {
        String app = createApp("rate", "\"beaconsPerSecond\": 1");
        String key = ingestKey(app);
        String body = beacon(app, "c-1", Map.of(), List.of());
        int limited = 0;
        String retryAfter = null;
        for (int i = 0; i < 5; i++) {
            var response = postBeacon(key, body);
            if (response.statusCode() == 429) {
                limited++;
                retryAfter = response.header("Retry-After");
            } else {
                assertThat(response.statusCode()).isEqualTo(202);
            }
        }
        assertThat(limited).isGreaterThanOrEqualTo(2);
        assertThat(Duration.ofSeconds(Long.parseLong(retryAfter))).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void aPageReadsARefusalAndItsRetryAfter() {
        // Without CORS headers on a refusal, a page's fetch sees a network error and cannot wait as asked.
        String app = createApp("cors-refused", "\"allowedOrigins\": [\"https://notes.example\"], \"beaconsPerSecond\": 1");
        String key = ingestKey(app);
        String body = beacon(app, "c-1", Map.of(), List.of());
        Response limited = null;
        for (int i = 0; i < 5 && limited == null; i++) {
            Response response = given().queryParam("key", key).header("Origin", "https://notes.example").contentType("text/plain")
                    .body(body).post("/v1/beacons").then().extract().response();
            if (response.statusCode() == 429) {
                limited = response;
            }
        }
        assertThat(limited).as("a 429 within the burst and one more").isNotNull();
        assertThat(limited.header("Access-Control-Allow-Origin")).isEqualTo("https://notes.example");
        assertThat(limited.header("Access-Control-Expose-Headers")).contains("Retry-After");
        assertThat(limited.header("Retry-After")).isNotBlank();
    }

    @Test
    void aBeaconCountsAgainstItsKeysRateByItsInflatedSize() throws IOException {
        // one beacon a second (burst 2): the first beacon below inflates to as many as the default unit holds about 120
        String app = createApp("heavy", "\"beaconsPerSecond\": 1");
        String key = ingestKey(app);
        Instant now = Instant.now();
        byte[] heavy = gzip(withUnknownField(beacon(app, "c-1", Map.of(), replays("h", 1, now)), 1_000_000));
        assertThat(heavy.length).isLessThan(4096);

        // unknown fields are still ignored: the beacon is stored, once
        postGzip(key, heavy).then().statusCode(202).body("accepted", equalTo(1));
        for (int i = 0; i < 3; i++) {
            postGzip(key, heavy).then().statusCode(429);
        }
        var small = postBeacon(key, beacon(app, "c-1", Map.of(), replays("s", 1, now)));
        assertThat(small.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(small.header("Retry-After"))).isGreaterThan(100);
        assertThat(small.jsonPath().getString("detail")).contains("rate limit");
    }

    @Test
    void aGzipBodyRefusedForItsInflatedSizeStillCountsAgainstTheRate() throws IOException {
        String app = createApp("heavy-bomb", "\"beaconsPerSecond\": 1");
        String key = ingestKey(app);
        postGzip(key, gzip(withUnknownField(beacon(app, "c-1", Map.of(), List.of()), 2_000_000))).then().statusCode(413);
        var small = postBeacon(key, beacon(app, "c-1", Map.of(), replays("s", 1, Instant.now())));
        assertThat(small.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(small.header("Retry-After"))).isGreaterThan(100);
    }

    /** The beacon with an unknown field of about {@code bytes} of small numbers, as a hostile sender would pad it. */
    private static String withUnknownField(String beacon, int bytes) {
        return beacon.replace("\"events\"", "\"x-padding\": [" + "0,".repeat(bytes / 2) + "0], \"events\"");
    }

    private static io.restassured.response.Response postGzip(String key, byte[] body) {
        return given().header("Authorization", "Bearer " + key).header("Content-Encoding", "gzip").contentType(ContentType.JSON)
                .body(body).post("/v1/beacons").then().extract().response();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}

package dev.bellwether.apps;

import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Lookups that find nothing are bounded per source address (issue 15, finding 9). */
@QuarkusTest
@TestProfile(UnknownKeyThrottleTest.FewUnknownKeys.class)
class UnknownKeyThrottleTest {

    public static class FewUnknownKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bellwether.ingest.unknown-keys-per-source.per-second", "1",
                    "bellwether.ingest.unknown-keys-per-source.burst", "3");
        }
    }

    @Test
    void aSourceTryingUnknownKeysOrOriginsIsThrottledWhileKeysItUsesKeepWorking() {
        String app = createApp("throttle");
        String key = ingestKey(app);
        postBeacon(key, body(app, "e1")).then().statusCode(202);
        String firstBogus = bogus();

        postBeacon(firstBogus, body(app, "e2")).then().statusCode(401);
        postBeacon(bogus(), body(app, "e2")).then().statusCode(401);
        postBeacon(bogus(), body(app, "e2")).then().statusCode(401);

        postBeacon(bogus(), body(app, "e2")).then().statusCode(429).header("Retry-After", notNullValue())
                .body("detail", containsString("unknown ingest keys"));
        given().header("Origin", "https://" + UUID.randomUUID() + ".example").options("/v1/beacons")
                .then().statusCode(429).header("Retry-After", notNullValue());
        // answers this replica remembers cost no lookup, so they are not throttled
        postBeacon(firstBogus, body(app, "e2")).then().statusCode(401);
        postBeacon(key, body(app, "e2")).then().statusCode(202).body("accepted", equalTo(1));
    }

    private static String bogus() {
        return "bw_ik_" + UUID.randomUUID();
    }

    private static String body(String app, String eventId) {
        return beacon(app, "c-1", Map.of(), List.of(replay(eventId, Instant.now(), "succeeded")));
    }
}

package dev.bellwether.apps;

import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Bogus ingest keys cost the database little (issue 15, finding 9). */
@QuarkusTest
class UnknownIngestKeysTest {

    @Inject
    MeterRegistry registry;

    @Test
    void theSameUnknownKeyIsLookedUpOnceWhileItIsRemembered() {
        String app = createApp("bogus");
        String bogus = "bw_ik_" + UUID.randomUUID();
        String body = beacon(app, "c-1", Map.of(), List.of(replay("e1", Instant.now(), "succeeded")));
        double before = lookups("unknown");

        for (int i = 0; i < 20; i++) {
            postBeacon(bogus, body).then().statusCode(401);
        }

        assertThat(lookups("unknown") - before).isEqualTo(1);
    }

    @Test
    void aKeyWorksAsSoonAsItIsCreatedAndNotOnceRevoked() {
        String app = createApp("fresh-key");
        String key = ingestKey(app);
        postBeacon(key, beacon(app, "c-1", Map.of(), List.of(replay("e1", Instant.now(), "succeeded"))))
                .then().statusCode(202).body("accepted", equalTo(1));
    }

    private double lookups(String result) {
        var counter = registry.find("bellwether.ingest.key.lookups").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}

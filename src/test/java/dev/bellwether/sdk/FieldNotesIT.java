package dev.bellwether.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example PWA in a real Chromium ({@link FieldNotesTour}): an offline edit replays when the network is back, and
 * the SDK's beacons reach the packaged service, which counts every replay the app recorded once, the conflict, the
 * IndexedDB migration, and the cohort with {@code new-sync-engine} as the real Unleash evaluated it.
 */
class FieldNotesIT {

    @Test
    void offlineEditsReplayAndTheirTelemetryReachesTheService() throws Exception {
        try (FieldNotesTour tour = new FieldNotesTour(line -> System.out.println("FieldNotesIT: " + line))) {
            tour.start();
            List<Map<String, Object>> recorded = tour.run();

            assertThat(outcomes(recorded, "succeeded")).as("the first note, the new note and the merge: " + recorded)
                    .isEqualTo(3);
            assertThat(outcomes(recorded, "conflicted")).isEqualTo(1);
            assertThat(outcomes(recorded, "dead_lettered")).as("the title the server refuses").isEqualTo(1);
            assertThat(outcomes(recorded, "retried")).as("replays while the server was down").isGreaterThanOrEqualTo(1);

            JsonNode total = tour.awaitSli(recorded).path("total");
            JsonNode replays = total.path("replays");
            assertThat(replays.path("succeeded").asLong()).isEqualTo(outcomes(recorded, "succeeded"));
            assertThat(replays.path("conflicted").asLong()).isEqualTo(1);
            assertThat(replays.path("deadLettered").asLong()).isEqualTo(1);
            assertThat(replays.path("retried").asLong()).as("each retry counted once").isEqualTo(outcomes(recorded, "retried"));
            assertThat(total.path("conflicts").path("resolutions").path("auto_merged").asLong())
                    .as("only the other device changed the text, only this one the title").isEqualTo(1);
            JsonNode migration = total.path("migrations").path("byVersion").get(0);
            assertThat(migration.path("fromVersion").asInt()).isEqualTo(1);
            assertThat(migration.path("toVersion").asInt()).isEqualTo(2);
            assertThat(migration.path("succeeded").asLong()).isEqualTo(1);
            assertThat(total.path("syncs").path("count").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(total.path("outbox").path("reports").asLong())
                    .isEqualTo(recorded.stream().filter(event -> "outbox".equals(event.get("type"))).count());

            JsonNode byFlag = tour.sli(FieldNotesTour.FLAG);
            assertThat(byFlag.path("cohorts")).as("one browser, one cohort: " + byFlag).hasSize(1);
            JsonNode cohort = byFlag.path("cohorts").get(0);
            assertThat(cohort.path("arm").asText()).as("Unleash has the flag on for everyone").isEqualTo("canary");
            assertThat(cohort.path("flags").path(FieldNotesTour.FLAG).asBoolean()).isTrue();
            assertThat(cohort.path("sli").path("events").asLong()).isEqualTo(total.path("events").asLong());
        }
    }

    private static long outcomes(List<Map<String, Object>> recorded, String outcome) {
        return recorded.stream().filter(event -> "replay".equals(event.get("type")) && outcome.equals(event.get("outcome")))
                .count();
    }
}

package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.RolloutAudit;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Two replicas steer one rollout through a real Unleash: every decision is made, and sent to Unleash, once. */
class RolloutReplicasIT {

    private static final String ADMIN = "replicas-admin";

    @Test
    void twoReplicasActOnceOnEachDecision() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(postgres)) {
            unleash.start();
            String flag = "replicated-" + UUID.randomUUID().toString().substring(0, 8);
            unleash.createFlag(flag);
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.putAll(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "BELLWETHER_ROLLOUT_INTERVAL", "1s",
                    "BELLWETHER_UNLEASH_URL", unleash.apiUrl(), "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                    "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken()));
            try (ServiceProcess first = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "rollout-a"), environment);
                    ServiceProcess second = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "rollout-b"), environment)) {
                first.start();
                second.start();
                String base = first.baseUrl();
                send(base, "POST", "/v1/apps", "{\"name\": \"replicated\", \"beaconsPerSecond\": 100000}");
                String key = send(base, "POST", "/v1/apps/replicated/ingest-keys", "").get("key").asText();
                long id = send(base, "POST", "/v1/rollouts", "{\"app\": \"replicated\", \"flag\": \"" + flag + "\", "
                        + "\"steps\": [5, 25, 100], \"bake\": \"0s\", \"minSamplePerCohort\": 50, "
                        + "\"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}").get("id").asLong();
                send(second.baseUrl(), "POST", "/v1/rollouts/" + id + "/start", "{\"reason\": \"replica test\"}");

                Instant deadline = Instant.now().plusSeconds(90);
                String state = "RUNNING";
                int batch = 0;
                while (!state.equals("PROMOTED") && Instant.now().isBefore(deadline)) {
                    traffic(base, key, flag, batch++);
                    Thread.sleep(300);
                    state = send(second.baseUrl(), "GET", "/v1/rollouts/" + id, null).get("state").asText();
                }
                assertThat(state).isEqualTo("PROMOTED");

                JsonNode decisions = send(base, "GET", "/v1/rollouts/" + id + "/decisions", null);
                assertThat(RolloutAudit.triggersOncePerPosition(decisions)).containsExactly("start", "advance", "advance", "advance");
                // 5 % (add), 25 % and 100 % (updates); promotion finds 100 % already there and writes nothing
                assertThat(unleash.strategyWrites(flag)).as("strategy writes in Unleash's event log").isEqualTo(3);
            }
        }
    }

    private void traffic(String base, String key, String flag, int batch) throws Exception {
        for (boolean on : new boolean[] {true, false}) {
            List<String> events = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < 60; i++) {
                events.add(Fixtures.replay("b" + batch + "-" + i, now, "succeeded"));
            }
            send(base, "POST", "/v1/beacons?key=" + key,
                    Fixtures.beacon("replicated", (on ? "canary-" : "control-") + batch, Map.of(flag, on), events));
        }
    }

    /** Beacons carry their ingest key in the query; everything else the admin token. */
    private static JsonNode send(String base, String method, String path, String body) throws Exception {
        return ServiceProcess.call(base, method, path, path.startsWith("/v1/beacons") ? null : ADMIN, body);
    }
}

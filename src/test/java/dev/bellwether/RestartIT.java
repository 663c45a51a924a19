package dev.bellwether;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Acknowledged events survive a graceful restart and a crash of the packaged service with its embedded PostgreSQL. */
class RestartIT {

    private static final String ADMIN = "restart-admin";

    @Test
    void acknowledgedEventsSurviveARestartAndACrash() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "restart-data");
        try (ServiceProcess service = new ServiceProcess(data, Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN))) {
            service.start();
            String base = service.baseUrl();
            ServiceProcess.call(base, "POST", "/v1/apps", ADMIN, "{\"name\": \"restart-notes\", \"beaconsPerSecond\": 100000}");
            String key = ServiceProcess.call(base, "POST", "/v1/apps/restart-notes/ingest-keys", ADMIN, "").get("key").asText();
            Instant now = Instant.now();

            List<String> firstWave = beacons("before-restart", 40, now);
            assertThat(postAll(base, key, firstWave)).as("accepted before the restart").isEqualTo(40 * 20);

            service.stop();
            service.start();
            assertThat(eventCount(service.baseUrl(), now)).isEqualTo(40 * 20);
            assertThat(postAll(service.baseUrl(), key, firstWave)).as("re-sent after the restart: duplicates").isZero();

            List<String> secondWave = beacons("before-crash", 40, now);
            int acked = postAll(service.baseUrl(), key, secondWave);
            service.kill();
            service.start();
            assertThat(eventCount(service.baseUrl(), now)).isEqualTo(40 * 20 + acked);
            assertThat(postAll(service.baseUrl(), key, secondWave)).isEqualTo(40 * 20 - acked);
        }
    }

    private static List<String> beacons(String client, int count, Instant at) {
        List<String> beacons = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            beacons.add(Fixtures.beacon("restart-notes", client + "-" + i, Map.of("new-sync-engine", i % 2 == 0),
                    Fixtures.replays("e", 20, at)));
        }
        return beacons;
    }

    /** Posts concurrently, as a fleet does; returns the events accepted. */
    private int postAll(String base, String key, List<String> beacons) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (String beacon : beacons) {
                answers.add(pool.submit(() -> ServiceProcess.call(base, "POST", "/v1/beacons?key=" + key, null, beacon)));
            }
            int accepted = 0;
            for (Future<JsonNode> answer : answers) {
                accepted += answer.get().get("accepted").asInt();
            }
            return accepted;
        } finally {
            pool.shutdownNow();
        }
    }

    private int eventCount(String base, Instant around) throws Exception {
        String query = "?from=" + around.minus(10, ChronoUnit.MINUTES) + "&to=" + around.plus(10, ChronoUnit.MINUTES);
        return ServiceProcess.call(base, "GET", "/v1/apps/restart-notes/sli" + query, ADMIN, null).path("total").path("events").asInt();
    }

}

package dev.bellwether.slo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two replicas of the packaged service on one PostgreSQL: every evaluation tick is evaluated by exactly one of them. */
class EvaluationReplicasIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void exactlyOneReplicaEvaluatesEachTick() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres()) {
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.put("BELLWETHER_EVALUATION_INTERVAL", "1s");
            environment.put("BELLWETHER_ADMIN_TOKEN", "replicas-admin");
            try (ServiceProcess first = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "replica-a"), environment);
                    ServiceProcess second = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "replica-b"), environment)) {
                first.start();
                second.start();
                Thread.sleep(12_000);

                double evaluatedBefore = evaluated(first) + evaluated(second);
                List<Long> ticks = new ArrayList<>();
                Map<String, Integer> byInstance = new HashMap<>();
                try (Connection connection = postgres.connect();
                        ResultSet rows = connection.createStatement().executeQuery(
                                "SELECT tick, instance FROM evaluation_tick WHERE finished_at IS NOT NULL ORDER BY tick")) {
                    while (rows.next()) {
                        ticks.add(rows.getLong(1));
                        byInstance.merge(rows.getString(2), 1, Integer::sum);
                    }
                }
                double evaluatedAfter = evaluated(first) + evaluated(second);

                assertThat(ticks).hasSizeGreaterThanOrEqualTo(8).doesNotHaveDuplicates();
                // the replicas' own counts of ticks they evaluated add up to the ticks recorded: none evaluated twice
                assertThat((double) ticks.size()).isBetween(evaluatedBefore, evaluatedAfter);
                assertThat(skipped(first) + skipped(second)).as("the replicas competed for ticks").isPositive();
                assertThat(byInstance.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(ticks.size());
            }
        }
    }

    private double evaluated(ServiceProcess service) throws Exception {
        return counter(service, "bellwether_slo_evaluation_ticks_total{result=\"evaluated\"}");
    }

    private double skipped(ServiceProcess service) throws Exception {
        return counter(service, "bellwether_slo_evaluation_ticks_total{result=\"skipped\"}");
    }

    private double counter(ServiceProcess service, String series) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " not exported by " + service.managementUrl());
    }
}

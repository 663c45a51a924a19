package dev.bellwether.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every alert links to a runbook that exists, and every runbook belongs to an alert or is a playbook. */
class AlertRunbooksTest {

    private static final String RUNBOOK_BASE = "https://github.com/bellwether/bellwether/blob/main/runbooks/";
    /** Runbooks that no single alert points to: how to run rollouts and incidents as a whole. */
    private static final Set<String> PLAYBOOKS = Set.of("README.md", "incident-response.md", "canary-rollout-plan.md", "failure-mode-matrix.md",
            "rollback-procedure.md");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record Alert(String file, String name, JsonNode labels, JsonNode annotations) {
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndAnExistingRunbook() throws IOException {
        List<Alert> alerts = alerts();
        assertThat(alerts).isNotEmpty();
        for (Alert alert : alerts) {
            String where = alert.file() + ": " + alert.name();
            assertThat(alert.labels().path("severity").asText()).as(where + " severity").isIn("page", "ticket", "notify");
            assertThat(alert.annotations().path("summary").asText()).as(where + " summary").isNotBlank();
            assertThat(alert.annotations().path("description").asText()).as(where + " description").isNotBlank();
            String url = alert.annotations().path("runbook_url").asText();
            assertThat(url).as(where + " runbook_url").startsWith(RUNBOOK_BASE);
            assertThat(Path.of("runbooks", url.substring(RUNBOOK_BASE.length()))).as(where + " runbook file").isRegularFile();
        }
    }

    @Test
    void everyRunbookBelongsToAnAlertOrIsAPlaybook() throws IOException {
        Set<String> linked = new TreeSet<>();
        for (Alert alert : alerts()) {
            linked.add(alert.annotations().path("runbook_url").asText().substring(RUNBOOK_BASE.length()));
        }
        try (Stream<Path> runbooks = Files.list(Path.of("runbooks"))) {
            List<String> orphans = runbooks.map(p -> p.getFileName().toString())
                    .filter(name -> !linked.contains(name) && !PLAYBOOKS.contains(name)).sorted().toList();
            assertThat(orphans).as("runbooks no alert links to").isEmpty();
        }
    }

    private static List<Alert> alerts() throws IOException {
        List<Alert> alerts = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("alerts"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        if (rule.has("alert")) {
                            alerts.add(new Alert(file.getFileName().toString(), rule.get("alert").asText(),
                                    rule.path("labels"), rule.path("annotations")));
                        }
                    }
                }
            }
        }
        return alerts;
    }
}

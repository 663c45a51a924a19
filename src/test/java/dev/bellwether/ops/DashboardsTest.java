package dev.bellwether.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dashboards import anywhere: the data source is a variable, every query goes through it. */
class DashboardsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyDashboardTakesItsDataSourceFromAVariableAndEveryPanelUsesIt() throws IOException {
        List<Path> dashboards;
        try (Stream<Path> files = Files.list(Path.of("dashboards"))) {
            dashboards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(dashboards).hasSizeGreaterThanOrEqualTo(3);
        for (Path file : dashboards) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            assertThat(dashboard.path("uid").asText()).as(file + " uid").isNotBlank();
            assertThat(dashboard.has("id") && !dashboard.get("id").isNull()).as(file + " must not carry an instance id").isFalse();
            List<String> variables = new ArrayList<>();
            dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText() + ":" + v.path("type").asText()));
            assertThat(variables).as(file + " variables").contains("datasource:datasource");
            List<JsonNode> panels = new ArrayList<>();
            dashboard.path("panels").forEach(panel -> {
                panels.add(panel);
                panel.path("panels").forEach(panels::add);
            });
            assertThat(panels).as(file + " panels").isNotEmpty();
            for (JsonNode panel : panels) {
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                String where = file + " panel '" + panel.path("title").asText() + "'";
                assertThat(panel.path("datasource").path("uid").asText()).as(where).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(where + " targets").isNotEmpty();
                panel.path("targets").forEach(target ->
                        assertThat(target.path("expr").asText()).as(where + " expr").isNotBlank());
            }
        }
    }
}

package dev.bellwether.slo.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bellwether.slo.BurnWindow;
import dev.bellwether.slo.InvalidSloException;
import dev.bellwether.slo.Sli;
import dev.bellwether.slo.SloCatalogFile;
import dev.bellwether.slo.SloSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The Prometheus rules generated from the SLO catalog. Plain JUnit: no Quarkus. */
class PrometheusRulesTest {

    private static final Duration D30 = Duration.ofDays(30);
    private static final String FINAL = "bellwether_replays_total{app=\"field-notes\",outcome=~\"succeeded|dead_lettered|conflicted\"}";

    private static SloCatalogFile.Entry entry(String app, String name, Sli sli, double objective, Duration period,
            Double threshold, Long minEvents) {
        return new SloCatalogFile.Entry(app, new SloSpec(name, sli, objective, period, threshold, minEvents).validated());
    }

    private static SloCatalogFile.Entry entry(Sli sli, Double threshold, Long minEvents) {
        return entry("field-notes", "the-slo", sli, 0.995, D30, threshold, minEvents);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> groups(String yaml) throws IOException {
        Map<String, Object> file = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
        return (List<Map<String, Object>>) file.get("groups");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(Map<String, Object> group) {
        return (List<Map<String, Object>>) group.get("rules");
    }

    // ---------------------------------------------------------------- the checked-in file

    @Test
    void checkedInRuleFileIsWhatTheCatalogGenerates() throws IOException {
        List<SloCatalogFile.Entry> entries;
        try (InputStream in = Files.newInputStream(Path.of(PrometheusRules.DEFAULT_CATALOG))) {
            entries = SloCatalogFile.parse(in);
        }
        String generated = PrometheusRules.generate(entries, PrometheusRules.DEFAULT_CATALOG);
        Path checkedIn = Path.of(PrometheusRules.DEFAULT_OUTPUT);
        String stale = PrometheusRules.DEFAULT_OUTPUT + " is not what " + PrometheusRules.DEFAULT_CATALOG
                + " generates: regenerate it with `" + PrometheusRules.REGENERATE_COMMAND + "` and commit it";

        assertThat(checkedIn).as(stale).exists();
        byte[] bytes = Files.readAllBytes(checkedIn);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).as(stale).isEqualTo(generated);
        assertThat(bytes).as(stale).isEqualTo(generated.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void headerSaysTheFileIsGeneratedFromWhichCatalogAndByWhichCommand() {
        String yaml = PrometheusRules.generate(List.of(entry(Sli.DEAD_LETTER_RATIO, null, null)), "catalogs/other.yaml");

        assertThat(yaml).startsWith("# GENERATED FILE: DO NOT EDIT BY HAND.\n")
                .contains("catalogs/other.yaml")
                .contains("#   ./mvnw -q compile exec:java@slo-rules\n");
    }

    // ---------------------------------------------------------------- error ratios per SLI

    static Stream<Arguments> errorRatios() {
        return Stream.of(
                Arguments.of(Sli.REPLAY_SUCCESS_RATIO, null,
                        "(sum(rate(bellwether_replays_total{app=\"field-notes\",outcome=~\"dead_lettered|conflicted\"}[5m]))"
                                + " or vector(0)) / sum(rate(" + FINAL + "[5m]))"),
                Arguments.of(Sli.DEAD_LETTER_RATIO, null,
                        "(sum(rate(bellwether_replays_total{app=\"field-notes\",outcome=\"dead_lettered\"}[5m]))"
                                + " or vector(0)) / sum(rate(" + FINAL + "[5m]))"),
                Arguments.of(Sli.REPLAY_REPEAT_FAILURE_RATIO, null,
                        "clamp_max((sum(rate(bellwether_replay_repeat_failures_total{app=\"field-notes\"}[5m])) or vector(0))"
                                + " / sum(rate(bellwether_replay_first_attempts_total{app=\"field-notes\"}[5m])), 1)"),
                Arguments.of(Sli.CONFLICT_RATIO, null,
                        "clamp_max((sum(rate(bellwether_conflicts_total{app=\"field-notes\"}[5m])) or vector(0))"
                                + " / sum(rate(" + FINAL + "[5m])), 1)"),
                Arguments.of(Sli.MIGRATION_FAILURE_RATIO, null,
                        "(sum(rate(bellwether_migrations_total{app=\"field-notes\",outcome=~\"failed|rolled_back\"}[5m]))"
                                + " or vector(0)) / sum(rate(bellwether_migrations_total{app=\"field-notes\","
                                + "outcome=~\"succeeded|failed|rolled_back\"}[5m]))"),
                Arguments.of(Sli.SYNC_LATENCY, 5000.0,
                        "1 - sum(rate(bellwether_sync_latency_seconds_bucket{app=\"field-notes\",le=\"5.0\"}[5m]))"
                                + " / sum(rate(bellwether_sync_latency_seconds_count{app=\"field-notes\"}[5m]))"),
                Arguments.of(Sli.STALENESS, 900000.0,
                        "1 - sum(rate(bellwether_staleness_seconds_bucket{app=\"field-notes\",le=\"900.0\"}[5m]))"
                                + " / sum(rate(bellwether_staleness_seconds_count{app=\"field-notes\"}[5m]))"),
                Arguments.of(Sli.OUTBOX_DEPTH, 50.0,
                        "1 - sum(rate(bellwether_outbox_depth_bucket{app=\"field-notes\",le=\"50.0\"}[5m]))"
                                + " / sum(rate(bellwether_outbox_depth_count{app=\"field-notes\"}[5m]))"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errorRatios")
    void eachSliIsItsBadEventsOverItsValidEventsSummedOverTheApp(Sli sli, Double threshold, String expected) {
        assertThat(PrometheusRules.errorRatio(entry(sli, threshold, null), BurnWindow.M5)).isEqualTo(expected);
    }

    @Test
    void everyBurnWindowIsRecordedWithAppAndSloLabelsAlongWithObjectiveAndBudget() throws IOException {
        String yaml = PrometheusRules.generate(List.of(entry("field-notes", "dead-letters", Sli.DEAD_LETTER_RATIO,
                0.999, D30, null, null)));
        List<Map<String, Object>> rules = rules(groups(yaml).get(0));

        assertThat(rules).filteredOn(rule -> rule.containsKey("record")).extracting(rule -> rule.get("record"))
                .containsExactly("slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate30m", "slo:sli_error:ratio_rate1h",
                        "slo:sli_error:ratio_rate2h", "slo:sli_error:ratio_rate6h", "slo:sli_error:ratio_rate1d",
                        "slo:sli_error:ratio_rate3d", "slo:objective:ratio", "slo:error_budget:ratio");
        assertThat(rules).filteredOn(rule -> rule.containsKey("record")).extracting(rule -> rule.get("labels"))
                .containsOnly(Map.of("app", "field-notes", "slo", "dead-letters"));
        assertThat(rules).filteredOn(rule -> "slo:sli_error:ratio_rate3d".equals(rule.get("record")))
                .extracting(rule -> rule.get("expr")).singleElement().asString().contains("[3d]").doesNotContain("[5m]");
        assertThat(rules).filteredOn(rule -> "slo:objective:ratio".equals(rule.get("record")))
                .extracting(rule -> rule.get("expr")).containsExactly("vector(0.999)");
        assertThat(rules).filteredOn(rule -> "slo:error_budget:ratio".equals(rule.get("record")))
                .extracting(rule -> rule.get("expr")).containsExactly("vector(0.001)");
    }

    static Stream<Arguments> journeyErrorRatios() {
        String finalReplays = "bellwether_journey_replays_total{app=\"field-notes\",journey=\"checkout\","
                + "outcome=~\"succeeded|dead_lettered|conflicted\"}";
        return Stream.of(
                Arguments.of(Sli.REPLAY_SUCCESS_RATIO,
                        "(sum(rate(bellwether_journey_replays_total{app=\"field-notes\",journey=\"checkout\","
                                + "outcome=~\"dead_lettered|conflicted\"}[5m])) or vector(0)) / sum(rate(" + finalReplays + "[5m]))"),
                Arguments.of(Sli.DEAD_LETTER_RATIO,
                        "(sum(rate(bellwether_journey_replays_total{app=\"field-notes\",journey=\"checkout\","
                                + "outcome=\"dead_lettered\"}[5m])) or vector(0)) / sum(rate(" + finalReplays + "[5m]))"),
                Arguments.of(Sli.REPLAY_REPEAT_FAILURE_RATIO,
                        "clamp_max((sum(rate(bellwether_journey_replay_repeat_failures_total{app=\"field-notes\","
                                + "journey=\"checkout\"}[5m])) or vector(0)) / sum(rate("
                                + "bellwether_journey_replay_first_attempts_total{app=\"field-notes\",journey=\"checkout\"}[5m])), 1)"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("journeyErrorRatios")
    void aJourneySloCountsThatJourneysReplaySeriesAlone(Sli sli, String expected) {
        SloCatalogFile.Entry entry = new SloCatalogFile.Entry("field-notes",
                new SloSpec("checkout", sli, 0.999, D30, null, null, "checkout", null).validated());
        assertThat(PrometheusRules.errorRatio(entry, BurnWindow.M5)).isEqualTo(expected);
    }

    @Test
    void aJourneySlosRecordsCarryItsJourneyLabel() throws IOException {
        SloCatalogFile.Entry entry = new SloCatalogFile.Entry("field-notes",
                new SloSpec("checkout-replays", Sli.REPLAY_SUCCESS_RATIO, 0.999, D30, null, null, "checkout", null).validated());
        List<Map<String, Object>> rules = rules(groups(PrometheusRules.generate(List.of(entry))).get(0));

        assertThat(rules).extracting(rule -> rule.get("labels"))
                .containsOnly(Map.of("app", "field-notes", "slo", "checkout-replays", "journey", "checkout"));
    }

    // ---------------------------------------------------------------- thresholds and bucket bounds

    @ParameterizedTest(name = "[{index}] {0} {1} -> le=\"{2}\"")
    @CsvSource({
            "SYNC_LATENCY, 50,      0.05",
            "SYNC_LATENCY, 1000,    1.0",
            "SYNC_LATENCY, 300000,  300.0",
            "STALENESS,    1000,    1.0",
            "STALENESS,    86400000, 86400.0",
            "OUTBOX_DEPTH, 1,       1.0",
            "OUTBOX_DEPTH, 1000,    1000.0"})
    void thresholdOnABucketBoundCountsThatBucketWithTheLeMicrometerWrites(Sli sli, double threshold, String le) {
        assertThat(PrometheusRules.errorRatio(entry(sli, threshold, null), BurnWindow.H1))
                .contains(",le=\"" + le + "\"}[1h]");
    }

    @Test
    void latencyThresholdThatIsNotABucketBoundFailsNamingAppSloThresholdAndBounds() {
        SloCatalogFile.Entry entry = entry("field-notes", "sync-latency", Sli.SYNC_LATENCY, 0.95, D30, 4000.0, null);

        assertThatThrownBy(() -> PrometheusRules.generate(List.of(entry)))
                .isInstanceOf(InvalidSloException.class)
                .hasMessageContaining("apps.field-notes.slos.sync-latency.thresholdMs")
                .hasMessageContaining("app field-notes, SLO sync-latency")
                .hasMessageContaining("is 4000 ms")
                .hasMessageContaining("bellwether_sync_latency_seconds")
                .hasMessageContaining("use one of 50, 100, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000, 300000 ms");
    }

    @Test
    void depthThresholdThatIsNotABucketBoundFailsListingTheDepthBounds() {
        SloCatalogFile.Entry entry = entry("field-notes", "outbox", Sli.OUTBOX_DEPTH, 0.99, D30, 42.0, null);

        assertThatThrownBy(() -> PrometheusRules.generate(List.of(entry)))
                .isInstanceOf(InvalidSloException.class)
                .hasMessageContaining("apps.field-notes.slos.outbox.threshold ")
                .hasMessageContaining("is 42 mutations")
                .hasMessageContaining("use one of 1, 5, 10, 25, 50, 100, 250, 500, 1000 mutations");
    }

    @Test
    void oneBadThresholdFailsTheWholeFile() {
        List<SloCatalogFile.Entry> entries = List.of(entry(Sli.DEAD_LETTER_RATIO, null, null),
                entry("field-notes", "staleness", Sli.STALENESS, 0.95, D30, 600_000.0, null));

        assertThatThrownBy(() -> PrometheusRules.generate(entries))
                .hasMessageContaining("is 600000 ms")
                .hasMessageContaining("1000, 10000, 30000, 60000, 300000, 900000, 1800000, 3600000, 21600000, 86400000 ms");
    }

    // ---------------------------------------------------------------- no alerts

    @Test
    void theGeneratedRulesRecordButNeverAlert() throws IOException {
        // every SLO alerts from the evaluator's state (alerts/bellwether-slo.rules.yml); alerts here would page twice
        for (Map<String, Object> group : groups(PrometheusRules.generate(mixedEntries()))) {
            assertThat(rules(group)).as(group.get("name").toString()).isNotEmpty()
                    .allSatisfy(rule -> assertThat(rule).containsKey("record").doesNotContainKey("alert"));
        }
    }

    @Test
    void budgetIsWrittenExactlyNotAsItsFloatingPointApproximation() {
        // 1 - 0.99 is 0.010000000000000009 in double arithmetic
        String yaml = PrometheusRules.generate(List.of(entry("field-notes", "conflicts", Sli.CONFLICT_RATIO, 0.99, D30, null, null)));

        assertThat(yaml).contains("vector(0.01)").doesNotContain("0.0100000");
    }

    // ---------------------------------------------------------------- determinism and YAML

    private static List<SloCatalogFile.Entry> mixedEntries() {
        return List.of(
                entry("zeta", "b", Sli.DEAD_LETTER_RATIO, 0.99, D30, null, null),
                entry("alpha", "sync", Sli.SYNC_LATENCY, 0.95, Duration.ofDays(7), 2000.0, 50L),
                entry("zeta", "a", Sli.OUTBOX_DEPTH, 0.9, D30, 25.0, null),
                entry("alpha", "migrations", Sli.MIGRATION_FAILURE_RATIO, 0.999, D30, null, 20L),
                entry("mid", "stale", Sli.STALENESS, 0.95, D30, 60_000.0, null));
    }

    @Test
    void sameEntriesGiveTheSameTextEveryTimeAndInAnyOrder() {
        List<SloCatalogFile.Entry> entries = mixedEntries();
        String first = PrometheusRules.generate(entries);

        assertThat(PrometheusRules.generate(entries)).isEqualTo(first);
        for (long seed = 1; seed <= 5; seed++) {
            List<SloCatalogFile.Entry> shuffled = new ArrayList<>(entries);
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(PrometheusRules.generate(shuffled)).as("order %s", shuffled).isEqualTo(first);
        }
        List<SloCatalogFile.Entry> reversed = new ArrayList<>(entries);
        Collections.reverse(reversed);
        assertThat(PrometheusRules.generate(reversed)).isEqualTo(first);
    }

    @Test
    void groupsAreSortedByAppThenSloName() throws IOException {
        assertThat(groups(PrometheusRules.generate(mixedEntries()))).extracting(group -> group.get("name")).containsExactly(
                "bellwether-slo-alpha-migrations", "bellwether-slo-alpha-sync", "bellwether-slo-mid-stale",
                "bellwether-slo-zeta-a", "bellwether-slo-zeta-b");
    }

    @Test
    void namesYamlWouldReadAsBooleansOrNumbersStayStrings() throws IOException {
        String yaml = PrometheusRules.generate(List.of(entry("on", "1.5", Sli.DEAD_LETTER_RATIO, 0.99, D30, null, null)));
        List<Map<String, Object>> groups = groups(yaml);

        assertThat(groups).extracting(group -> group.get("name")).containsExactly("bellwether-slo-on-1.5");
        assertThat(rules(groups.get(0))).extracting(rule -> rule.get("labels"))
                .allSatisfy(labels -> assertThat(labels).isInstanceOf(Map.class))
                .allSatisfy(labels -> assertThat(((Map<?, ?>) labels).get("app")).isEqualTo("on"))
                .allSatisfy(labels -> assertThat(((Map<?, ?>) labels).get("slo")).isEqualTo("1.5"));
    }

    @Test
    void twoSlosThatWouldShareARuleGroupNameAreRejected() {
        List<SloCatalogFile.Entry> entries = List.of(
                entry("field-notes", "replays", Sli.DEAD_LETTER_RATIO, 0.99, D30, null, null),
                entry("field", "notes-replays", Sli.DEAD_LETTER_RATIO, 0.99, D30, null, null));

        assertThatThrownBy(() -> PrometheusRules.generate(entries))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bellwether-slo-field-notes-replays")
                .hasMessageContaining("app field SLO notes-replays")
                .hasMessageContaining("app field-notes SLO replays");
    }

    @Test
    void anEmptyCatalogIsAnEmptyRuleFile() throws IOException {
        assertThat(groups(PrometheusRules.generate(List.of()))).isEmpty();
    }
}

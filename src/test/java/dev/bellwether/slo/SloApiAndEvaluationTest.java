package dev.bellwether.slo;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class SloApiAndEvaluationTest {

    private static final String DEAD_LETTER_SLO = "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99, \"minEvents\": 20}";

    @Inject
    SloEvaluator evaluator;

    @Inject
    SloMetrics metrics;

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    @Test
    void theExampleCatalogIsLoadedAtStart() {
        JsonPath slos = given().auth().oauth2(ADMIN).get("/v1/apps/field-notes/slos").then().statusCode(200).extract().jsonPath();
        assertThat(slos.getList("name", String.class))
                .contains("replay-success", "sync-latency", "staleness", "conflicts", "migrations");
        assertThat(slos.getString("find { it.name == 'sync-latency' }.source")).isEqualTo("catalog");
        assertThat(slos.getFloat("find { it.name == 'sync-latency' }.thresholdMs")).isEqualTo(5000f);
        assertThat(slos.getString("find { it.name == 'replay-success' }.period")).isEqualTo("30d");
    }

    @Test
    void sloLifecycleThroughTheApi() {
        String app = createApp("slo-api");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"sync_latency\", \"thresholdMs\": 5000, \"objective\": 0.95}")
                .put("/v1/apps/" + app + "/slos/sync-fast").then().statusCode(201)
                .body("sli", equalTo("sync_latency")).body("period", equalTo("30d")).body("source", equalTo("api"));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"sync_latency\", \"thresholdMs\": 2000, \"objective\": 0.9, \"period\": \"7d\"}")
                .put("/v1/apps/" + app + "/slos/sync-fast").then().statusCode(200).body("thresholdMs", equalTo(2000f))
                .body("period", equalTo("7d"));
        String viewer = token("viewer");
        given().auth().oauth2(viewer).get("/v1/apps/" + app + "/slos/sync-fast").then().statusCode(200);
        given().auth().oauth2(viewer).contentType(ContentType.JSON).body(DEAD_LETTER_SLO)
                .put("/v1/apps/" + app + "/slos/other").then().statusCode(403);
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/slos/sync-fast").then().statusCode(204);
        given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos/sync-fast").then().statusCode(404);
    }

    @ParameterizedTest(name = "{0} is a 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"sli\": \"replay_success_ratio\", \"objective\": 1.0}|objective|no error budget",
        "{\"sli\": \"replay_success_ratio\", \"objective\": 0}|objective|between 0 and 1",
        "{\"sli\": \"happiness\", \"objective\": 0.9}|sli|dead_letter_ratio",
        "{\"sli\": \"sync_latency\", \"objective\": 0.9}|thresholdMs|required",
        "{\"sli\": \"outbox_depth\", \"objective\": 0.9, \"thresholdMs\": 50}|thresholdMs|threshold",
        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.9, \"thresholdMs\": 50}|threshold|takes no threshold",
        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.9, \"period\": \"forever\"}|period|not a duration",
        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.9, \"period\": \"365d\"}|period|90d",
        "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.9, \"treshold\": 5}|treshold|not a field",
        "{\"sli\": \"dead_letter_ratio\", \"objective\": \"high\"}|objective|wrong type",
        "{\"objective\": 0.9}|sli|required"})
    void impossibleSlosAreA400SayingWhy(String body, String field, String why) {
        String app = createApp("slo-bad");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).put("/v1/apps/" + app + "/slos/x")
                .then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo(field)).body("detail", containsString(why));
    }

    @Test
    void aHealthyAppStaysOk() throws Exception {
        String app = appWithSlo("healthy", DEAD_LETTER_SLO);
        post(app, Instant.now(), 200, 0);

        JsonPath slo = evaluate(app);
        assertThat(slo.getString("state")).isEqualTo("OK");
        assertThat(slo.getFloat("errorBudgetRemaining")).isEqualTo(1.0f);
        assertThat(slo.getFloat("burnRates.'5m'")).isZero();
        assertThat(slo.getInt("events.valid")).isEqualTo(200);
    }

    @Test
    void aDeadLetterBurstPagesAndTheTransitionIsRecorded() throws Exception {
        String app = appWithSlo("burst", DEAD_LETTER_SLO);
        post(app, Instant.now(), 200, 0);
        assertThat(evaluate(app).getString("state")).isEqualTo("OK");

        post(app, Instant.now(), 100, 100);
        JsonPath slo = evaluate(app);
        assertThat(slo.getString("state")).isEqualTo("PAGE");
        assertThat(slo.getString("reason")).contains("over 1h").contains("over 5m");
        assertThat(slo.getFloat("burnRates.'5m'")).isCloseTo(100f / 400 / 0.01f, org.assertj.core.data.Offset.offset(0.01f));
        assertThat(slo.getFloat("errorBudgetRemaining")).isNegative();
        assertThat(slo.getString("transitions[0].from")).isEqualTo("OK");
        assertThat(slo.getString("transitions[0].to")).isEqualTo("PAGE");

        String metrics = management().get("/q/metrics").then().extract().asString();
        assertThat(metrics)
                .contains("bellwether_slo_state{app=\"" + app + "\",fast_burn_severity=\"page\",journey=\"\",slo=\"dead-letters\","
                        + "state=\"PAGE\"} 1.0")
                .contains("bellwether_slo_burn_rate{app=\"" + app + "\",slo=\"dead-letters\",window=\"1h\"}")
                .contains("bellwether_slo_error_budget_remaining{app=\"" + app + "\",slo=\"dead-letters\"}")
                .contains("bellwether_slo_evaluation_last_success_seconds");
    }

    @Test
    void aTrickleOfBadEventsIsLowTrafficNotAPage() throws Exception {
        String app = appWithSlo("trickle", "{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99, \"minEvents\": 100}");
        post(app, Instant.now(), 1, 2);

        JsonPath slo = evaluate(app);
        assertThat(slo.getString("state")).isEqualTo("LOW_TRAFFIC");
        assertThat(slo.getString("reason")).contains("fewer than 100");
    }

    @Test
    void noEventsIsNoData() throws Exception {
        String app = appWithSlo("silent", DEAD_LETTER_SLO);
        JsonPath slo = evaluate(app);
        assertThat(slo.getString("state")).isEqualTo("NO_DATA");
        assertThat(slo.getString("burnRates.'1h'")).isNull();
    }

    @Test
    void lateEventsChangeTheStateOfTheWindowTheyBelongTo() throws Exception {
        String app = appWithSlo("late", DEAD_LETTER_SLO);
        Instant now = Instant.now();
        post(app, now, 300, 0);
        assertThat(evaluate(app).getString("state")).isEqualTo("OK");

        // clients that were offline report a dead-letter burst of 90 minutes ago
        post(app, now.minus(90, ChronoUnit.MINUTES), 100, 100);
        JsonPath slo = evaluate(app);
        assertThat(slo.getString("state")).isEqualTo("TICKET");
        assertThat(slo.getInt("windows.'1h'.valid")).isEqualTo(300);
        assertThat(slo.getInt("windows.'2h'.valid")).isEqualTo(500);
        assertThat(slo.getInt("windows.'2h'.good")).isEqualTo(400);
        assertThat(slo.getString("transitions[0].to")).isEqualTo("TICKET");
    }

    @Test
    void latencySlosCountSyncsWithinTheThreshold() throws Exception {
        String app = appWithSlo("latency", "{\"sli\": \"sync_latency\", \"thresholdMs\": 5000, \"objective\": 0.95, \"minEvents\": 10}");
        String key = ingestKey(app);
        Instant now = Instant.now();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(dev.bellwether.support.Fixtures.sync("s-" + i, now, i < 30 ? 1200 : 9000, 1000));
        }
        postBeacon(key, beacon(app, "c-1", Map.of(), events)).then().statusCode(202);

        JsonPath slo = evaluate(app);
        assertThat(slo.getInt("windows.'5m'.valid")).isEqualTo(40);
        assertThat(slo.getInt("windows.'5m'.good")).isEqualTo(30);
        // 25 % slow against 5 % allowed: burn 5, a ticket (>= 3 over 1d and 2h), not yet a page (14.4)
        assertThat(slo.getString("state")).isEqualTo("TICKET");
    }

    @Test
    void anUnreadableStoredVerdictIsLeftOutWhileTheOthersAreStillExported() throws Exception {
        String broken = appWithSlo("unreadable", DEAD_LETTER_SLO);
        String healthy = appWithSlo("readable", DEAD_LETTER_SLO);
        post(broken, Instant.now(), 200, 0);
        post(healthy, Instant.now(), 200, 0);
        evaluator.evaluateNow();
        try {
            sql("UPDATE slo SET verdict = '{\"state\": \"EXPLODED\"}' WHERE app_id = (SELECT id FROM app WHERE name = ?)", broken);
            // a change stored since the last refresh must still reach the export
            sql("UPDATE slo SET verdict = jsonb_set(verdict, '{state}', '\"TICKET\"') WHERE app_id = (SELECT id FROM app WHERE name = ?)",
                    healthy);
            metrics.refresh();

            String exported = management().get("/q/metrics").then().extract().asString();
            assertThat(exported).doesNotContain("bellwether_slo_state{app=\"" + broken + "\"")
                    .doesNotContain("bellwether_slo_burn_rate{app=\"" + broken + "\"")
                    .contains("bellwether_slo_state{app=\"" + healthy + "\",fast_burn_severity=\"page\",journey=\"\","
                            + "slo=\"dead-letters\",state=\"TICKET\"} 1.0");
        } finally {
            given().auth().oauth2(ADMIN).delete("/v1/apps/" + broken + "/slos/dead-letters").then().statusCode(204);
        }
    }

    @Test
    void aReplicaThatCannotReadTheVerdictsStopsExportingItsLastPageAfterRepeatedFailures() throws Exception {
        String app = appWithSlo("unread", DEAD_LETTER_SLO);
        post(app, Instant.now(), 200, 0);
        evaluate(app);
        post(app, Instant.now(), 100, 100);
        assertThat(evaluate(app).getString("state")).isEqualTo("PAGE");
        String paging = "bellwether_slo_state{app=\"" + app + "\",fast_burn_severity=\"page\",journey=\"\","
                + "slo=\"dead-letters\",state=\"PAGE\"} 1.0";
        assertThat(management().get("/q/metrics").then().extract().asString()).contains(paging);

        sql("ALTER TABLE slo RENAME TO slo_away", null);
        try {
            for (int failure = 1; failure < SloMetrics.FAILURES_BEFORE_DROPPING; failure++) {
                evaluator.scheduled();
                assertThat(management().get("/q/metrics").then().extract().asString()).as("after %d failures", failure)
                        .contains(paging);
            }
            evaluator.scheduled();
            assertThat(management().get("/q/metrics").then().extract().asString())
                    .doesNotContain("bellwether_slo_state{app=\"" + app + "\"")
                    .doesNotContain("bellwether_slo_burn_rate{app=\"" + app + "\"")
                    .doesNotContain("bellwether_slo_error_budget_remaining{app=\"" + app + "\"");
        } finally {
            sql("ALTER TABLE slo_away RENAME TO slo", null);
        }
        metrics.refresh();
        assertThat(management().get("/q/metrics").then().extract().asString()).contains(paging);
    }

    private void sql(String statement, String parameter) throws Exception {
        try (java.sql.Connection connection = dataSource.getConnection();
                java.sql.PreparedStatement update = connection.prepareStatement(statement)) {
            if (parameter != null) {
                update.setString(1, parameter);
            }
            update.execute();
        }
    }

    private String appWithSlo(String prefix, String slo) {
        String app = createApp(prefix);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(slo).put("/v1/apps/" + app + "/slos/dead-letters")
                .then().statusCode(201);
        if (!slo.contains("dead_letter")) {
            given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/slos/dead-letters").then().statusCode(204);
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(slo).put("/v1/apps/" + app + "/slos/main")
                    .then().statusCode(201);
        }
        return app;
    }

    private static void post(String app, Instant at, int succeeded, int deadLettered) {
        String key = ingestKey(app);
        List<String> events = new ArrayList<>();
        String prefix = "e-" + at.toEpochMilli() + "-" + System.nanoTime();
        for (int i = 0; i < succeeded + deadLettered; i++) {
            events.add(replay(prefix + "-" + i, at, i < succeeded ? "succeeded" : "dead_lettered"));
        }
        for (int from = 0; from < events.size(); from += 1000) {
            postBeacon(key, beacon(app, "c-" + prefix, Map.of(), events.subList(from, Math.min(events.size(), from + 1000))))
                    .then().statusCode(202);
        }
    }

    private JsonPath evaluate(String app) throws Exception {
        assertThat(evaluator.evaluateNow()).isTrue();
        List<Map<String, Object>> slos = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos")
                .then().statusCode(200).extract().jsonPath().getList("$");
        String name = (String) slos.get(0).get("name");
        return given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/slos/" + name).then().statusCode(200).extract().jsonPath();
    }
}

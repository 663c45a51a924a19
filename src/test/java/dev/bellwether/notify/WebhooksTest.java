package dev.bellwether.notify;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.bellwether.rollout.RolloutController;
import dev.bellwether.slo.SloEvaluator;
import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhooks for rollout events, received on loopback HTTP servers, with a real PostgreSQL and a real Unleash. */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class WebhooksTest {

    @Inject
    WebhookSender sender;

    @Inject
    EntityManager entities;

    @Inject
    SloEvaluator evaluator;

    @Inject
    RolloutController controller;

    private final UnleashServer unleash = UnleashTestResource.unleash();

    /** Each test sees its own webhooks only: deliveries of an earlier test would go to a receiver since closed. */
    @BeforeEach
    void noWebhooksYet() {
        QuarkusTransaction.requiringNew().run(() -> {
            entities.createNativeQuery("DELETE FROM webhook").executeUpdate();
            entities.createNativeQuery("DELETE FROM notification_episode").executeUpdate();
        });
    }

    @Test
    void aStartAndAKillArePostedAsASlackBodyAndASignedJsonBodyWithTheConsoleLink() throws Exception {
        List<String> logged = captureLogs();
        try (Receiver slack = new Receiver(n -> 200); Receiver generic = new Receiver(n -> 200)) {
            String app = createApp("hooks");
            String slackToken = "slack-" + UUID.randomUUID();
            createWebhook(app, "slack", slack.url(slackToken), "[\"rollout.killed\"]").statusCode(201)
                    .body("signingSecret", equalTo(null));
            JsonPath json = createWebhook(app, "json", generic.url("json-path-token"), null).statusCode(201)
                    .extract().jsonPath();
            String secret = json.getString("signingSecret");
            assertThat(secret).startsWith("bws_");

            long rollout = rollout(app);
            command(rollout, "start").statusCode(200);
            command(rollout, "kill").statusCode(200).body("state", equalTo("KILLED"));
            sendAll();

            assertThat(generic.received).hasSize(2);
            Receiver.Received killed = generic.received.stream()
                    .filter(r -> r.body().contains("\"rollout.killed\"")).findFirst().orElseThrow();
            JsonPath body = new JsonPath(killed.body());
            assertThat(body.getString("app")).isEqualTo(app);
            assertThat(body.getLong("rolloutId")).isEqualTo(rollout);
            assertThat(body.getString("state")).isEqualTo("KILLED");
            assertThat(body.getString("actor")).isNotBlank();
            assertThat(body.getString("reason")).isEqualTo("webhook test kill");
            assertThat(body.getString("consoleUrl")).isEqualTo("http://localhost:8080/console/rollouts/" + rollout);
            assertThat(killed.header("X-Bellwether-Event-Id")).isEqualTo(body.getString("eventId"));
            // verified as a receiver would: HMAC-SHA256 over "<t>.<body>" with the secret from the 201
            String signature = killed.header(WebhookSignature.HEADER);
            String t = signature.replaceAll("^t=(\\d+),v1=.*$", "$1");
            assertThat(signature).isEqualTo("t=" + t + ",v1=" + WebhookSignature.hmac(secret, t + "." + killed.body()));
            assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).isLessThan(60);
            assertThat(generic.received).anyMatch(r -> r.body().contains("\"type\":\"rollout.started\""));

            // the Slack webhook asked for kills only
            assertThat(slack.received).hasSize(1);
            JsonPath slackBody = new JsonPath(slack.received.get(0).body());
            assertThat(slackBody.getString("text")).startsWith("Rollout killed").contains("webhook test kill")
                    .contains("<http://localhost:8080/console/rollouts/" + rollout + "|Open in Bellwether>");
            assertThat(slackBody.getList("blocks.type")).containsExactly("section", "context");

            String listed = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/webhooks").then().statusCode(200)
                    .extract().asString();
            assertThat(listed).doesNotContain(slackToken).doesNotContain("json-path-token").doesNotContain(secret)
                    .contains("/services/…").contains("\"lastDeliveredAt\":\"");
            assertThat(logged).noneMatch(line -> line.contains(slackToken) || line.contains(secret)
                    || line.contains("json-path-token"));
            assertThat(metric("bellwether_webhook_deliveries_total{kind=\"json\",outcome=\"delivered\"}")).isGreaterThanOrEqualTo(2);
            assertThat(metric("bellwether_webhook_deliveries_total{kind=\"slack\",outcome=\"delivered\"}")).isGreaterThanOrEqualTo(1);
        } finally {
            stopCapturingLogs();
        }
    }

    @Test
    void aReceiverAnswering500IsRetriedWithBackoffUntilItTakesTheDelivery() throws Exception {
        try (Receiver flaky = new Receiver(n -> n == 1 ? 500 : 200)) {
            String app = createApp("hooks");
            createWebhook(app, "json", flaky.url("flaky"), "[\"rollout.started\"]").statusCode(201);
            double failedBefore = metric("bellwether_webhook_deliveries_total{kind=\"json\",outcome=\"failed_attempt\"}");
            command(rollout(app), "start").statusCode(200);

            sendAll();

            assertThat(flaky.received).hasSize(2);
            assertThat(flaky.received.get(1).body()).isEqualTo(flaky.received.get(0).body());
            assertThat(metric("bellwether_webhook_deliveries_total{kind=\"json\",outcome=\"failed_attempt\"}"))
                    .isEqualTo(failedBefore + 1);
            assertThat(given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/webhooks").then().extract().jsonPath()
                    .getString("[0].lastFailure")).isEqualTo("HTTP 500: no");
        }
    }

    @Test
    void aHangingReceiverDoesNotHoldUpAKill() throws Exception {
        try (Receiver hanging = new Receiver(n -> 0)) {
            String app = createApp("hooks");
            createWebhook(app, "slack", hanging.url("hangs"), null).statusCode(201);
            long rollout = rollout(app);
            command(rollout, "start").statusCode(200);
            CompletableFuture<Integer> sending = CompletableFuture.supplyAsync(sender::sendDue);
            assertThat(hanging.firstRequest.await(10, TimeUnit.SECONDS)).isTrue();

            // the post of the start is unanswered (the receiver answers only when released): the kill does not wait
            long started = System.nanoTime();
            command(rollout, "kill").statusCode(200).body("state", equalTo("KILLED"));
            System.out.printf("kill answered in %d ms while a webhook receiver hung%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(hanging.answered).hasValue(0);
            assertThat(hanging.received).hasSize(1);
            assertThat(sending.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(metric("bellwether_webhook_deliveries_total{kind=\"slack\",outcome=\"failed_attempt\"}")).isPositive();
            hanging.close();
            deleteDeliveries(app);
        }
    }

    @Test
    void aDecisionStandsWhenTheOutboxCannotBeWritten() throws Exception {
        String app = createApp("hooks");
        createWebhook(app, "json", "http://127.0.0.1:9/unused", null).statusCode(201);
        long rollout = rollout(app);
        double lostBefore = metric("bellwether_webhook_notices_lost_total");
        QuarkusTransaction.requiringNew().run(() -> entities.createNativeQuery(
                "ALTER TABLE webhook_delivery RENAME TO webhook_delivery_away").executeUpdate());
        try {
            command(rollout, "start").statusCode(200).body("state", equalTo("RUNNING"));
            command(rollout, "kill").statusCode(200).body("state", equalTo("KILLED"));
        } finally {
            QuarkusTransaction.requiringNew().run(() -> entities.createNativeQuery(
                    "ALTER TABLE webhook_delivery_away RENAME TO webhook_delivery").executeUpdate());
        }
        assertThat(metric("bellwether_webhook_notices_lost_total")).isEqualTo(lostBefore + 2);
        assertThat(given().auth().oauth2(ADMIN).get("/v1/rollouts/" + rollout + "/decisions").then().extract()
                .jsonPath().getList("trigger")).containsExactly("start", "kill");
    }

    @Test
    void aKillThatCannotReachUnleashIsNotifiedOnceAsFailingHoweverOftenItIsRetried() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200)) {
            String app = createApp("hooks");
            createWebhook(app, "json", receiver.url("outage"), "[\"rollout.killed\", \"rollout.actuation_failing\"]")
                    .statusCode(201);
            long rollout = rollout(app);
            command(rollout, "start").statusCode(200);
            unleash.stop();
            try {
                command(rollout, "kill").statusCode(200).body("pendingActuation.type", equalTo("turn_off"));
                controller.tick();
                controller.tick();
            } finally {
                unleash.start();
            }
            controller.tick();
            sendAll();

            assertThat(receiver.received).extracting(r -> new JsonPath(r.body()).getString("type"))
                    .containsExactlyInAnyOrder("rollout.killed", "rollout.actuation_failing");
            JsonPath failing = new JsonPath(receiver.received.stream()
                    .filter(r -> r.body().contains("actuation_failing")).findFirst().orElseThrow().body());
            assertThat(failing.getString("reason")).isEqualTo("turn the flag off has not reached Unleash; retried each tick");
            assertThat(failing.getString("evidence")).contains("Unleash is unavailable");
        }
    }

    @Test
    void aRolloutHeldLongPastItsBakeIsPostedOnceAsSlackAndSignedJson() throws Exception {
        try (Receiver slack = new Receiver(n -> 200); Receiver generic = new Receiver(n -> 200)) {
            String app = createApp("hooks");
            createWebhook(app, "slack", slack.url("held-slack"), "[\"rollout.held\"]").statusCode(201);
            String secret = createWebhook(app, "json", generic.url("held-json"), "[\"rollout.held\"]").statusCode(201)
                    .extract().jsonPath().getString("signingSecret");
            long rollout = rollout(app);
            command(rollout, "start").statusCode(200);
            // no beacons: the judge holds for too little data; the step began two hours ago, an hour past held-after
            QuarkusTransaction.requiringNew().run(() -> entities.createNativeQuery(
                    "UPDATE rollout SET step_started_at = now() - interval '2 hours' WHERE id = ?1")
                    .setParameter(1, rollout).executeUpdate());
            controller.tick();
            controller.tick();
            sendAll();

            assertThat(generic.received).hasSize(1);
            Receiver.Received held = generic.received.get(0);
            assertThat(held.header("X-Bellwether-Event")).isEqualTo("rollout.held");
            JsonPath body = new JsonPath(held.body());
            assertThat(body.getString("type")).isEqualTo("rollout.held");
            assertThat(body.getLong("rolloutId")).isEqualTo(rollout);
            assertThat(body.getString("state")).isEqualTo("RUNNING");
            assertThat(body.getInt("step")).isZero();
            assertThat(body.getInt("percentage")).isEqualTo(5);
            assertThat(body.getString("actor")).isEqualTo("bellwether");
            assertThat(body.getString("reason")).matches("held at step 1 for 1[12]\\d min past its bake time");
            assertThat(body.getString("evidence")).isNotBlank();
            assertThat(body.getString("consoleUrl")).isEqualTo("http://localhost:8080/console/rollouts/" + rollout);
            String signature = held.header(WebhookSignature.HEADER);
            String t = signature.replaceAll("^t=(\\d+),v1=.*$", "$1");
            assertThat(signature).isEqualTo("t=" + t + ",v1=" + WebhookSignature.hmac(secret, t + "." + held.body()));

            assertThat(slack.received).hasSize(1);
            JsonPath slackBody = new JsonPath(slack.received.get(0).body());
            assertThat(slackBody.getString("text")).startsWith("Rollout held past its bake time")
                    .contains("held at step 1 for")
                    .contains("<http://localhost:8080/console/rollouts/" + rollout + "|Open in Bellwether>");
            assertThat(slackBody.getList("blocks.type")).containsExactly("section", "context");
            assertThat(slackBody.getString("blocks[1].elements[0].text")).contains("rollout.held");
        }
    }

    @Test
    void anSloThatStartsPagingIsPostedButItsFirstStateIsNot() throws Exception {
        try (Receiver receiver = new Receiver(n -> 200)) {
            String app = createApp("hooks");
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body("{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99, \"minEvents\": 20}")
                    .put("/v1/apps/" + app + "/slos/dead-letters").then().statusCode(201);
            createWebhook(app, "slack", receiver.url("slo"), null).statusCode(201);
            String key = ingestKey(app);
            replays(key, app, 200, 0);
            evaluator.evaluateNow();
            replays(key, app, 100, 100);
            evaluator.evaluateNow();
            sendAll();

            assertThat(receiver.received).hasSize(1);
            JsonPath body = new JsonPath(receiver.received.get(0).body());
            assertThat(body.getString("text")).startsWith("SLO burning fast: page `dead-letters` (" + app + ")")
                    .contains("<http://localhost:8080/console/apps/" + app + "|Open in Bellwether>");
        }
    }

    private static void replays(String key, String app, int succeeded, int deadLettered) {
        String prefix = UUID.randomUUID().toString().substring(0, 8);
        List<String> events = new java.util.ArrayList<>();
        for (int i = 0; i < succeeded + deadLettered; i++) {
            events.add(replay(prefix + "-" + i, Instant.now(), i < succeeded ? "succeeded" : "dead_lettered"));
        }
        postBeacon(key, beacon(app, "c-" + prefix, java.util.Map.of(), events)).then().statusCode(202);
    }

    @Test
    void badRequestsNameTheirFieldAndOnlyAdminsManageWebhooks() {
        String app = createApp("hooks");
        createWebhook(app, "teams", "https://example.com/x", null).statusCode(400).body("field", equalTo("kind"));
        createWebhook(app, "slack", "ftp://example.com/x", null).statusCode(400).body("field", equalTo("url"));
        createWebhook(app, "slack", "https://example.com/" + "x".repeat(2000), null).statusCode(400)
                .body("field", equalTo("url"));
        createWebhook(app, "slack", null, null).statusCode(400).body("field", equalTo("url"));
        createWebhook(app, "json", "https://example.com/x", "[\"rollout.killed\", \"rollout.exploded\"]")
                .statusCode(400).body("field", equalTo("events[1]"));
        createWebhook("no-such-app", "json", "https://example.com/x", null).statusCode(404);
        given().auth().oauth2(token("release-manager")).get("/v1/apps/" + app + "/webhooks").then().statusCode(403);
        given().auth().oauth2(token("release-manager")).contentType(ContentType.JSON)
                .body("{\"kind\": \"json\", \"url\": \"https://example.com/x\"}")
                .post("/v1/apps/" + app + "/webhooks").then().statusCode(403);
        for (int i = 0; i < 10; i++) {
            createWebhook(app, "json", "https://example.com/" + i, null).statusCode(201);
        }
        createWebhook(app, "json", "https://example.com/11", null).statusCode(409).body("field", equalTo("url"));
        long id = given().auth().oauth2(ADMIN).get("/v1/apps/" + app + "/webhooks").then().extract().jsonPath()
                .getLong("[0].id");
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/webhooks/" + id).then().statusCode(204);
        given().auth().oauth2(ADMIN).delete("/v1/apps/" + app + "/webhooks/" + id).then().statusCode(404);
    }

    private static io.restassured.response.ValidatableResponse createWebhook(String app, String kind, String url,
            String events) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"kind\": " + quoted(kind) + ", \"url\": " + quoted(url)
                        + (events == null ? "" : ", \"events\": " + events) + "}")
                .post("/v1/apps/" + app + "/webhooks").then();
    }

    private static String quoted(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }

    private long rollout(String app) throws Exception {
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"steps\": [5, 50], \"bake\": \"0s\", "
                        + "\"minSamplePerCohort\": 100, \"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}")
                .post("/v1/rollouts").then().statusCode(201).extract().<Integer>path("id");
    }

    private static io.restassured.response.ValidatableResponse command(long rollout, String command) {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"reason\": \"webhook test " + command + "\"}")
                .post("/v1/rollouts/" + rollout + "/" + command).then();
    }

    /** Sender passes until the outbox holds nothing due soon (a retry waits a fraction of a second in tests). */
    private void sendAll() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            sender.sendDue();
            long waiting = QuarkusTransaction.requiringNew().call(() -> ((Number) entities.createNativeQuery(
                    "SELECT count(*) FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id"
                            + " WHERE w.url_shown LIKE 'http://127.0.0.1:%'").getSingleResult()).longValue());
            if (waiting == 0) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private void deleteDeliveries(String app) {
        QuarkusTransaction.requiringNew().run(() -> entities.createNativeQuery(
                "DELETE FROM webhook_delivery WHERE webhook_id IN (SELECT w.id FROM webhook w JOIN app a ON a.id = w.app_id"
                        + " WHERE a.name = ?1)").setParameter(1, app).executeUpdate());
    }

    private static double metric(String series) {
        String metrics = management().get("/q/metrics").then().extract().asString();
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1))).findFirst().orElse(0);
    }

    private Handler capture;

    private List<String> captureLogs() {
        List<String> lines = new CopyOnWriteArrayList<>();
        SimpleFormatter formatter = new SimpleFormatter();
        capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(formatter.formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        return lines;
    }

    private void stopCapturingLogs() {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
    }
}

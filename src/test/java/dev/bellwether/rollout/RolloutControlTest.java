package dev.bellwether.rollout;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.beacon;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.management;
import static dev.bellwether.support.Fixtures.postBeacon;
import static dev.bellwether.support.Fixtures.replay;
import static dev.bellwether.support.Fixtures.sync;
import static dev.bellwether.support.Fixtures.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.bellwether.ops.MonitoredMetrics;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Rollouts against a real Unleash server: steps, guards, drift, outages, roles and the audit trail. */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class RolloutControlTest {

    @Inject
    RolloutController controller;

    @Inject
    AutomationSwitch automation;

    @Inject
    dev.bellwether.slo.SloEvaluator evaluator;

    private final UnleashServer unleash = UnleashTestResource.unleash();

    @Test
    void aHealthyCanaryIsPromotedStepByStep() throws Exception {
        Fixture f = fixture("[5, 50, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200).body("state", equalTo("RUNNING")).body("percentage", equalTo(5));
        assertUnleash(f.flag, true, 5);

        for (int expected : new int[] {50, 100}) {
            f.traffic(200, 0.01, 400, 0.01);
            controller.tick();
            assertThat(rollout(f.rollout).getInt("percentage")).isEqualTo(expected);
            assertUnleash(f.flag, true, expected);
        }
        f.traffic(200, 0.01, 400, 0.01);
        controller.tick();
        JsonPath done = rollout(f.rollout);
        assertThat(done.getString("state")).isEqualTo("PROMOTED");
        // at 100 % control is only clients on stale flags: the canary is judged by SLO bounds alone (none here)
        assertThat(done.getString("verdict.outcome")).isEqualTo("HOLD");
        assertThat(done.getString("verdict.reason")).contains("every client has the flag: judged by the SLO bound alone");
        List<String> triggers = decisions(f.rollout).getList("trigger");
        assertThat(triggers).containsExactly("start", "advance", "advance", "advance");
        controller.refreshMetrics();
        String metrics = management().get("/q/metrics").then().extract().asString();
        String series = "app=\"" + f.app + "\",environment=\"development\",flag=\"" + f.flag + "\"";
        assertThat(metrics).contains("bellwether_rollout_state{" + series + ",state=\"PROMOTED\"} 1.0")
                .contains("bellwether_rollout_percentage{" + series + "} 100.0")
                .contains("bellwether_rollout_verdicts_total{app=\"" + f.app + "\",flag=\"" + f.flag + "\",outcome=\"PASS\"} 2.0")
                .contains("bellwether_rollout_actuations_total{result=\"ok\"}");
    }

    @Test
    void atOneHundredPercentWithControlDrainedTheRolloutIsPromotedAfterTheBakeUnlessAGuardFails() throws Exception {
        // a single step at 100 %: what a rollout's last step becomes once every client has refreshed its flags
        Fixture f = fixture("[100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);

        f.traffic(300, 0.01, 0, 0); // every client has the flag: no control data
        controller.tick();

        JsonPath done = rollout(f.rollout);
        assertThat(done.getString("state")).isEqualTo("PROMOTED");
        assertThat(done.getString("verdict.outcome")).isEqualTo("HOLD");
        assertThat(decisions(f.rollout).getList("reason", String.class)).last().asString()
                .contains("every client has the flag: judged by SLO bounds alone").contains("no guard failed");
    }

    @Test
    void atOneHundredPercentAGuardBoundedByItsSloStillFails() throws Exception {
        Fixture f = fixture("[100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99, \"period\": \"30d\"}")
                .put("/v1/apps/" + f.app + "/slos/dead-letters").then().statusCode(201);
        command(f.rollout, "start", ADMIN).then().statusCode(200);

        f.traffic(400, 0.20, 0, 0);
        controller.tick();

        assertThat(rollout(f.rollout).getString("state")).isEqualTo("KILLED");
        assertUnleash(f.flag, false, 100);
    }

    @Test
    void aKillOfAFlagDeletedInUnleashLandsAtOnceInsteadOfRetryingForever() throws Exception {
        Fixture f = fixture("[5, 50]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        // archived, then deleted from the archive: gone from Unleash
        unleash.deleteFlag(f.flag);

        command(f.rollout, "kill", ADMIN).then().statusCode(200).body("state", equalTo("KILLED"));
        controller.tick();

        JsonPath killed = rollout(f.rollout);
        assertThat(killed.getString("state")).isEqualTo("KILLED");
        assertThat(killed.getString("pendingActuation")).isNull();
        assertThat(decisions(f.rollout).getList("answer", String.class)).last().asString()
                .startsWith("Unleash no longer has the flag: nothing left to turn off");
    }

    @Test
    void aDeadLetterRegressionInTheCanaryTurnsTheFlagOff() throws Exception {
        Fixture f = fixture("[5, 25, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        f.traffic(300, 0.20, 600, 0.01);
        controller.tick();

        JsonPath killed = rollout(f.rollout);
        assertThat(killed.getString("state")).isEqualTo("KILLED");
        assertThat(killed.getString("verdict.outcome")).isEqualTo("FAIL");
        assertUnleash(f.flag, false, 5);
        JsonPath trail = decisions(f.rollout);
        assertThat(trail.getString("[-1].trigger")).isEqualTo("guard_kill");
        assertThat(trail.getString("[-1].actor")).isEqualTo("bellwether");
        assertThat(trail.getString("[-1].reason")).contains("dead_letter_ratio");
        assertThat(trail.getString("[-1].answer")).contains("off");
        assertThat(trail.getDouble("[-1].evidence.guards[0].comparisons[0].canaryRatio")).isGreaterThan(0.15);
        // stored with the application's ObjectMapper: guard actions by their wire names, as the API shows them
        assertThat(stored(f.rollout, "guards")).isEqualTo("[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]");
        assertThat(stored(f.rollout, "verdict")).contains("\"action\": \"kill\"");

        // offline clients come back after the kill: some still run the flag, others have refreshed it off
        for (int i = 0; i < 3; i++) {
            f.post(true, 5, 0);
        }
        for (int i = 0; i < 2; i++) {
            f.post(false, 5, 0);
        }
        JsonPath curve = given().auth().oauth2(ADMIN).queryParam("activeMinutes", 5)
                .get("/v1/rollouts/" + f.rollout + "/convergence").then().statusCode(200).extract().jsonPath();
        assertThat(curve.getString("killedAt")).isNotNull();
        assertThat(curve.getInt("points[-1].activeClients")).isEqualTo(7);
        assertThat(curve.getInt("points[-1].reportingOn")).isEqualTo(4);
        assertThat(curve.getDouble("points[-1].shareOn")).isCloseTo(4.0 / 7, org.assertj.core.data.Offset.offset(1e-6));
        controller.refreshMetrics();
        assertThat(management().get("/q/metrics").then().extract().asString()).contains(
                "bellwether_rollout_convergence_share_on{app=\"" + f.app + "\",environment=\"development\",flag=\"" + f.flag
                        + "\"} 0.5714");
    }

    @Test
    void aRegressionThatStartsInTheMiddleOfAStepIsJudgedFromTheMinuteItStarted() throws Exception {
        // the step started three minutes ago, on a minute: healthy since, until the canary turns bad this minute
        Instant stepStart = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(java.time.Duration.ofMinutes(3));
        Fixture f = killGuardedStepStartedAt(stepStart);
        for (int minute = 0; minute < 3; minute++) {
            f.postAt(true, stepStart.plusSeconds(60L * minute + 1), 1000, 0.01);
            f.postAt(false, stepStart.plusSeconds(60L * minute + 1), 1000, 0.01);
        }
        f.postAt(true, stepStart.plusSeconds(3 * 60 + 1), 300, 0.10);
        f.postAt(false, stepStart.plusSeconds(3 * 60 + 1), 1000, 0.01);
        controller.tick();

        // the whole step: 1.8 % against 1 %, not enough to tell; from minute 3 on: 10 % against 1 %
        assertThat(rollout(f.rollout).getString("state")).isEqualTo("KILLED");
        JsonPath trail = decisions(f.rollout);
        assertThat(trail.getString("[-1].reason")).contains("canary 0.1000 vs control 0.0100 since minute 3 of the step");
        assertThat(trail.getLong("[-1].evidence.guards[0].comparisons[0].sinceMinute")).isEqualTo(3);
        assertUnleash(f.flag, false, 5);
    }

    @Test
    void inAStepOfHoursTheLastTwoHoursAreJudgedFromEachMinute() throws Exception {
        // a step four hours old: its first hours are read as hour rollups, its last two by the minute
        Instant stepStart = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(java.time.Duration.ofHours(4));
        Fixture f = killGuardedStepStartedAt(stepStart);
        for (int halfHour = 0; halfHour < 4; halfHour++) { // healthy through the step's first two hours
            f.postAt(true, stepStart.plusSeconds(1800L * halfHour + 60), 5000, 0.01);
            f.postAt(false, stepStart.plusSeconds(1800L * halfHour + 60), 5000, 0.01);
        }
        // 70 minutes ago: in an hour that is over, which the step's reading as a whole takes as one hour row
        Instant onset = Instant.now().minus(java.time.Duration.ofMinutes(70));
        f.postAt(true, onset, 300, 0.30);
        f.postAt(false, onset, 1000, 0.01);
        controller.tick();

        // the whole step: 1.4 % against 1 %; from the onset's minute: 30 % against 1 %
        long minute = java.time.Duration.between(stepStart, onset.truncatedTo(java.time.temporal.ChronoUnit.MINUTES)).toMinutes();
        assertThat(rollout(f.rollout).getString("state")).isEqualTo("KILLED");
        assertThat(decisions(f.rollout).getString("[-1].reason")).contains("since minute " + minute + " of the step");
    }

    @Test
    void aLatencyTailRegressionIsCaughtAndRolledBack() throws Exception {
        Fixture f = fixture("[10, 100]", "[{\"sli\": \"sync_latency\", \"action\": \"rollback\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        f.syncs(400, 0.10, 800);
        controller.tick();

        JsonPath rolledBack = rollout(f.rollout);
        assertThat(rolledBack.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(rolledBack.getString("verdict.reason")).contains("p99");
        assertUnleash(f.flag, true, 0);
    }

    @Test
    void withTheAutomationSwitchOffBellwetherOnlyRecordsWhatItWouldDo() throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        unleash.createFlag("bellwether-automation");  // created off in every environment
        try {
            awaitAutomation(false);
            controller.refreshMetrics();
            assertThat(management().get("/q/metrics").then().extract().asString())
                    .contains("bellwether_rollout_automation{state=\"off\"} 1.0")
                    .contains("bellwether_rollout_automation{state=\"unknown\"} 0.0");
            f.traffic(300, 0.20, 600, 0.01);
            controller.tick();
            controller.tick();

            JsonPath held = rollout(f.rollout);
            assertThat(held.getString("state")).isEqualTo("RUNNING");
            assertUnleash(f.flag, true, 5);
            JsonPath trail = decisions(f.rollout);
            assertThat(trail.getList("trigger")).containsExactly("start", "guard_kill");
            assertThat(trail.getString("[-1].answer")).contains("automation is off");
            assertThat(trail.getBoolean("[-1].dryRun")).isTrue();
        } finally {
            unleash.admin("POST", "/admin/projects/default/features/bellwether-automation/environments/development/on", null);
            awaitAutomation(true);
        }
        controller.tick();
        assertThat(rollout(f.rollout).getString("state")).isEqualTo("KILLED");
        assertUnleash(f.flag, false, 5);
    }

    private void awaitAutomation(boolean on) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while ((automation.state() == AutomationSwitch.State.ON) != on && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertThat(automation.state()).as("automation switch seen by the client SDK")
                .isEqualTo(on ? AutomationSwitch.State.ON : AutomationSwitch.State.OFF);
    }

    @Test
    void aDryRunRecordsDecisionsAndLeavesUnleashAlone() throws Exception {
        String app = createApp("dry");
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        long id = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"dryRun\": true, \"bake\": \"0s\", "
                        + "\"minSamplePerCohort\": 100, \"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}")
                .post("/v1/rollouts").then().statusCode(201).body("dryRun", equalTo(true)).extract().<Integer>path("id");
        Fixture f = new Fixture(app, flag, ingestKey(app), id);
        command(id, "start", ADMIN).then().statusCode(200).body("state", equalTo("RUNNING"));
        f.traffic(300, 0.20, 600, 0.01);
        controller.tick();

        assertThat(rollout(id).getString("state")).isEqualTo("KILLED");
        JsonPath trail = decisions(id);
        assertThat(trail.getList("answer", String.class)).allMatch(answer -> answer.startsWith("dry run"));
        assertThat(unleash.strategies(flag).size()).as("no strategy was added").isZero();
        for (JsonNode environment : unleash.feature(flag).get("environments")) {
            assertThat(environment.get("enabled").asBoolean()).isFalse();
        }
    }

    @Test
    void tooLittleTrafficHolds() throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 200);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        f.traffic(20, 0.5, 40, 0.0);
        controller.tick();

        JsonPath held = rollout(f.rollout);
        assertThat(held.getString("state")).isEqualTo("RUNNING");
        assertThat(held.getInt("percentage")).isEqualTo(5);
        assertThat(held.getString("verdict.outcome")).isEqualTo("HOLD");
        assertThat(held.getString("verdict.reason")).contains("too little data");
    }

    @Test
    void aHandEditInUnleashIsDetectedAsDriftAndPauses() throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        JsonNode strategy = unleash.strategies(f.flag).get(0);
        ((com.fasterxml.jackson.databind.node.ObjectNode) strategy.get("parameters")).put("rollout", "60");
        var edited = unleash.admin("PUT", "/admin/projects/default/features/" + f.flag + "/environments/development/strategies/"
                + strategy.get("id").asText(), strategy.toString());
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        controller.tick();

        JsonPath paused = rollout(f.rollout);
        assertThat(paused.getString("state")).isEqualTo("PAUSED");
        assertThat(decisions(f.rollout).getString("[-1].trigger")).isEqualTo("drift");
        assertThat(decisions(f.rollout).getString("[-1].reason")).contains("60").contains("changed by hand");

        command(f.rollout, "resume", ADMIN).then().statusCode(200).body("state", equalTo("RUNNING"));
        assertUnleash(f.flag, true, 5);
    }

    @Test
    void withUnleashStoppedNoStepIsTakenAndTheRolloutCatchesUpWhenItReturns() throws Exception {
        Fixture f = fixture("[5, 50, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        f.traffic(200, 0.01, 400, 0.01);
        unleash.stop();
        try {
            controller.tick();
            JsonPath held = rollout(f.rollout);
            // judged healthy, and still not stepped: the new percentage could not be verified
            assertThat(held.getString("verdict.outcome")).isEqualTo("PASS");
            assertThat(held.getInt("step")).isZero();
            assertThat(decisions(f.rollout).getList("trigger")).containsExactly("start");
        } finally {
            unleash.start();
        }
        controller.tick();
        assertThat(rollout(f.rollout).getInt("percentage")).isEqualTo(50);
        assertUnleash(f.flag, true, 50);
    }

    @Test
    void killsDecidedDuringAnUnleashOutageReachUnleashWhenItReturns() throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        // the judge reads Bellwether's own data: a canary regressing while Unleash is down is killed then
        Fixture regressing = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(regressing.rollout, "start", ADMIN).then().statusCode(200);
        // a step resumed during the outage lands late: its bake starts when Unleash has it, not when it was decided
        Fixture resumed = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(resumed.rollout, "start", ADMIN).then().statusCode(200);
        command(resumed.rollout, "pause", ADMIN).then().statusCode(200);
        regressing.traffic(300, 0.20, 600, 0.01);
        String decidedStepStart;
        unleash.stop();
        try {
            command(f.rollout, "kill", ADMIN).then().statusCode(200).body("state", equalTo("KILLED"))
                    .body("pendingActuation.type", equalTo("turn_off"));
            assertThat(decisions(f.rollout).getString("[-1].answer")).contains("will retry");
            command(f.rollout, "resume", ADMIN).then().statusCode(409).body("detail", equalTo(
                    "the previous change (turn the flag off) has not reached Unleash yet; only kill is possible until it has"));
            decidedStepStart = command(resumed.rollout, "resume", ADMIN).then().statusCode(200)
                    .body("pendingActuation.type", equalTo("set_percentage")).extract().path("stepStartedAt");
            controller.tick();

            JsonPath killed = rollout(regressing.rollout);
            assertThat(killed.getString("state")).isEqualTo("KILLED");
            assertThat(killed.getString("pendingActuation.type")).isEqualTo("turn_off");
            assertThat(decisions(regressing.rollout).getString("[-1].trigger")).isEqualTo("guard_kill");
            assertThat(decisions(regressing.rollout).getString("[-1].answer"))
                    .startsWith("not applied, will retry: Unleash is unavailable");
        } finally {
            unleash.start();
        }
        controller.tick();

        for (Fixture each : List.of(f, regressing)) {
            assertThat(rollout(each.rollout).getString("pendingActuation")).isNull();
            assertThat(unleash.enabled(each.flag)).isFalse();
            assertThat(decisions(each.rollout).getString("[-1].answer")).startsWith("Unleash: off at 5 %")
                    .contains("applied on retry at");
        }
        JsonPath landed = rollout(resumed.rollout);
        assertThat(landed.getString("pendingActuation")).isNull();
        assertThat(java.time.OffsetDateTime.parse(landed.getString("stepStartedAt")))
                .isAfter(java.time.OffsetDateTime.parse(decidedStepStart));
        assertUnleash(resumed.flag, true, 5);
    }

    @Test
    void rolesReasonsAndUnknownFlags() throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        String viewer = token("viewer");
        String onCall = token("on-call");
        String releaseManager = token("release-manager");
        command(f.rollout, "start", viewer).then().statusCode(403);
        given().auth().oauth2(releaseManager).contentType(ContentType.JSON).body("{}")
                .post("/v1/rollouts/" + f.rollout + "/start").then().statusCode(400).body("field", equalTo("reason"));
        command(f.rollout, "start", releaseManager).then().statusCode(200);
        command(f.rollout, "promote", onCall).then().statusCode(403).body("detail", containsString("on-call"));
        command(f.rollout, "kill", releaseManager).then().statusCode(403);
        command(f.rollout, "kill", onCall).then().statusCode(200).body("state", equalTo("KILLED"));
        assertUnleash(f.flag, false, 5);
        command(f.rollout, "resume", releaseManager).then().statusCode(409);
        given().auth().oauth2(viewer).get("/v1/rollouts/" + f.rollout + "/decisions").then().statusCode(200)
                .body("[1].actor", containsString("on-call")).body("[1].reason", equalTo("test kill by on-call"));

        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + f.app + "\", \"flag\": \"no-such-flag\", \"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}")
                .post("/v1/rollouts").then().statusCode(422).body("detail", containsString("no-such-flag"));
    }

    /**
     * Drives every kind of event the alerts watch (beacons with a rejected event, an SLO evaluation, a guard kill, an
     * actuation that fails while Unleash is down), then checks that each metric an alert rule or a dashboard panel
     * names is exported.
     */
    @Test
    void everyMetricTheAlertsAndDashboardsUseIsExported() throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"sli\": \"dead_letter_ratio\", \"objective\": 0.99}")
                .put("/v1/apps/" + f.app + "/slos/dead-letters").then().statusCode(201);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        f.traffic(300, 0.20, 600, 0.01);
        Instant now = Instant.now();
        postBeacon(f.key, beacon(f.app, "bad-client", Map.of(), List.of(
                "{\"id\": \"x\", \"type\": \"teleport\", \"at\": \"" + now + "\"}",
                sync("s", now, 100, 1000),
                "{\"id\": \"c\", \"type\": \"conflict\", \"at\": \"" + now + "\", \"resolution\": \"server_wins\"}",
                "{\"id\": \"m\", \"type\": \"migration\", \"at\": \"" + now + "\", \"fromVersion\": 3, \"toVersion\": 4, \"outcome\": \"failed\"}",
                "{\"id\": \"o\", \"type\": \"outbox\", \"at\": \"" + now + "\", \"depth\": 3, \"oldestAgeMs\": 1000}")))
                .then().statusCode(202).body("rejected.size()", equalTo(1));
        controller.tick();
        Fixture failing = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(failing.rollout, "start", ADMIN).then().statusCode(200);
        unleash.stop();
        try {
            command(failing.rollout, "kill", ADMIN).then().statusCode(200);
        } finally {
            unleash.start();
        }
        evaluator.evaluateNow();
        controller.refreshMetrics();

        String exported = management().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> names = new java.util.TreeSet<>();
        for (String line : exported.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        Set<String> missing = new java.util.TreeSet<>();
        for (String metric : MonitoredMetrics.used()) {
            if (!names.contains(metric)) {
                missing.add(metric);
            }
        }
        assertThat(missing).as("metrics the alert rules or dashboards use but /q/metrics does not export").isEmpty();
    }

    // ---------------------------------------------------------------- fixture

    private final class Fixture {
        final String app;
        final String flag;
        final String key;
        final long rollout;

        Fixture(String app, String flag, String key, long rollout) {
            this.app = app;
            this.flag = flag;
            this.key = key;
            this.rollout = rollout;
        }

        /** Final replays of canary (flag on) and control (flag off) clients, with the given dead-letter shares. */
        void traffic(int canary, double canaryDeadLetters, int control, double controlDeadLetters) {
            post(true, canary, canaryDeadLetters);
            post(false, control, controlDeadLetters);
        }

        private void post(boolean on, int count, double deadLetters) {
            postAt(on, Instant.now(), count, deadLetters);
        }

        private void postAt(boolean on, Instant now, int count, double deadLetters) {
            List<String> events = new ArrayList<>();
            int bad = (int) Math.round(count * deadLetters);
            String batch = UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < count; i++) {
                events.add(replay(batch + "-" + i, now, i < bad ? "dead_lettered" : "succeeded"));
            }
            send(on, batch, events);
        }

        /** Syncs of 1-2 s; a share of the canary's take 30 s (a heavier tail, same median). */
        void syncs(int canary, double canarySlowShare, int control) {
            syncsOf(true, canary, canarySlowShare);
            syncsOf(false, control, 0);
        }

        private void syncsOf(boolean on, int count, double slowShare) {
            List<String> events = new ArrayList<>();
            Instant now = Instant.now();
            String batch = UUID.randomUUID().toString().substring(0, 8);
            int slow = (int) Math.round(count * slowShare);
            for (int i = 0; i < count; i++) {
                events.add(sync(batch + "-" + i, now, i < slow ? 30_000 : 1000 + (i * 37L) % 1000, 1000));
            }
            send(on, batch, events);
        }

        /** In beacons of 100 events, well under the 64 KiB a beacon may weigh. */
        private void send(boolean on, String batch, List<String> events) {
            for (int from = 0; from < events.size(); from += 100) {
                postBeacon(key, beacon(app, (on ? "canary-" : "control-") + batch, Map.of(flag, on),
                        events.subList(from, Math.min(events.size(), from + 100)))).then().statusCode(202);
            }
        }
    }

    /** A started rollout with a dead-letter kill guard, its first step moved back to have started at {@code stepStart}. */
    private Fixture killGuardedStepStartedAt(Instant stepStart) throws Exception {
        Fixture f = fixture("[5, 100]", "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]", 100);
        command(f.rollout, "start", ADMIN).then().statusCode(200);
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> Rollout.update("stepStartedAt = ?1 where id = ?2",
                stepStart.atOffset(java.time.ZoneOffset.UTC), f.rollout));
        return f;
    }

    private Fixture fixture(String steps, String guards, int minSample) throws Exception {
        String app = createApp("rollout");
        String flag = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        long id = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"steps\": " + steps + ", \"bake\": \"0s\", "
                        + "\"minSamplePerCohort\": " + minSample + ", \"guards\": " + guards + "}")
                .post("/v1/rollouts").then().statusCode(201).body("state", equalTo("DRAFT")).extract().<Integer>path("id");
        return new Fixture(app, flag, ingestKey(app), id);
    }

    private static io.restassured.response.Response command(long rollout, String command, String token) {
        String role = token.equals(ADMIN) ? "admin" : "someone";
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"reason\": \"test " + command + " by " + (token.equals(ADMIN) ? role : roleOf(token)) + "\"}")
                .post("/v1/rollouts/" + rollout + "/" + command);
    }

    private static String roleOf(String token) {
        return given().auth().oauth2(ADMIN).get("/v1/tokens").then().extract().jsonPath()
                .getString("find { '" + token + "'.startsWith(it.prefix) }.role");
    }

    private static JsonPath rollout(long id) {
        return given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** A JSON column of the rollout's row, as PostgreSQL prints it. */
    private static String stored(long id, String column) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> (String) Rollout.getEntityManager()
                .createNativeQuery("SELECT " + column + "::text FROM rollout WHERE id = ?1").setParameter(1, id)
                .getSingleResult());
    }

    private static JsonPath decisions(long id) {
        return given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id + "/decisions").then().statusCode(200).extract().jsonPath();
    }

    private void assertUnleash(String flag, boolean enabled, int percentage) throws Exception {
        assertThat(unleash.enabled(flag)).as("enabled").isEqualTo(enabled);
        assertThat(unleash.strategies(flag).get(0).get("parameters").get("rollout").asText()).isEqualTo(String.valueOf(percentage));
    }
}

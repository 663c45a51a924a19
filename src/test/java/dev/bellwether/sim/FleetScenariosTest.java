package dev.bellwether.sim;

import static dev.bellwether.support.Fixtures.ADMIN;
import static dev.bellwether.support.Fixtures.createApp;
import static dev.bellwether.support.Fixtures.ingestKey;
import static dev.bellwether.support.Fixtures.sli;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.rollout.RolloutController;
import dev.bellwether.support.UnleashServer;
import dev.bellwether.support.UnleashTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End-to-end scenarios with the fleet simulator: simulated clients post beacons over HTTP to the running service, get
 * their cohorts from a real Unleash (unleash-client-java, each client its own {@code userId}), and the rollout
 * controller acts on what they report, every second as a replica's schedule would.
 */
@QuarkusTest
@QuarkusTestResource(value = UnleashTestResource.class, restrictToAnnotatedClass = true)
class FleetScenariosTest {

    private static final Duration STEP = Duration.ofSeconds(1);

    @Inject
    RolloutController controller;

    private final UnleashServer unleash = UnleashTestResource.unleash();
    private ScheduledExecutorService ticks;

    @BeforeEach
    void controllerTicksEverySecond() {
        ticks = Executors.newSingleThreadScheduledExecutor();
        ticks.scheduleWithFixedDelay(() -> {
            try {
                controller.tick();
            } catch (RuntimeException e) {
                e.printStackTrace(); // a scheduled executor would stop at the first exception; keep ticking, as the scheduler does
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopTicking() throws InterruptedException {
        ticks.shutdownNow();
        ticks.awaitTermination(30, TimeUnit.SECONDS);
    }

    @Test
    void aHealthyCanaryIsPromotedFromOneToAHundredPercent() throws Exception {
        Scenario s = scenario("[1, 5, 25, 50, 100]", "5s", 50, "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}, "
                + "{\"sli\": \"replay_repeat_failure_ratio\", \"action\": \"kill\"}, {\"sli\": \"sync_latency\", \"action\": \"rollback\"}]");
        command(s.rollout, "start");
        // 1,000 clients editing 500 times a second in all and syncing every 3 s: enough for 1 % of them (about 10
        // clients) to reach the minimum sample of both guards within seconds
        FleetSettings settings = FleetSettings.builder().clients(1000).seed(11).canaryFlag(s.flag).mutationsPerMinute(30)
                .flagRefreshInterval(Duration.ofSeconds(2)).syncInterval(Duration.ofSeconds(3)).build();
        try (UnleashFlags flags = new UnleashFlags(unleash.apiUrl(), unleash.clientToken(), List.of(s.flag))) {
            Simulator simulator = s.simulator(settings, flags, Instant.now());
            simulator.runUntil(() -> state(s.rollout).equals("PROMOTED"), simulator.now().plus(Duration.ofMinutes(4)), x -> { });

            assertThat(decisions(s.rollout).getList("trigger", String.class))
                    .containsExactly("start", "advance", "advance", "advance", "advance", "advance");
            assertThat(decisions(s.rollout).getList("toStep", Integer.class)).containsExactly(0, 1, 2, 3, 4, 4);
            assertThat(decisions(s.rollout).getList("toState", String.class)).last().isEqualTo("PROMOTED");
            assertThat(unleash.enabled(s.flag)).isTrue();
            assertThat(simulator.transport().refused()).as(simulator.transport().lastRefusal()).isZero();
            // once the flag is at 100 %, every client that refreshed since runs the canary
            simulator.runUntil(simulator.now().plus(Duration.ofSeconds(5)), x -> { });
            assertThat(simulator.fleet().canaryClients()).isGreaterThan(simulator.fleet().online() * 9 / 10);
        }
    }

    @Test
    void aBadCanaryIsKilledSecondsAfterOnsetAndOfflineClientsConvergeAsTheyReturn() throws Exception {
        Scenario s = scenario("[5, 25, 50, 100]", "10m", 100, "[{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}, "
                + "{\"sli\": \"replay_repeat_failure_ratio\", \"action\": \"kill\"}]");
        command(s.rollout, "start");
        Instant start = Instant.now();
        Instant onset = start.plus(Duration.ofSeconds(15));
        // short offline spells, so that the clients that missed the kill come back within the test
        FleetSettings settings = FleetSettings.builder().clients(1000).seed(12).canaryFlag(s.flag).mutationsPerMinute(30)
                .flagRefreshInterval(Duration.ofSeconds(2)).syncInterval(Duration.ofSeconds(3)).spells(Duration.ofSeconds(40), Duration.ofSeconds(10))
                .regression(Regression.deadLetters(5).from(onset)).build();
        try (UnleashFlags flags = new UnleashFlags(unleash.apiUrl(), unleash.clientToken(), List.of(s.flag))) {
            Simulator simulator = s.simulator(settings, flags, start);
            Instant flagOff = simulator.runUntilFlagOff(() -> unleash.enabled(s.flag), onset, onset.plus(Duration.ofMinutes(2)),
                    x -> { });
            double secondsToKill = Duration.between(onset, flagOff).toMillis() / 1000.0;
            System.out.printf("bad canary: flag off in Unleash %.1f s after the regression's onset%n", secondsToKill);

            // the kill reaches Unleash inside the decision's transaction, which commits just after it
            JsonPath rollout = rolloutOnceSettled(s.rollout, Duration.ofSeconds(10));
            assertThat(rollout.getString("state")).isEqualTo("KILLED");
            assertThat(rollout.getString("verdict.outcome")).isEqualTo("FAIL");
            // the failed attempts show the regression before any poison mutation has used up its retries
            assertThat(rollout.getString("verdict.reason")).contains("replay_repeat_failure_ratio");
            assertThat(secondsToKill).as("seconds from onset to flag off").isLessThan(60);

            // the kill reaches clients as they come online; the curve is by minute, so wait for two whole minutes
            Instant killMinute = flagOff.truncatedTo(ChronoUnit.MINUTES);
            simulator.runUntil(killMinute.plus(Duration.ofMinutes(3)).plusSeconds(5), x -> { });
            List<JsonNode> points = convergence(s.rollout);
            JsonNode first = points.get(0);
            JsonNode third = points.get(2);
            assertThat(first.get("reportingOn").asLong()).as("canary clients reporting on in the kill's minute: %s", points)
                    .isGreaterThanOrEqualTo(10);
            assertThat(third.get("activeClients").asLong()).isGreaterThan(500);
            assertThat(third.get("reportingOn").asLong()).as("two minutes later: %s", points)
                    .isLessThanOrEqualTo(first.get("reportingOn").asLong() / 5);
        }
    }

    @Test
    void anIndexedDbMigrationFailingInTheCanaryFreezesTheRollout() throws Exception {
        Scenario s = scenario("[25, 50, 100]", "10m", 50, "[{\"sli\": \"migration_failure_ratio\", \"action\": \"freeze\"}]");
        command(s.rollout, "start");
        Instant start = Instant.now();
        // release 2026.11.4 migrates the local schema 3 → 4; in the canary, 30 % of migrations fail
        FleetSettings settings = FleetSettings.builder().clients(1000).seed(14).canaryFlag(s.flag)
                .flagRefreshInterval(Duration.ofSeconds(2))
                .upgrade(new FleetSettings.Upgrade("2026.11.4", 4, start.plusSeconds(5)))
                .regression(Regression.NONE.withMigrationFailureRate(0.3)).build();
        try (UnleashFlags flags = new UnleashFlags(unleash.apiUrl(), unleash.clientToken(), List.of(s.flag))) {
            Simulator simulator = s.simulator(settings, flags, start);
            simulator.runUntil(() -> !state(s.rollout).equals("RUNNING"), start.plus(Duration.ofMinutes(2)), x -> { });

            JsonPath rollout = rollout(s.rollout);
            assertThat(rollout.getString("state")).isEqualTo("FROZEN");
            assertThat(rollout.getString("verdict.reason")).startsWith("migration_failure_ratio");
            // a freeze holds the flag where it is (a migration cannot be undone by turning the flag off) and pages
            assertThat(unleash.enabled(s.flag)).isTrue();
            assertThat(unleash.strategies(s.flag).get(0).path("parameters").path("rollout").asText()).isEqualTo("25");
        }
    }

    @Test
    void aThirtyMinutePartitionIsCountedOnceInTheWindowsItHappened() throws Exception {
        // a beacon rate well above what catching up with 40 minutes in seconds takes: no 429 muddles the counts
        String app = createApp("partition", "\"beaconsPerSecond\": 100000");
        String key = ingestKey(app);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(40));
        Instant partitionFrom = start.plus(Duration.ofMinutes(10));
        Instant partitionTo = partitionFrom.plus(Duration.ofMinutes(30));
        FleetSettings settings = FleetSettings.builder().clients(200).seed(13).alwaysOnline()
                .partition(partitionFrom, Duration.ofMinutes(30)).duplicateShare(0.05).build();
        BeaconTransport transport = new BeaconTransport(baseUrl(), app, key, 32);
        Fleet fleet = new Fleet(settings, new HashedRollout(settings.canaryFlag(), 50), start);
        Simulator simulator = new Simulator(fleet, transport, start, STEP);
        // catch up with the clock (40 simulated minutes in seconds), then give the reconnected clients time to flush
        simulator.runUntil(Instant.now().plusSeconds(3), x -> { });
        Ledger ledger = fleet.ledger();

        assertThat(transport.refused()).as(transport.lastRefusal()).isZero();
        assertThat(transport.rejectedEvents()).isZero();
        long delivered = ledger.count(e -> true) - fleet.unsentEvents();
        assertThat(transport.accepted()).as("each delivered event accepted exactly once").isEqualTo(delivered);
        assertThat(transport.duplicates()).as("events sent again after their acknowledgement come back as duplicates")
                .isEqualTo(transport.eventsRepeated()).isPositive();
        for (Instant[] window : List.of(new Instant[] {start, partitionFrom}, new Instant[] {partitionFrom, partitionTo},
                new Instant[] {partitionFrom.plus(Duration.ofMinutes(29)), partitionTo})) {
            JsonPath report = sli(app, window[0], window[1]).jsonPath();
            Predicate<Ledger.Entry> in = Ledger.between(window[0], window[1]);
            String what = "window " + window[0] + " .. " + window[1];
            assertThat(report.getLong("total.events")).as(what).isEqualTo(ledger.count(in)).isPositive();
            assertThat(report.getLong("total.replays.succeeded")).as(what)
                    .isEqualTo(ledger.count(in.and(Ledger.replay("succeeded"))));
            assertThat(report.getLong("total.replays.retried")).as(what)
                    .isEqualTo(ledger.count(in.and(Ledger.replay("retried"))));
            assertThat(report.getLong("total.replays.deadLettered")).as(what)
                    .isEqualTo(ledger.count(in.and(Ledger.replay("dead_lettered"))));
            assertThat(report.getLong("total.outbox.reports")).as(what)
                    .isEqualTo(ledger.count(in.and(e -> e.type().equals("outbox"))));
        }
        // during the partition no replay could run: only outbox reports were made, and they grew
        JsonPath partition = sli(app, partitionFrom.plusSeconds(60), partitionTo).jsonPath();
        assertThat(partition.getLong("total.replays.terminal")).isZero();
        assertThat(partition.getLong("total.outbox.maxOldestAgeMs")).isGreaterThan(Duration.ofMinutes(25).toMillis());
    }

    // ---------------------------------------------------------------- fixtures

    private record Scenario(String app, String key, String flag, long rollout) {
        Simulator simulator(FleetSettings settings, FlagSource flags, Instant start) {
            return new Simulator(new Fleet(settings, flags, start), new BeaconTransport(baseUrl(), app, key, 32), start, STEP);
        }
    }

    private Scenario scenario(String steps, String bake, int minSample, String guards) throws Exception {
        String app = createApp("fleet");
        String flag = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        long id = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body("{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"steps\": " + steps + ", \"bake\": \"" + bake
                        + "\", \"minSamplePerCohort\": " + minSample + ", \"guards\": " + guards + "}")
                .post("/v1/rollouts").then().statusCode(201).extract().<Integer>path("id");
        return new Scenario(app, ingestKey(app), flag, id);
    }

    private static String baseUrl() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    private static void command(long rollout, String command) {
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"reason\": \"fleet scenario\"}")
                .post("/v1/rollouts/" + rollout + "/" + command).then().statusCode(200);
    }

    private static JsonPath rollout(long id) {
        return given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** The rollout once it has left RUNNING, or as it stands when {@code bound} has passed. */
    private static JsonPath rolloutOnceSettled(long id, Duration bound) throws InterruptedException {
        Instant deadline = Instant.now().plus(bound);
        JsonPath rollout = rollout(id);
        while (rollout.getString("state").equals("RUNNING") && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            rollout = rollout(id);
        }
        return rollout;
    }

    private static String state(long id) {
        return rollout(id).getString("state");
    }

    private static JsonPath decisions(long id) {
        return given().auth().oauth2(ADMIN).get("/v1/rollouts/" + id + "/decisions").then().statusCode(200).extract().jsonPath();
    }

    private static List<JsonNode> convergence(long id) throws Exception {
        String body = given().auth().oauth2(ADMIN).queryParam("activeMinutes", 1).get("/v1/rollouts/" + id + "/convergence")
                .then().statusCode(200).extract().asString();
        List<JsonNode> points = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("points").forEach(points::add);
        return points;
    }
}

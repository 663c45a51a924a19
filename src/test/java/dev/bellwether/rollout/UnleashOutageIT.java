package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.support.FaultyProxy;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Unleash unreachable, then slow, in the middle of rollouts, with the packaged service and a real Unleash behind a
 * {@link FaultyProxy} (the test edits flags in Unleash directly while Bellwether cannot reach it):
 * <ul>
 * <li>a healthy canary is judged PASS but takes no step while its flag cannot be read, and steps once Unleash answers;
 * <li>a canary that regresses meanwhile is killed then, and the kill reaches Unleash within a bound after it answers;
 * <li>a flag changed by hand meanwhile is found as drift once Unleash answers;
 * <li>the API answers throughout, and Bellwether writes nothing to Unleash while it cannot verify it.
 * </ul>
 */
class UnleashOutageIT {

    /** How long Unleash is unreachable: the minute the fault suite asks for. */
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    /** How late a slow Unleash answers: far beyond Bellwether's own request timeout. */
    private static final Duration SLOW_ANSWER = Duration.ofSeconds(30);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 2;
    /** One flag operation against a slow Unleash: every attempt times out, with the backoff between them. */
    private static final Duration OPERATION_BOUND = REQUEST_TIMEOUT.multipliedBy(ATTEMPTS).plusMillis(200);
    /**
     * A kill decided while Unleash was unreachable lands at the first tick after it answers: one interval, plus the
     * rest of a tick in progress (a call that was already waiting on the slow Unleash), plus slack for a loaded machine.
     */
    private static final Duration KILL_LANDS_WITHIN = INTERVAL.plus(OPERATION_BOUND).plusSeconds(3);
    /** Every API call answers within this, Unleash down or slow. */
    private static final Duration API_BOUND = Duration.ofSeconds(3);
    private static final String ADMIN = "outage-admin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Duration> apiLatencies = new ArrayList<>();
    private String base;
    private String management;

    @Test
    void unreachableThenSlowUnleashTakesNoUnverifiedStepAppliesKillsOnReturnAndFindsDrift() throws Exception {
        Instant began = Instant.now();
        try (SharedPostgres postgres = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(postgres)) {
            unleash.start();
            try (FaultyProxy proxy = FaultyProxy.to(unleash.port())) {
                Map<String, String> environment = new HashMap<>(postgres.environment());
                environment.putAll(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN,
                        "BELLWETHER_ROLLOUT_INTERVAL", INTERVAL.toSeconds() + "s", "BELLWETHER_ROLLOUT_METRICS_INTERVAL", "1s",
                        "BELLWETHER_UNLEASH_URL", "http://127.0.0.1:" + proxy.port() + "/api",
                        "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                        "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken(),
                        "BELLWETHER_UNLEASH_REQUEST_TIMEOUT", REQUEST_TIMEOUT.toSeconds() + "s",
                        "BELLWETHER_UNLEASH_RETRY_ATTEMPTS", String.valueOf(ATTEMPTS),
                        "QUARKUS_UNLEASH_FETCH_TOGGLES_INTERVAL", "1",
                        // the automation switch is read before the first tick, so step-ups are not held as "unknown"
                        "QUARKUS_UNLEASH_SYNCHRONOUS_FETCH_ON_INITIALISATION", "true"));
                try (ServiceProcess service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "outage"), environment)) {
                    service.start();
                    base = service.baseUrl();
                    management = service.managementUrl();
                    Duration startup = Duration.between(began, Instant.now());
                    run(unleash, proxy, startup);
                    // every failure was taken for what it is, an outage: no controller step died on an unmapped exception
                    assertThat(Files.readString(service.logFile())).doesNotContain("controller step failed");
                }
            }
        }
    }

    private void run(UnleashServer unleash, FaultyProxy proxy, Duration startup) throws Exception {
        Rollout healthy = rollout(unleash, "healthy", "[5, 50, 100]");
        Rollout killedWhileDown = rollout(unleash, "killed-down", "[5, 50]");
        Rollout drifted = rollout(unleash, "drifted", "[5, 50]");
        Rollout killedWhileSlow = rollout(unleash, "killed-slow", "[5, 50]");
        for (Rollout each : List.of(healthy, killedWhileDown, drifted, killedWhileSlow)) {
            send("POST", "/v1/rollouts/" + each.id + "/start", "{\"reason\": \"outage test\"}");
            assertUnleash(unleash, each.flag, true, 5);
        }

        // ---- Unleash unreachable for OUTAGE
        proxy.refuse();
        Instant downFrom = Instant.now();
        double readsBefore = counter("bellwether_rollout_flag_reads_total{result=\"failed\"}");
        setPercentageByHand(unleash, drifted.flag, 60);
        healthy.traffic(200, 0.01, 400, 0.01);
        killedWhileDown.traffic(300, 0.20, 600, 0.01);
        await("a guard kill decided while Unleash is down", OUTAGE, () -> last(killedWhileDown, "guard_kill") != null);
        JsonNode kill = last(killedWhileDown, "guard_kill");
        assertThat(kill.get("answer").asText()).startsWith("not applied, will retry: Unleash is unavailable");
        await("the healthy canary judged PASS while Unleash is down", OUTAGE,
                () -> "PASS".equals(get(healthy).path("verdict").path("outcome").asText()));
        while (Instant.now().isBefore(downFrom.plus(OUTAGE))) {
            checkHeldWhileUnreachable(unleash, healthy, drifted, killedWhileDown, 5, "RUNNING");
            Thread.sleep(2000);
        }
        assertThat(unleash.enabled(killedWhileDown.flag)).as("the kill cannot have reached Unleash yet").isTrue();
        assertThat(counter("bellwether_rollout_actuations_total{result=\"failed\"}")).isPositive();
        // what BellwetherUnleashUnreachable watches: every tick's read of each running rollout's flag failed
        assertThat(counter("bellwether_rollout_flag_reads_total{result=\"failed\"}") - readsBefore)
                .as("failed flag reads during the outage").isGreaterThanOrEqualTo(OUTAGE.toSeconds() / 10);

        // ---- Unleash answers again
        proxy.pass();
        Instant downUntil = Instant.now();
        Duration killLandedAfterDown = untilOff(unleash, killedWhileDown.flag);
        await("the healthy rollout stepping once Unleash answers", Duration.ofSeconds(15), () -> get(healthy).path("step").asInt() == 1);
        await("the drift found once Unleash answers", Duration.ofSeconds(15), () -> last(drifted, "drift") != null);
        assertThat(last(drifted, "drift").get("reason").asText()).contains("at 60 %").contains("changed by hand");
        assertThat(OffsetDateTime.parse(last(drifted, "drift").get("at").asText()).toInstant()).isAfter(downUntil);
        assertThat(OffsetDateTime.parse(last(healthy, "advance").get("at").asText()).toInstant()).isAfter(downUntil);
        assertThat(OffsetDateTime.parse(kill.get("at").asText()).toInstant()).isBetween(downFrom, downUntil);
        assertUnleash(unleash, healthy.flag, true, 50);
        send("POST", "/v1/rollouts/" + drifted.id + "/resume", "{\"reason\": \"drift reviewed\"}");
        assertUnleash(unleash, drifted.flag, true, 5);
        await("the healthy canary's new step holding on too little data", Duration.ofSeconds(10),
                () -> "HOLD".equals(get(healthy).path("verdict").path("outcome").asText()));

        // ---- Unleash slow: answers held back SLOW_ANSWER, far past Bellwether's request timeout
        proxy.delay(SLOW_ANSWER);
        Instant slowFrom = Instant.now();
        turnOffByHand(unleash, drifted.flag);
        healthy.traffic(200, 0.01, 400, 0.01);
        killedWhileSlow.traffic(300, 0.20, 600, 0.01);
        // within SLOW_ANSWER: the tick's calls gave up on their own timeout, not on Unleash's late answer
        await("a guard kill decided while Unleash is slow", SLOW_ANSWER,
                () -> last(killedWhileSlow, "guard_kill") != null);
        JsonNode slowKill = last(killedWhileSlow, "guard_kill");
        assertThat(slowKill.get("answer").asText()).startsWith("not applied, will retry: Unleash is unavailable ("
                + ATTEMPTS + " attempts)");
        await("the healthy canary judged PASS while Unleash is slow", SLOW_ANSWER,
                () -> "PASS".equals(get(healthy).path("verdict").path("outcome").asText()));
        checkHeldWhileUnreachable(unleash, healthy, drifted, killedWhileSlow, 50, "RUNNING");
        assertThat(unleash.enabled(killedWhileSlow.flag)).as("the kill cannot have reached Unleash yet").isTrue();
        Duration slowPhase = Duration.between(slowFrom, Instant.now());

        proxy.pass();
        Instant slowUntil = Instant.now();
        Duration killLandedAfterSlow = untilOff(unleash, killedWhileSlow.flag);
        await("the healthy rollout stepping once Unleash answers in time", Duration.ofSeconds(20),
                () -> "PROMOTED".equals(get(healthy).path("state").asText()) || get(healthy).path("step").asInt() == 2);
        await("the second drift found", Duration.ofSeconds(20), () -> "PAUSED".equals(get(drifted).path("state").asText()));
        assertThat(last(drifted, "drift").get("reason").asText()).contains("flag off").contains("changed by hand");
        assertThat(OffsetDateTime.parse(slowKill.get("at").asText()).toInstant()).isBetween(slowFrom, slowUntil);
        assertUnleash(unleash, healthy.flag, true, 100);

        // ---- the record: every change Bellwether claims, Unleash confirmed; nothing written while unverifiable
        for (Rollout each : List.of(healthy, killedWhileDown, drifted, killedWhileSlow)) {
            for (JsonNode decision : send("GET", "/v1/rollouts/" + each.id + "/decisions", null)) {
                JsonNode actuation = decision.get("actuation");
                String answer = decision.get("answer").asText();
                switch (actuation.get("type").asText()) {
                    case "set_percentage" -> assertThat(answer).as(decision.toString())
                            .startsWith("Unleash: on at " + actuation.get("percentage").asInt() + " %");
                    case "turn_off" -> assertThat(answer).as(decision.toString()).startsWith("Unleash: off at ");
                    default -> assertThat(answer).as(decision.toString()).isEqualTo("nothing to change");
                }
            }
            if (each != drifted) {
                for (JsonNode event : unleash.events(each.flag)) {
                    Instant at = OffsetDateTime.parse(event.get("createdAt").asText()).toInstant();
                    assertThat(at.isAfter(downFrom) && at.isBefore(downUntil) || at.isAfter(slowFrom) && at.isBefore(slowUntil))
                            .as("Unleash changed %s while Bellwether could not verify it: %s", each.flag, event).isFalse();
                }
            }
        }
        assertThat(last(killedWhileDown, "guard_kill").get("answer").asText()).contains("applied on retry at");
        assertThat(last(killedWhileSlow, "guard_kill").get("answer").asText()).contains("applied on retry at");
        assertThat(killLandedAfterDown).as("kill landed after Unleash came back from down").isLessThanOrEqualTo(KILL_LANDS_WITHIN);
        assertThat(killLandedAfterSlow).as("kill landed after Unleash came back from slow").isLessThanOrEqualTo(KILL_LANDS_WITHIN);

        await("the rollout gauges refreshed", Duration.ofSeconds(10), () -> gauge("bellwether_rollout_state", killedWhileSlow, "KILLED") == 1);
        assertThat(gauge("bellwether_rollout_state", killedWhileDown, "KILLED")).isEqualTo(1);
        // the drift made during the slow phase is found at a tick after Unleash answers in time, which may follow the kill
        await("the drift made while Unleash was slow found", Duration.ofSeconds(10),
                () -> gauge("bellwether_rollout_state", drifted, "PAUSED") == 1);
        assertThat(counter("bellwether_rollout_decisions_total{app=\"" + drifted.app + "\",flag=\"" + drifted.flag
                + "\",trigger=\"drift\"}")).isEqualTo(2);
        for (Rollout killed : List.of(killedWhileDown, killedWhileSlow)) {
            assertThat(counter("bellwether_rollout_decisions_total{app=\"" + killed.app + "\",flag=\"" + killed.flag
                    + "\",trigger=\"guard_kill\"}")).isEqualTo(1);
        }
        assertThat(counter("bellwether_rollout_actuations_total{result=\"ok\"}")).isPositive();
        Duration slowest = apiLatencies.stream().max(Duration::compareTo).orElseThrow();
        assertThat(slowest).as("slowest API answer while Unleash was down or slow").isLessThan(API_BOUND);
        System.out.printf("UnleashOutageIT: startup %d ms, outage %d ms, kill landed %d ms after Unleash came back from"
                + " down, slow phase %d ms, kill landed %d ms after Unleash came back from slow, slowest API answer"
                + " %d ms over %d calls%n", startup.toMillis(), Duration.between(downFrom, downUntil).toMillis(),
                killLandedAfterDown.toMillis(), slowPhase.toMillis(), killLandedAfterSlow.toMillis(), slowest.toMillis(),
                apiLatencies.size());
    }

    /** While Unleash cannot be reached: no step, no drift found, no claim of a change Unleash confirmed; the API answers. */
    private void checkHeldWhileUnreachable(UnleashServer unleash, Rollout healthy, Rollout drifted, Rollout killed,
            int healthyPercentage, String driftedState) throws Exception {
        JsonNode held = get(healthy);
        assertThat(held.path("percentage").asInt()).as("healthy rollout held").isEqualTo(healthyPercentage);
        assertThat(held.path("pendingActuation").isObject()).as("healthy rollout has no pending change").isFalse();
        assertThat(get(drifted).path("state").asText()).isEqualTo(driftedState);
        JsonNode pending = get(killed);
        assertThat(pending.path("state").asText()).isEqualTo("KILLED");
        assertThat(pending.path("pendingActuation").path("type").asText()).isEqualTo("turn_off");
        assertThat(last(killed, "guard_kill").get("answer").asText()).startsWith("not applied, will retry");
        killed.traffic(10, 0, 10, 0); // beacons are still taken
        assertThat(counter("bellwether_rollout_actuations_total{result=\"failed\"}")).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    /** Polls Unleash directly from the moment it answers Bellwether again until the flag is off. */
    private static Duration untilOff(UnleashServer unleash, String flag) throws Exception {
        Instant from = Instant.now();
        Instant deadline = from.plus(KILL_LANDS_WITHIN).plusSeconds(30);
        while (unleash.enabled(flag)) {
            assertThat(Instant.now()).as("the kill of " + flag + " never reached Unleash").isBefore(deadline);
            Thread.sleep(100);
        }
        return Duration.between(from, Instant.now());
    }

    private static void await(String what, Duration within, Check check) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (!check.holds()) {
            assertThat(Instant.now()).as("waited " + within.toSeconds() + " s for " + what).isBefore(deadline);
            Thread.sleep(250);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private final class Rollout {
        final long id;
        final String app;
        final String flag;
        final String key;

        Rollout(long id, String app, String flag, String key) {
            this.id = id;
            this.app = app;
            this.flag = flag;
            this.key = key;
        }

        /** Final replays of canary (flag on) and control (flag off) clients, with the given dead-letter shares. */
        void traffic(int canary, double canaryDeadLetters, int control, double controlDeadLetters) throws Exception {
            beacons(true, canary, canaryDeadLetters);
            beacons(false, control, controlDeadLetters);
        }

        private void beacons(boolean on, int count, double deadLetters) throws Exception {
            String batch = UUID.randomUUID().toString().substring(0, 8);
            int bad = (int) Math.round(count * deadLetters);
            Instant now = Instant.now();
            for (int from = 0; from < count; from += 100) {
                List<String> events = new ArrayList<>();
                for (int i = from; i < Math.min(count, from + 100); i++) {
                    events.add(Fixtures.replay(batch + "-" + i, now, i < bad ? "dead_lettered" : "succeeded"));
                }
                timed("POST", "/v1/beacons?key=" + key,
                        Fixtures.beacon(app, (on ? "canary-" : "control-") + batch + "-" + from, Map.of(flag, on), events));
            }
        }
    }

    private Rollout rollout(UnleashServer unleash, String name, String steps) throws Exception {
        String app = name + "-" + UUID.randomUUID().toString().substring(0, 6);
        String flag = "outage-" + app;
        unleash.createFlag(flag);
        send("POST", "/v1/apps", "{\"name\": \"" + app + "\", \"beaconsPerSecond\": 100000}");
        String key = send("POST", "/v1/apps/" + app + "/ingest-keys", "").get("key").asText();
        long id = send("POST", "/v1/rollouts", "{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"steps\": " + steps
                + ", \"bake\": \"0s\", \"minSamplePerCohort\": 100, "
                + "\"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}").get("id").asLong();
        return new Rollout(id, app, flag, key);
    }

    private JsonNode get(Rollout rollout) throws Exception {
        return timed("GET", "/v1/rollouts/" + rollout.id, null);
    }

    /** The rollout's latest decision with {@code trigger}, or null. */
    private JsonNode last(Rollout rollout, String trigger) throws Exception {
        JsonNode found = null;
        for (JsonNode decision : timed("GET", "/v1/rollouts/" + rollout.id + "/decisions", null)) {
            if (decision.get("trigger").asText().equals(trigger)) {
                found = decision;
            }
        }
        return found;
    }

    private double gauge(String name, Rollout rollout, String state) throws Exception {
        return counter(name + "{app=\"" + rollout.app + "\",environment=\"development\",flag=\"" + rollout.flag
                + "\",state=\"" + state + "\"}");
    }

    /** A series' value on /q/metrics, 0 when absent. */
    private double counter(String series) throws Exception {
        HttpResponse<String> metrics = timedRaw(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).GET());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private JsonNode send(String method, String path, String body) throws Exception {
        return ServiceProcess.call(base, method, path, path.startsWith("/v1/beacons") ? null : ADMIN, body);
    }

    /** An API call that must succeed within {@link #API_BOUND}, its latency kept. */
    private JsonNode timed(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (path.startsWith("/v1/beacons")) {
            request.header("Content-Type", "text/plain");
        } else {
            request.header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json");
        }
        HttpResponse<String> response = timedRaw(request);
        assertThat(response.statusCode() / 100).as(method + " " + path + ": " + response.body()).isEqualTo(2);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> timedRaw(HttpRequest.Builder request) throws Exception {
        Instant sent = Instant.now();
        HttpResponse<String> response = HTTP.send(request.timeout(API_BOUND).build(), HttpResponse.BodyHandlers.ofString());
        apiLatencies.add(Duration.between(sent, Instant.now()));
        return response;
    }

    private static void setPercentageByHand(UnleashServer unleash, String flag, int percentage) throws Exception {
        JsonNode strategy = unleash.strategies(flag).get(0);
        ((ObjectNode) strategy.get("parameters")).put("rollout", String.valueOf(percentage));
        HttpResponse<String> edited = unleash.admin("PUT", "/admin/projects/" + UnleashServer.PROJECT + "/features/" + flag
                + "/environments/" + UnleashServer.ENVIRONMENT + "/strategies/" + strategy.get("id").asText(), strategy.toString());
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
    }

    private static void turnOffByHand(UnleashServer unleash, String flag) throws Exception {
        HttpResponse<String> off = unleash.admin("POST", "/admin/projects/" + UnleashServer.PROJECT + "/features/" + flag
                + "/environments/" + UnleashServer.ENVIRONMENT + "/off", null);
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
    }

    private static void assertUnleash(UnleashServer unleash, String flag, boolean enabled, int percentage) throws Exception {
        assertThat(unleash.enabled(flag)).as(flag + " enabled").isEqualTo(enabled);
        assertThat(unleash.strategies(flag).get(0).get("parameters").get("rollout").asText()).as(flag + " rollout")
                .isEqualTo(String.valueOf(percentage));
    }
}

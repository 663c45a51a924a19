package dev.bellwether.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one-command demo: an embedded PostgreSQL, a real Unleash (npm unleash-server 7.4.1), the packaged Bellwether,
 * and simulated fleets, printing a timeline of rollout steps, verdicts and actions.
 *
 * <ol>
 *   <li>A healthy canary promoted from 1 to 100 %.</li>
 *   <li>A canary that dead-letters five times as often: killed, with the seconds from the regression's onset to the
 *       flag being off in Unleash, then the kill's convergence as offline clients come back.</li>
 *   <li>A 30-minute network partition: clients flush late, every event counted once in the minute it happened.</li>
 * </ol>
 * Run with {@code ./mvnw -q -DskipTests package exec:java@demo} (about six minutes; {@code -Dsim.clients=…} changes the
 * fleet size).
 */
public final class Demo {

    private static final String ADMIN = "demo-admin-token";
    private static final int CLIENTS = Integer.getInteger("sim.clients", 1000);
    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Instant BEGAN = Instant.now();

    private final String base;
    private final UnleashServer unleash;
    private final String app = "demo-notes";
    private String key;

    private Demo(String base, UnleashServer unleash) {
        this.base = base;
        this.unleash = unleash;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("bellwether-demo");
        say("starting an embedded PostgreSQL, Unleash 7.4.1 (installed from npm on first use) and Bellwether; files in " + work);
        try (SharedPostgres postgres = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(postgres)) {
            unleash.start();
            Map<String, String> environment = new HashMap<>(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN,
                    "BELLWETHER_UNLEASH_URL", unleash.apiUrl(), "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                    "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken(), "BELLWETHER_ROLLOUT_INTERVAL", "2s",
                    "QUARKUS_LOG_LEVEL", "WARN"));
            try (ServiceProcess service = new ServiceProcess(work.resolve("bellwether-data"), environment)) {
                service.start();
                say("Bellwether is up at " + service.baseUrl() + " (rollouts judged every 2 s; metrics and health at "
                        + service.managementUrl() + "/q/metrics, /q/health); Unleash at " + unleash.baseUrl());
                Demo demo = new Demo(service.baseUrl(), unleash);
                demo.setUp();
                demo.healthyRollout();
                demo.badCanary();
                demo.partition();
            }
        }
        say("done");
        System.exit(0); // the Unleash SDK's pollers are not daemon threads
    }

    private void setUp() throws Exception {
        call("POST", "/v1/apps", "{\"name\": \"" + app + "\"}");
        key = call("POST", "/v1/apps/" + app + "/ingest-keys", "").get("key").asText();
        say("app " + app + " created with an ingest key");
    }

    private void healthyRollout() throws Exception {
        String flag = "new-sync-engine";
        long rollout = rollout(flag, "[1, 5, 25, 50, 100]", "10s");
        say("1. a healthy canary: " + CLIENTS + " clients, flag " + flag + " stepped 1 → 5 → 25 → 50 → 100 % with a 10 s bake");
        FleetSettings settings = FleetSettings.builder().clients(CLIENTS).seed(1).canaryFlag(flag).mutationsPerMinute(30)
                .flagRefreshInterval(Duration.ofSeconds(2)).syncInterval(Duration.ofSeconds(3)).build();
        try (UnleashFlags flags = new UnleashFlags(unleash.apiUrl(), unleash.clientToken(), List.of(flag))) {
            Simulator simulator = simulator(settings, flags, Instant.now());
            Timeline timeline = new Timeline(rollout);
            call("POST", "/v1/rollouts/" + rollout + "/start", "{\"reason\": \"ship " + flag + "\"}");
            simulator.runUntil(() -> timeline.state().equals("PROMOTED"), simulator.now().plus(Duration.ofMinutes(5)),
                    s -> timeline.print(s));
            timeline.print(simulator);
            say("   promoted; " + simulator.status());
        }
    }

    private void badCanary() throws Exception {
        String flag = "instant-merge";
        long rollout = rollout(flag, "[5, 25, 50, 100]", "10m");
        Instant start = Instant.now();
        Instant onset = start.plus(Duration.ofSeconds(20));
        say("2. a bad canary: flag " + flag + " at 5 %; from " + onset.truncatedTo(ChronoUnit.SECONDS)
                + " its clients dead-letter 5x as often; clients go offline for ~10 s at a time");
        FleetSettings settings = FleetSettings.builder().clients(CLIENTS).seed(2).canaryFlag(flag).mutationsPerMinute(30)
                .flagRefreshInterval(Duration.ofSeconds(2)).syncInterval(Duration.ofSeconds(3)).spells(Duration.ofSeconds(40), Duration.ofSeconds(10))
                .regression(Regression.deadLetters(5).from(onset)).build();
        try (UnleashFlags flags = new UnleashFlags(unleash.apiUrl(), unleash.clientToken(), List.of(flag))) {
            Simulator simulator = simulator(settings, flags, start);
            Timeline timeline = new Timeline(rollout);
            call("POST", "/v1/rollouts/" + rollout + "/start", "{\"reason\": \"ship " + flag + "\"}");
            Instant off = simulator.runUntilFlagOff(() -> unleash.enabled(flag), onset, onset.plus(Duration.ofMinutes(3)),
                    timeline::print);
            timeline.print(simulator);
            say(String.format(Locale.ROOT, "   flag off in Unleash %.1f s after the regression's onset",
                    Duration.between(onset, off).toMillis() / 1000.0));
            say("   watching clients converge on the kill for 3 minutes (offline ones keep the stale flag until they return)");
            simulator.runUntil(off.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(3)).plusSeconds(5), s -> { });
            for (JsonNode point : call("GET", "/v1/rollouts/" + rollout + "/convergence?activeMinutes=1", null).get("points")) {
                say(String.format(Locale.ROOT, "   minute %s: %4d active clients, %3d still reporting %s on",
                        point.get("minute").asText(), point.get("activeClients").asLong(), point.get("reportingOn").asLong(), flag));
            }
        }
    }

    private void partition() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(40));
        Instant partitionFrom = start.plus(Duration.ofMinutes(10));
        Instant partitionTo = partitionFrom.plus(Duration.ofMinutes(30));
        say("3. a network partition: 200 clients from " + start + ", all offline from " + partitionFrom + " for 30 minutes,"
                + " then flushing; 5 % of beacons sent twice");
        // an app of its own, so that the windows hold only this fleet's events, with a rate that catching up allows
        String offlineApp = "demo-offline";
        call("POST", "/v1/apps", "{\"name\": \"" + offlineApp + "\", \"beaconsPerSecond\": 100000}");
        String offlineKey = call("POST", "/v1/apps/" + offlineApp + "/ingest-keys", "").get("key").asText();
        FleetSettings settings = FleetSettings.builder().clients(200).seed(3).alwaysOnline()
                .partition(partitionFrom, Duration.ofMinutes(30)).duplicateShare(0.05).build();
        Fleet fleet = new Fleet(settings, new HashedRollout(settings.canaryFlag(), 0), start);
        BeaconTransport transport = new BeaconTransport(base, offlineApp, offlineKey, 64);
        Simulator simulator = new Simulator(fleet, transport, start, STEP);
        // catch up with the clock, then leave the reconnected clients a beacon interval to flush
        simulator.runUntil(Instant.now().plusSeconds(12), s -> { });
        say("   " + simulator.status());
        say(String.format(Locale.ROOT, "   %d events were posted again after their acknowledgement; Bellwether answered %d duplicates",
                transport.eventsRepeated(), transport.duplicates()));
        Ledger ledger = fleet.ledger();
        for (Instant[] window : List.of(new Instant[] {start, partitionFrom}, new Instant[] {partitionFrom, partitionTo})) {
            JsonNode total = call("GET", "/v1/apps/" + offlineApp + "/sli?from=" + window[0] + "&to=" + window[1], null).get("total");
            long expected = ledger.count(Ledger.between(window[0], window[1]));
            say(String.format(Locale.ROOT, "   %s .. %s: Bellwether counts %d events, the clients created %d; outbox oldest %d s",
                    window[0], window[1], total.get("events").asLong(), expected,
                    total.path("outbox").path("maxOldestAgeMs").asLong() / 1000));
        }
    }

    /** Prints each new decision of a rollout with the seconds since the demo began. */
    private final class Timeline {
        private final long rollout;
        private final Set<Long> printed = new HashSet<>();
        private String state = "DRAFT";
        private Instant lastCheck = Instant.EPOCH;

        Timeline(long rollout) {
            this.rollout = rollout;
        }

        String state() {
            return state;
        }

        void print(Simulator simulator) {
            if (Duration.between(lastCheck, Instant.now()).toMillis() < 900) {
                return;
            }
            lastCheck = Instant.now();
            try {
                for (JsonNode decision : call("GET", "/v1/rollouts/" + rollout + "/decisions", null)) {
                    if (printed.add(decision.get("id").asLong())) {
                        JsonNode actuation = decision.path("actuation");
                        say(String.format(Locale.ROOT, "   %-8s by %-10s → %s%s: %s", decision.get("trigger").asText(),
                                decision.get("actor").asText(), decision.get("toState").asText(),
                                actuation.has("percentage") ? " " + actuation.get("percentage").asInt() + " %"
                                        : List.of("", "none").contains(actuation.path("type").asText()) ? "" : " (" + actuation.path("type").asText() + ")",
                                decision.get("reason").asText()));
                    }
                }
                state = call("GET", "/v1/rollouts/" + rollout, null).get("state").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private long rollout(String flag, String steps, String bake) throws Exception {
        unleash.createFlag(flag);
        return call("POST", "/v1/rollouts", "{\"app\": \"" + app + "\", \"flag\": \"" + flag + "\", \"project\": \""
                + UnleashServer.PROJECT + "\", \"environment\": \"" + UnleashServer.ENVIRONMENT + "\", \"steps\": " + steps
                + ", \"bake\": \"" + bake + "\", \"minSamplePerCohort\": 100, \"guards\": [{\"sli\": \"dead_letter_ratio\", "
                + "\"action\": \"kill\"}, {\"sli\": \"replay_repeat_failure_ratio\", \"action\": \"kill\"}, "
                + "{\"sli\": \"sync_latency\", \"action\": \"rollback\"}]}").get("id").asLong();
    }

    private Simulator simulator(FleetSettings settings, FlagSource flags, Instant start) {
        return new Simulator(new Fleet(settings, flags, start), new BeaconTransport(base, app, key, 64), start, STEP);
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        return ServiceProcess.call(base, method, path, ADMIN, body);
    }

    private static void say(String line) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", Duration.between(BEGAN, Instant.now()).toMillis() / 1000.0, line);
    }
}

package dev.bellwether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.sim.BeaconTransport;
import dev.bellwether.sim.Fleet;
import dev.bellwether.sim.FleetSettings;
import dev.bellwether.sim.Regression;
import dev.bellwether.sim.Simulator;
import dev.bellwether.sim.UnleashFlags;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Time to kill: a rollout holding a flag at 5 % of a 2,000-client fleet (cohorts from the real Unleash evaluation),
 * whose canary starts dead-lettering five times as often; how many seconds from that onset until Bellwether's verdict,
 * and until the flag is off in Unleash, with a dead-letter guard alone and with a repeat-failure guard beside it.
 * Everything real: the packaged service, Unleash 7.4.1, PostgreSQL, HTTP. Each run has its own flag and app. Not a
 * timed test: it prints a table and writes target/bench/time-to-kill.json.
 *
 * <p>{@code -Dbench.kill-runs} (default 2), {@code -Dbench.kill-clients} (2000), {@code -Dbench.kill-percent} (5),
 * {@code -Dbench.kill-multiplier} (5), {@code -Dbench.rollout-interval} (the controller's tick, default 5s),
 * {@code -Dbench.kill-min-sample} (100), {@code -Dbench.kill-traffic} (edits per client per minute, one set of runs
 * each, default 3,12,30), {@code -Dbench.kill-guards} (guard sets, {@code +} between the SLIs of one set and
 * {@code ,} between sets; default {@code dead_letter_ratio,dead_letter_ratio+replay_repeat_failure_ratio}),
 * {@code -Dbench.kill-onsets} (seconds from the rollout's start to the onset, default 30),
 * {@code -Dbench.kill-flush} (the clients' SDK sends at once when a mutation fails again, as README recommends;
 * default true). Every guard set and onset runs the same fleets (seeds), so that they compare run by run.
 *
 * <p>Journeys ({@code docs/journeys.md}): {@code -Dbench.kill-mutations} sets the fleet's mutation names and weights
 * ({@code order.submit:2,note.update:49,note.create:49}), {@code -Dbench.kill-journeys} declares the app's journeys
 * ({@code checkout=order.submit|payment.*;notes=note.*}), {@code -Dbench.kill-regression-mutations} confines the
 * regression to those mutation names, and a guard {@code sli@journey} reads that journey's replays alone. The
 * rollouts list their guards exactly ({@code "criticalJourneyGuards": false}), so that guard sets compare.
 * {@code -Dbench.kill-give-up-minutes} (default 5) bounds each run after the onset; a run not killed by then is
 * reported as such.
 *
 * <p>Part of the time is the client's own: a poison mutation is dead-lettered only after its bounded retries with
 * backoff (about 15 s with the fleet's defaults). Its second attempt fails about a second after its first, which is
 * what the repeat-failure guard judges; the SDK sends that at once, and other events wait for the next beacon (up to
 * 10 s).
 */
class TimeToKillBenchmark {

    private static final String ADMIN = "bench-admin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RUNS = Integer.getInteger("bench.kill-runs", 2);
    private static final int CLIENTS = Integer.getInteger("bench.kill-clients", 2000);
    private static final int PERCENT = Integer.getInteger("bench.kill-percent", 5);
    private static final double MULTIPLIER = Double.parseDouble(System.getProperty("bench.kill-multiplier", "5"));
    private static final String INTERVAL = System.getProperty("bench.rollout-interval", "5s");
    private static final int MIN_SAMPLE = Integer.getInteger("bench.kill-min-sample", 100);
    /** Edits per client per minute, one set of runs each: how busy the fleet is decides how fast evidence piles up. */
    private static final List<Double> TRAFFIC = java.util.Arrays.stream(System.getProperty("bench.kill-traffic", "3,12,30")
            .split(",")).map(String::trim).map(Double::parseDouble).toList();
    /** Sets of guards, each a run of every traffic level; every guard kills. */
    private static final List<List<String>> GUARD_SETS = java.util.Arrays.stream(System.getProperty("bench.kill-guards",
            "dead_letter_ratio,dead_letter_ratio+replay_repeat_failure_ratio").split(","))
            .map(set -> java.util.Arrays.stream(set.split("\\+")).map(String::trim).toList()).toList();
    /**
     * Seconds from the rollout's start (the flag at 5 %) to the regression's onset, one set of runs each. 0: the flag
     * itself brings the regression, as a canary's bug does, and the canary is regressed from its first event. 30: the
     * regression starts in the middle of the step, after 30 s of healthy canary events that the step's evidence has
     * to outweigh.
     */
    private static final List<Long> ONSETS = java.util.Arrays.stream(System.getProperty("bench.kill-onsets", "30")
            .split(",")).map(String::trim).map(Long::parseLong).toList();
    private static final boolean FLUSH = Boolean.parseBoolean(System.getProperty("bench.kill-flush", "true"));
    private static final Duration GIVE_UP = Duration.ofMinutes(Long.getLong("bench.kill-give-up-minutes", 5));
    private static final String MUTATIONS = System.getProperty("bench.kill-mutations", "");
    /** {@code checkout=order.submit|payment.*;notes=note.*}: the app's journeys, declared in this order. */
    private static final String JOURNEYS = System.getProperty("bench.kill-journeys", "");
    private static final String REGRESSION_MUTATIONS = System.getProperty("bench.kill-regression-mutations", "");

    record Run(long onsetSeconds, String guards, double mutationsPerMinute, long seed, long canaryClients,
               double secondsToVerdict, double secondsToFlagOff, String verdict) {
    }

    @Test
    void secondsFromRegressionOnsetToFlagOff() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "bench-kill");
        List<Run> runs = new ArrayList<>();
        try (SharedPostgres postgres = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(postgres)) {
            unleash.start();
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.putAll(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN, "BELLWETHER_UNLEASH_URL", unleash.apiUrl(),
                    "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                    "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken(), "BELLWETHER_ROLLOUT_INTERVAL", INTERVAL,
                    "QUARKUS_LOG_LEVEL", "WARN"));
            try (ServiceProcess service = new ServiceProcess(work.resolve("data"), environment)) {
                service.start();
                String base = service.baseUrl();
                int flags = 0;
                for (long onset : ONSETS) {
                    for (List<String> guards : GUARD_SETS) {
                        for (int level = 0; level < TRAFFIC.size(); level++) {
                            for (int run = 0; run < RUNS; run++) {
                                // the same fleets for every guard set and onset, so that they compare run by run
                                long seed = 100 + level * RUNS + run;
                                Run last = run(base, unleash, "kill-bench-" + flags++ + "-" + seed, seed,
                                        TRAFFIC.get(level), guards, Duration.ofSeconds(onset));
                                runs.add(last);
                                System.out.printf(Locale.ROOT, "onset %d s, %s, %.0f edits/min: verdict %s, flag off %s"
                                        + " (s after onset; %d canary clients)%n", onset, last.guards(), last.mutationsPerMinute(),
                                        seconds(last.secondsToVerdict()), seconds(last.secondsToFlagOff()), last.canaryClients());
                            }
                        }
                    }
                }
            }
        }
        report(runs);
    }

    private Run run(String base, UnleashServer unleash, String flag, long seed, double mutationsPerMinute,
            List<String> guards, Duration afterStart) throws Exception {
        // an app per run: fleets of the same seed send the same client and event ids, which one app would take for
        // duplicates of the earlier run's
        String app = flag;
        call(base, "POST", "/v1/apps", "{\"name\": \"" + app + "\", \"beaconsPerSecond\": 100000}");
        String key = call(base, "POST", "/v1/apps/" + app + "/ingest-keys", "").get("key").asText();
        declareJourneys(base, app);
        unleash.createFlag(flag);
        long rollout = call(base, "POST", "/v1/rollouts", "{\"app\": \"" + app + "\", \"flag\": \"" + flag
                + "\", \"steps\": [" + PERCENT + ", 100], \"bake\": \"1h\", \"minSamplePerCohort\": " + MIN_SAMPLE
                + ", \"criticalJourneyGuards\": false, \"guards\": [" + guards.stream().map(TimeToKillBenchmark::killGuard)
                .collect(java.util.stream.Collectors.joining(", ")) + "]}").get("id").asLong();
        call(base, "POST", "/v1/rollouts/" + rollout + "/start", "{\"reason\": \"time-to-kill benchmark\"}");
        // the watch for "flag off" must not see the flag before the start has turned it on
        for (Instant limit = Instant.now().plusSeconds(30); !unleash.enabled(flag); Thread.sleep(100)) {
            if (Instant.now().isAfter(limit)) {
                throw new AssertionError("the rollout's start did not turn " + flag + " on in Unleash");
            }
        }
        Instant start = Instant.now();
        Instant onset = start.plus(afterStart);
        FleetSettings settings = FleetSettings.builder().clients(CLIENTS).seed(seed).canaryFlag(flag)
                .mutationsPerMinute(mutationsPerMinute).flushRepeatFailures(FLUSH)
                .mutationMix(MUTATIONS.isBlank() ? null : FleetSettings.parseMix(MUTATIONS))
                .regression(regression().from(onset)).build();
        try (UnleashFlags flags = new UnleashFlags(unleash.apiUrl(), unleash.clientToken(), List.of(flag))) {
            Fleet fleet = new Fleet(settings, flags, start);
            Simulator simulator = new Simulator(fleet, new BeaconTransport(base, app, key, 64), start,
                    Duration.ofSeconds(1));
            long[] mostCanaryClients = {0};
            Instant giveUp = onset.plus(GIVE_UP);
            Instant off;
            try {
                off = simulator.runUntilFlagOff(() -> unleash.enabled(flag), onset, giveUp,
                        s -> mostCanaryClients[0] = Math.max(mostCanaryClients[0], s.fleet().canaryClients()));
            } catch (IllegalStateException e) {
                if (!simulator.now().isAfter(giveUp)) {
                    throw e;
                }
                off = null; // not killed within the give-up time: a result, reported as such
            }
            if (off == null) {
                return new Run(afterStart.toSeconds(), String.join(" + ", guards), mutationsPerMinute, seed,
                        mostCanaryClients[0], Double.NaN, Double.NaN, "not killed within " + GIVE_UP.toMinutes() + " min");
            }
            // Unleash may answer "off" a moment before the decision's transaction commits
            JsonNode kill = null;
            for (Instant limit = Instant.now().plusSeconds(10); kill == null && Instant.now().isBefore(limit); Thread.sleep(100)) {
                for (JsonNode decision : call(base, "GET", "/v1/rollouts/" + rollout + "/decisions", null)) {
                    if (decision.get("toState").asText().equals("KILLED")) {
                        kill = decision;
                    }
                }
            }
            if (kill == null) {
                throw new AssertionError("the flag went off without a kill decision: " + call(base, "GET", "/v1/rollouts/" + rollout, null));
            }
            Instant verdictAt = Instant.parse(kill.get("at").asText());
            return new Run(afterStart.toSeconds(), String.join(" + ", guards), mutationsPerMinute, seed, mostCanaryClients[0],
                    seconds(onset, verdictAt), seconds(onset, off), kill.get("reason").asText());
        }
    }

    private static Regression regression() {
        Regression regression = Regression.deadLetters(MULTIPLIER);
        return REGRESSION_MUTATIONS.isBlank() ? regression
                : regression.onlyFor(java.util.Set.of(REGRESSION_MUTATIONS.split(",")));
    }

    private static void declareJourneys(String base, String app) throws Exception {
        if (JOURNEYS.isBlank()) {
            return;
        }
        for (String journey : JOURNEYS.split(";")) {
            String[] nameAndPatterns = journey.split("=", 2);
            ArrayNode patterns = JSON.createArrayNode();
            java.util.Arrays.stream(nameAndPatterns[1].trim().split("\\|")).forEach(patterns::add);
            ObjectNode body = JSON.createObjectNode().put("criticality", "critical");
            body.set("mutations", patterns);
            call(base, "PUT", "/v1/apps/" + app + "/journeys/" + nameAndPatterns[0].trim(), JSON.writeValueAsString(body));
        }
    }

    /** {@code sli} or {@code sli@journey}: a kill guard. */
    private static String killGuard(String spec) {
        String[] sliAndJourney = spec.split("@", 2);
        ObjectNode guard = JSON.createObjectNode().put("sli", sliAndJourney[0]).put("action", "kill");
        if (sliAndJourney.length == 2) {
            guard.put("journey", sliAndJourney[1]);
        }
        return guard.toString();
    }

    private static void report(List<Run> runs) throws Exception {
        System.out.println();
        System.out.printf(Locale.ROOT, "%d clients, %d %% canary, %.0fx dead letters%s from the onset, controller every %s, min sample %d,"
                + " repeat failures sent at once: %s%s%n", CLIENTS, PERCENT, MULTIPLIER,
                REGRESSION_MUTATIONS.isBlank() ? "" : " of " + REGRESSION_MUTATIONS, INTERVAL, MIN_SAMPLE, FLUSH,
                MUTATIONS.isBlank() ? "" : ", mutations " + MUTATIONS + ", journeys " + JOURNEYS);
        System.out.println("| onset after start s | guards | edits/min/client | run (seed) | canary clients at most"
                + " | onset → FAIL verdict s | onset → flag off in Unleash s |");
        System.out.println("|---|---|---|---|---|---|---|");
        ObjectNode json = JSON.createObjectNode();
        json.put("clients", CLIENTS).put("canaryPercent", PERCENT).put("deadLetterMultiplier", MULTIPLIER)
                .put("rolloutInterval", INTERVAL).put("minSamplePerCohort", MIN_SAMPLE)
                .put("flushRepeatFailures", FLUSH).put("mutations", MUTATIONS).put("journeys", JOURNEYS)
                .put("regressionMutations", REGRESSION_MUTATIONS).put("giveUpMinutes", GIVE_UP.toMinutes());
        ArrayNode levels = json.putArray("traffic");
        // runs were made level by level: grouping keeps that order
        Map<List<Object>, List<Run>> byLevel = runs.stream().collect(java.util.stream.Collectors.groupingBy(
                r -> List.of(r.onsetSeconds(), r.guards(), r.mutationsPerMinute()), java.util.LinkedHashMap::new,
                java.util.stream.Collectors.toList()));
        for (List<Run> level : byLevel.values()) {
            Run first = level.get(0);
            ObjectNode levelJson = levels.addObject().put("onsetSecondsAfterStart", first.onsetSeconds())
                    .put("guards", first.guards())
                    .put("mutationsPerMinutePerClient", first.mutationsPerMinute())
                    .put("killed", level.stream().filter(r -> !Double.isNaN(r.secondsToFlagOff())).count())
                    .put("medianSecondsToFlagOff", finite(median(level.stream().map(Run::secondsToFlagOff).toList())))
                    .put("medianSecondsToVerdict", finite(median(level.stream().map(Run::secondsToVerdict).toList())));
            ArrayNode array = levelJson.putArray("runs");
            for (int i = 0; i < level.size(); i++) {
                Run r = level.get(i);
                System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %d (%d) | %d | %s | %s |%n", r.onsetSeconds(), r.guards(),
                        r.mutationsPerMinute(), i + 1, r.seed(), r.canaryClients(), seconds(r.secondsToVerdict()),
                        seconds(r.secondsToFlagOff()));
                array.addObject().put("seed", r.seed()).put("canaryClients", r.canaryClients())
                        .put("secondsToVerdict", finite(r.secondsToVerdict())).put("secondsToFlagOff", finite(r.secondsToFlagOff()))
                        .put("verdict", r.verdict());
            }
        }
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("time-to-kill.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** A run not killed within the give-up time counts as longer than any that was: NaN sorts last. */
    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Double finite(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "not killed" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    private static JsonNode call(String base, String method, String path, String body) throws Exception {
        return ServiceProcess.call(base, method, path, ADMIN, body);
    }
}

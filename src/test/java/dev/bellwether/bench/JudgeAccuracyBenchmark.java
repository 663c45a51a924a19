package dev.bellwether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.ingest.Beacon;
import dev.bellwether.ingest.BeaconParser;
import dev.bellwether.journey.JourneyMatcher;
import dev.bellwether.journey.JourneySpec;
import dev.bellwether.telemetry.TelemetryEvent;
import dev.bellwether.judge.CanaryJudge;
import dev.bellwether.judge.StepWindows;
import dev.bellwether.judge.Guard;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.judge.JudgeSettings;
import dev.bellwether.judge.Verdict;
import dev.bellwether.rollout.Actuation;
import dev.bellwether.rollout.RolloutMachine;
import dev.bellwether.rollout.RolloutMachine.Position;
import dev.bellwether.rollout.RolloutState;
import dev.bellwether.rollout.Trigger;
import dev.bellwether.sim.Fleet;
import dev.bellwether.sim.FleetSettings;
import dev.bellwether.sim.HashedRollout;
import dev.bellwether.sim.OutgoingBeacon;
import dev.bellwether.sim.Regression;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Rollup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * How often the canary judge gets a whole rollout right, end to end but without HTTP or a database: seeded simulated
 * fleets ({@link Fleet}) post beacons, the service's {@link BeaconParser} reads them, their events go into
 * {@link Rollup}s split into canary (flag on) and control (flag off) as {@code SliService.canaryAgainstControl} does,
 * and every controller tick {@link CanaryJudge} judges the current step with the service's default
 * {@link JudgeSettings}; {@link RolloutMachine} moves the rollout and the move is actuated on a {@link HashedRollout}.
 *
 * <p>Two scenarios, each over {@code bench.rollouts} seeds (200; the same seeds for both):
 * <ul>
 *   <li><b>A/A</b>: the canary behaves exactly as control. Any kill, rollback or freeze is a false kill (aim ≤ 1 %).</li>
 *   <li><b>2× dead letters</b>: canary clients make poison mutations twice as often from their first flag evaluation
 *       on. Power is the share killed or rolled back before the rollout reached 100 % (aim ≥ 95 %).</li>
 * </ul>
 * The rollout is the README's: 2,000 clients (fleet defaults otherwise), steps 1, 5, 25, 50, 100 %, bake 5 minutes,
 * a tick every 5 s (the service's default), 200 events per cohort at least, guards dead_letter_ratio → kill, replay_repeat_failure_ratio →
 * kill, sync_latency → rollback and conflict_ratio → rollback; the fleet runs 5 minutes with the flag off first, and each rollout gets 3 simulated hours.
 * The controller's moves mirror {@code RolloutStepper.step}: FAIL applies the guard's action; PASS after the bake
 * advances, and so does any verdict but FAIL after the bake at 100 %. It prints a table and writes
 * {@code target/bench/judge-accuracy.json}; it asserts only that the runs happened, not the aims. The run time goes
 * into events (about 12,000 a simulated minute: made, written, read back, parsed), not fleet steps: about 7 minutes
 * on 2 cores for the default run.
 *
 * <pre>
 * ./mvnw -Pbench verify -Dit.test=JudgeAccuracyBenchmark                      # this benchmark alone
 * ./mvnw -Pbench verify -Dit.test=JudgeAccuracyBenchmark -Dbench.rollouts=20  # a quick look
 * </pre>
 * Other knobs, to measure alternatives (the defaults are the service's): {@code bench.alpha},
 * {@code bench.min-absolute-effect}, {@code bench.min-relative-effect}, {@code bench.effect-scale},
 * {@code bench.min-sample}, {@code bench.bake-minutes}, {@code bench.steps}, {@code bench.guards}
 * ({@code sli:action,...}), {@code bench.clients}, {@code bench.dead-letter-multiplier},
 * {@code bench.limit-minutes}, {@code bench.warm-up-minutes}, {@code bench.seed}, {@code bench.fleet-step-seconds},
 * {@code bench.tick-seconds}, {@code bench.scenarios} ({@code aa,dead-letters}), {@code bench.json-text} and
 * {@code bench.first-attempt-flags} (false: the SDK reports each replay with the flags of that attempt).
 *
 * <p>Journeys ({@code docs/journeys.md}): {@code bench.mutations} sets the fleet's mutation names and weights
 * ({@code order.submit:2,note.update:98}), {@code bench.journeys} declares journeys ({@code checkout=order.submit;notes=note.*}),
 * a guard {@code sli@journey:action} reads that journey's replays alone, {@code bench.regression-mutations} confines the
 * regression to those mutation names, and {@code bench.edits-per-minute} sets the fleet's edit rate. Time to kill on a
 * journey-confined regression at a fixed 5 % canary, the same fleets with and without the journey guard, and A/A with
 * it, as docs/benchmarks.md runs them:
 * <pre>
 * ./mvnw -Pbench verify -Dit.test=JudgeAccuracyBenchmark -Dbench.scenarios=dead-letters -Dbench.dead-letter-multiplier=5 \
 *     -Dbench.mutations=order.submit:2,note.update:49,note.create:49 -Dbench.journeys=checkout=order.submit \
 *     -Dbench.regression-mutations=order.submit -Dbench.steps=5,100 -Dbench.bake-minutes=600 -Dbench.limit-minutes=60 \
 *     -Dbench.guards=dead_letter_ratio:kill,replay_repeat_failure_ratio:kill,replay_repeat_failure_ratio@checkout:kill
 * </pre>
 */
class JudgeAccuracyBenchmark {

    private static final int ROLLOUTS = Integer.getInteger("bench.rollouts", 200);
    private static final long FIRST_SEED = Long.getLong("bench.seed", 1);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 2000);
    private static final List<Integer> STEPS = Arrays.stream(System.getProperty("bench.steps", "1,5,25,50,100").split(","))
            .map(String::trim).map(Integer::valueOf).toList();
    private static final Duration BAKE = Duration.ofMinutes(Long.getLong("bench.bake-minutes", 5));
    private static final long MIN_SAMPLE = Long.getLong("bench.min-sample", 200);
    /** The controller's interval (bellwether.rollout.interval). */
    private static final Duration TICK = Duration.ofSeconds(Long.getLong("bench.tick-seconds", 5));
    /** Simulated time per fleet step: coarser is faster; a tick must be a whole number of steps. */
    private static final Duration FLEET_STEP = Duration.ofSeconds(Long.getLong("bench.fleet-step-seconds", 5));
    private static final Duration TIME_LIMIT = Duration.ofMinutes(Long.getLong("bench.limit-minutes", 180));
    /** The app runs with the flag off for a while first, so that the fleet is in its steady state when the rollout starts. */
    private static final Duration WARM_UP = Duration.ofMinutes(Long.getLong("bench.warm-up-minutes", 5));
    private static final double DEAD_LETTER_MULTIPLIER =
            Double.parseDouble(System.getProperty("bench.dead-letter-multiplier", "2"));
    private static final List<Guard> GUARDS = guards(System.getProperty("bench.guards",
            "dead_letter_ratio:kill,replay_repeat_failure_ratio:kill,sync_latency:rollback,conflict_ratio:rollback"));
    private static final JudgeSettings JUDGE = judgeSettings();
    /** The SDK reports a mutation's replays with the flags of its first attempt, as README's beacon contract asks. */
    private static final boolean FIRST_ATTEMPT_FLAGS = Boolean.parseBoolean(System.getProperty("bench.first-attempt-flags", "true"));
    /**
     * false: the beacon's tree is built from the simulator's event nodes instead of its JSON text being read back (the
     * same tree and the same figures, sooner); the parser reads it either way.
     */
    private static final boolean JSON_TEXT = Boolean.parseBoolean(System.getProperty("bench.json-text", "true"));
    private static final List<String> SCENARIOS = List.of(System.getProperty("bench.scenarios", "aa,dead-letters").split(","));
    /** The JSON file's name in target/bench, so that runs with different settings keep their own. */
    private static final String OUTPUT = System.getProperty("bench.output", "judge-accuracy.json");
    private static final double EDITS_PER_MINUTE = Double.parseDouble(System.getProperty("bench.edits-per-minute", "3"));
    /** The fleet's mutation names and weights; empty: the simulator's four note-taking names alike. */
    private static final String MUTATIONS = System.getProperty("bench.mutations", "");
    private static final String REGRESSION_MUTATIONS = System.getProperty("bench.regression-mutations", "");
    /** Journeys by name, each with its patterns, matched as the service matches them. */
    private static final Map<String, List<String>> JOURNEYS = journeys(System.getProperty("bench.journeys", ""));
    private static final JourneyMatcher MATCHER = matcher(JOURNEYS);

    private static final String APP = "field-notes";
    private static final String FLAG = "new-sync-engine";
    private static final Instant FLEET_START = Instant.parse("2026-11-25T09:50:00Z");
    /** The service's ingest defaults: 1000 events per beacon, 5 minutes of clock skew, 14 days of raw events. */
    private static final BeaconParser PARSER = new BeaconParser(1000, Duration.ofMinutes(5), Duration.ofDays(14));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a rollout ended within the time limit; HOLDING: still running at it. */
    enum Ending { PROMOTED, KILLED, ROLLED_BACK, FROZEN, HOLDING }

    record Scenario(String name, String label, Regression regression) {
    }

    /** One step as the rollout lived it, for the analysis: how it left, and what the judge saw last. */
    record StepTrace(int percentage, double minutes, String exit, long canaryReplays, long controlReplays,
                     long canarySyncs, long controlSyncs, double canaryDeadLetterRatio, double controlDeadLetterRatio,
                     double maxDeadLetterEvidence, String lastReason) {
    }

    record RolloutResult(long seed, Ending ending, int percentage, double minutes, String failedGuards, String reason,
                         List<StepTrace> steps, long rejectedEvents, int verdicts) {

        boolean failed() {
            return ending == Ending.KILLED || ending == Ending.ROLLED_BACK || ending == Ending.FROZEN;
        }
    }

    @Test
    void judgeAccuracyOverSimulatedRollouts() throws Exception {
        assertThat(TICK.toMillis() % FLEET_STEP.toMillis()).as("the tick must be a whole number of fleet steps").isZero();
        List<Scenario> scenarios = new ArrayList<>();
        if (SCENARIOS.contains("aa")) {
            scenarios.add(new Scenario("aa", "A/A (healthy canary)", Regression.NONE));
        }
        if (SCENARIOS.contains("dead-letters")) {
            Regression regression = Regression.deadLetters(DEAD_LETTER_MULTIPLIER);
            if (!REGRESSION_MUTATIONS.isBlank()) {
                regression = regression.onlyFor(java.util.Set.of(REGRESSION_MUTATIONS.split(",")));
            }
            scenarios.add(new Scenario("dead-letters", String.format(Locale.ROOT, "%sx dead letters%s",
                    trim(DEAD_LETTER_MULTIPLIER), REGRESSION_MUTATIONS.isBlank() ? "" : " of " + REGRESSION_MUTATIONS),
                    regression));
        }
        long started = System.nanoTime();
        Map<Scenario, List<RolloutResult>> results = new java.util.LinkedHashMap<>();
        for (Scenario scenario : scenarios) {
            // rollouts are independent (own fleet, own flag): parallel, and each is deterministic for its seed
            results.put(scenario, LongStream.range(FIRST_SEED, FIRST_SEED + ROLLOUTS).parallel()
                    .mapToObj(seed -> rollout(scenario, seed)).sorted(Comparator.comparingLong(RolloutResult::seed)).toList());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report(results, seconds);

        for (List<RolloutResult> runs : results.values()) {
            assertThat(runs).hasSize(ROLLOUTS);
            assertThat(runs).allSatisfy(r -> assertThat(r.verdicts()).as("seed %d was judged", r.seed()).isPositive());
            assertThat(runs.stream().mapToLong(RolloutResult::rejectedEvents).sum()).as("events the parser rejected").isZero();
        }
    }

    // ---------------------------------------------------------------- one rollout

    private static RolloutResult rollout(Scenario scenario, long seed) {
        FleetSettings settings = FleetSettings.builder().clients(CLIENTS).seed(seed).canaryFlag(FLAG)
                .firstAttemptFlags(FIRST_ATTEMPT_FLAGS).mutationsPerMinute(EDITS_PER_MINUTE)
                .mutationMix(MUTATIONS.isBlank() ? null : FleetSettings.parseMix(MUTATIONS))
                .regression(scenario.regression()).build();
        HashedRollout flag = new HashedRollout(FLAG, 0);
        Fleet fleet = new Fleet(settings, flag, FLEET_START);
        StepTelemetry telemetry = new StepTelemetry();
        Instant now = FLEET_START;
        Instant startedAt = FLEET_START.plus(WARM_UP);
        while (now.isBefore(startedAt)) {
            now = now.plus(FLEET_STEP);
            // the first step reads from the minute the rollout starts in (a whole minute): nothing earlier counts
            if (now.isBefore(startedAt)) {
                fleet.step(now, FLEET_STEP).forEach(fleet::delivered);
            } else {
                telemetry.deliver(fleet, now);
                telemetry.settle();
            }
        }

        Position position = move(new Position(RolloutState.DRAFT, -1), Trigger.START, flag);
        Instant stepStartedAt = now;
        telemetry.startStep(now);
        StepWatch watch = new StepWatch();
        List<StepTrace> steps = new ArrayList<>();
        Instant deadline = startedAt.plus(TIME_LIMIT);
        Instant nextTick = startedAt.plus(TICK);
        Verdict last = null;
        int verdicts = 0;
        while (position.state() == RolloutState.RUNNING && now.isBefore(deadline)) {
            now = now.plus(FLEET_STEP);
            telemetry.deliver(fleet, now);
            if (!now.isBefore(nextTick)) {
                nextTick = nextTick.plus(TICK);
                // RolloutStepper.step: judge the current step; FAIL applies the guard's action, PASS after the bake advances
                boolean full = STEPS.get(position.step()) == 100;
                last = CanaryJudge.judge(GUARDS, journey -> telemetry.windows(!full, journey), JUDGE);
                verdicts++;
                watch.saw(last);
                Trigger trigger = null;
                if (last.outcome() == Verdict.Outcome.FAIL) {
                    trigger = switch (last.action()) {
                        case KILL -> Trigger.GUARD_KILL;
                        case ROLLBACK -> Trigger.GUARD_ROLLBACK;
                        case FREEZE -> Trigger.GUARD_FREEZE;
                    };
                } else if (Duration.between(stepStartedAt, now).compareTo(BAKE) >= 0
                        && (last.outcome() == Verdict.Outcome.PASS || full)) {
                    // at 100 % control drains away, so a HOLD through the bake promotes too (no guard failed)
                    trigger = Trigger.ADVANCE;
                }
                if (trigger != null) {
                    Position from = position;
                    position = move(position, trigger, flag);
                    steps.add(watch.trace(STEPS.get(from.step()), Duration.between(stepStartedAt, now),
                            trigger == Trigger.ADVANCE ? "advanced" : "failed", last, telemetry));
                    if (position.step() != from.step() && position.state() == RolloutState.RUNNING) {
                        stepStartedAt = now;
                        telemetry.startStep(now);
                        watch = new StepWatch();
                    }
                }
            }
            telemetry.settle();
        }
        Ending ending = switch (position.state()) {
            case PROMOTED -> Ending.PROMOTED;
            case KILLED -> Ending.KILLED;
            case ROLLED_BACK -> Ending.ROLLED_BACK;
            case FROZEN -> Ending.FROZEN;
            default -> Ending.HOLDING;
        };
        if (ending == Ending.HOLDING) {
            steps.add(watch.trace(STEPS.get(position.step()), Duration.between(stepStartedAt, now), "time limit", last, telemetry));
        }
        boolean failed = last != null && last.outcome() == Verdict.Outcome.FAIL;
        String failedGuards = failed ? last.guards().stream().filter(g -> g.outcome() == Verdict.Outcome.FAIL)
                .map(Verdict.GuardResult::label).collect(Collectors.joining("+")) : null;
        return new RolloutResult(seed, ending, STEPS.get(position.step()),
                Duration.between(startedAt, now).toMillis() / 60_000.0, failedGuards,
                last == null ? null : last.reason(), steps, telemetry.rejected, verdicts);
    }

    /** A move by the state machine, actuated as the flag service would: the fleet sees it at its next flag refresh. */
    private static Position move(Position from, Trigger trigger, HashedRollout flag) {
        RolloutMachine.Move move;
        try {
            move = RolloutMachine.apply(from, trigger, STEPS);
        } catch (RolloutMachine.RefusedException e) {
            throw new IllegalStateException(e);
        }
        if (move.actuation() instanceof Actuation.SetPercentage set) {
            flag.percentage(set.percentage());
        } else if (move.actuation() instanceof Actuation.TurnOff) {
            flag.turnOff();
        }
        return move.to();
    }

    /**
     * The canary and control rollups of the current step by minute, as {@code SliService.canaryAgainstControl} reads
     * them: by event time, from the minute the step started in ({@code RollupStore.read} truncates {@code from} to the
     * minute, so the step's first minute includes events just before it) up to, not including, the minute bucket of
     * the judging instant. Events of the instant itself land in its bucket when it is a whole minute; they are held
     * back until the judge has looked ({@link #settle}). {@link #windows} gives the judge the whole step and each later
     * minute on, as the service does.
     */
    static final class StepTelemetry {
        long rejected;
        private Instant fromMinute = Instant.MIN;
        /** The step's minute buckets: canary, control; the whole app's, then each journey's replays alone. */
        private final NavigableMap<Instant, Rollup[]> stepMinutes = new TreeMap<>();
        private final Map<String, NavigableMap<Instant, Rollup[]>> stepJourneyMinutes = new java.util.HashMap<>();
        /** Minute buckets as far back as a step that starts now reaches: the current minute. */
        private final NavigableMap<Instant, Rollup[]> recentMinutes = new TreeMap<>();
        private final Map<String, NavigableMap<Instant, Rollup[]>> recentJourneyMinutes = new java.util.HashMap<>();
        private final List<Arrived> heldBack = new ArrayList<>();

        /** @param journey the replay's journey; null for any other event (or when no journeys are declared) */
        private record Arrived(boolean canary, TelemetryEvent event, String journey) {
        }

        /** The journey of a replay, as the service maps it at ingest; null for any other event or without journeys. */
        private static String journeyOf(TelemetryEvent event) {
            if (JOURNEYS.isEmpty() || !(event instanceof TelemetryEvent.Replay replay)) {
                return null;
            }
            long id = MATCHER.journeyOf(replay.mutation());
            return id == JourneyMatcher.OTHER_ID ? JourneySpec.OTHER : new ArrayList<>(JOURNEYS.keySet()).get((int) id - 1);
        }

        private void add(NavigableMap<Instant, Rollup[]> app, Map<String, NavigableMap<Instant, Rollup[]>> journeys,
                Instant bucket, boolean canary, TelemetryEvent event, String journey) {
            cohorts(app, bucket)[canary ? 0 : 1].add(event);
            if (journey != null) {
                cohorts(journeys.computeIfAbsent(journey, j -> new TreeMap<>()), bucket)[canary ? 0 : 1].add(event);
            }
        }

        void deliver(Fleet fleet, Instant now) {
            Instant currentMinute = now.truncatedTo(ChronoUnit.MINUTES);
            recentMinutes.headMap(currentMinute, false).clear();
            recentJourneyMinutes.values().forEach(minutes -> minutes.headMap(currentMinute, false).clear());
            for (OutgoingBeacon outgoing : fleet.step(now, FLEET_STEP)) {
                Beacon beacon;
                try {
                    beacon = PARSER.parse(JSON_TEXT ? JSON.readTree(outgoing.body(APP)) : outgoing.tree(APP), now);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                // sent twice: the service keeps one copy of each event id, so the copy adds nothing here either
                fleet.delivered(outgoing);
                rejected += beacon.rejected().size();
                Boolean on = beacon.cohort().isOn(FLAG);
                if (on == null) {
                    continue; // clients without the flag are in neither cohort
                }
                for (Beacon.IndexedEvent indexed : beacon.events()) {
                    TelemetryEvent event = indexed.event();
                    String journey = journeyOf(event);
                    Instant bucket = event.at().truncatedTo(ChronoUnit.MINUTES);
                    if (!bucket.isBefore(currentMinute)) {
                        add(recentMinutes, recentJourneyMinutes, bucket, on, event, journey);
                    }
                    if (bucket.isBefore(fromMinute)) {
                        continue;
                    }
                    if (bucket.isBefore(now)) {
                        add(stepMinutes, stepJourneyMinutes, bucket, on, event, journey);
                    } else {
                        heldBack.add(new Arrived(on, event, journey));
                    }
                }
            }
        }

        private static Rollup[] cohorts(NavigableMap<Instant, Rollup[]> minutes, Instant bucket) {
            return minutes.computeIfAbsent(bucket, b -> new Rollup[] {new Rollup(), new Rollup()});
        }

        /** After the judge (if it ran): what was held back counts from now on. */
        void settle() {
            heldBack.forEach(held -> add(stepMinutes, stepJourneyMinutes, held.event().at().truncatedTo(ChronoUnit.MINUTES),
                    held.canary(), held.event(), held.journey()));
            heldBack.clear();
        }

        /** A new step: rollups start again from the minute it starts in, with what that minute already holds. */
        void startStep(Instant at) {
            fromMinute = at.truncatedTo(ChronoUnit.MINUTES);
            stepMinutes.clear();
            stepJourneyMinutes.clear();
            copyFrom(recentMinutes, stepMinutes);
            recentJourneyMinutes.forEach((journey, minutes) ->
                    copyFrom(minutes, stepJourneyMinutes.computeIfAbsent(journey, j -> new TreeMap<>())));
            heldBack.clear(); // already in the minute buckets just merged
        }

        private void copyFrom(NavigableMap<Instant, Rollup[]> recent, NavigableMap<Instant, Rollup[]> step) {
            recent.tailMap(fromMinute, true).forEach((bucket, arms) -> {
                Rollup[] copy = cohorts(step, bucket);
                copy[0].merge(arms[0]);
                copy[1].merge(arms[1]);
            });
        }

        /** The whole step so far: canary, control. */
        Rollup[] wholeStep() {
            Rollup[] whole = {new Rollup(), new Rollup()};
            stepMinutes.values().forEach(arms -> {
                whole[0].merge(arms[0]);
                whole[1].merge(arms[1]);
            });
            return whole;
        }

        /** The whole step, then each later minute on; without control at 100 %; a journey's replays alone, or (null) the app's. */
        List<StepWindows.Window> windows(boolean withControl, String journey) {
            java.util.TreeMap<Long, StepWindows.Minute> byMinute = new java.util.TreeMap<>();
            (journey == null ? stepMinutes : stepJourneyMinutes.getOrDefault(journey, new TreeMap<>())).forEach((bucket, arms) -> byMinute.put(Duration.between(fromMinute, bucket).toMinutes(),
                    new StepWindows.Minute(arms[0], arms[1])));
            return StepWindows.of(byMinute, withControl);
        }
    }

    /** What the judge said over one step, for its trace. */
    static final class StepWatch {
        private double maxDeadLetterEvidence;

        void saw(Verdict verdict) {
            deadLetters(verdict).ifPresent(g -> g.comparisons().forEach(c ->
                    maxDeadLetterEvidence = Math.max(maxDeadLetterEvidence, c.likelihoodRatio())));
        }

        /** @param step what the last verdict judged: its dead-letter ratios are the whole step's, as the verdict's are a window's */
        StepTrace trace(int percentage, Duration length, String exit, Verdict last, StepTelemetry step) {
            var deadLetters = last == null ? java.util.Optional.<Verdict.GuardResult>empty() : deadLetters(last);
            var latency = last == null ? java.util.Optional.<Verdict.GuardResult>empty()
                    : last.guards().stream().filter(g -> g.sli().equals(Sli.SYNC_LATENCY.wireName())).findFirst();
            boolean compared = deadLetters.map(g -> !g.comparisons().isEmpty()).orElse(false);
            Rollup[] whole = step.wholeStep();
            return new StepTrace(percentage, length.toMillis() / 60_000.0, exit,
                    deadLetters.map(Verdict.GuardResult::canaryValid).orElse(-1L),
                    deadLetters.map(Verdict.GuardResult::controlValid).orElse(-1L),
                    latency.map(Verdict.GuardResult::canaryValid).orElse(-1L),
                    latency.map(Verdict.GuardResult::controlValid).orElse(-1L),
                    compared ? deadLetterRatio(whole[0]) : Double.NaN, compared ? deadLetterRatio(whole[1]) : Double.NaN,
                    maxDeadLetterEvidence, last == null ? null : last.reason());
        }

        private static double deadLetterRatio(Rollup rollup) {
            Double ratio = Sli.DEAD_LETTER_RATIO.count(rollup, null).errorRatio();
            return ratio == null ? Double.NaN : ratio;
        }

        private static java.util.Optional<Verdict.GuardResult> deadLetters(Verdict verdict) {
            return verdict.guards().stream().filter(g -> g.sli().equals(Sli.DEAD_LETTER_RATIO.wireName())).findFirst();
        }
    }

    // ---------------------------------------------------------------- report

    private static void report(Map<Scenario, List<RolloutResult>> results, double seconds) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nJudge accuracy: %d rollouts per scenario, %d clients, steps %s, bake %d min, "
                        + "tick %d s, min %d per cohort, guards %s, %s; limit %d min; fleet step %d s; replays reported with the flags "
                        + "of %s%n%n",
                ROLLOUTS, CLIENTS, STEPS, BAKE.toMinutes(), TICK.toSeconds(), MIN_SAMPLE, describe(GUARDS), JUDGE,
                TIME_LIMIT.toMinutes(), FLEET_STEP.toSeconds(), FIRST_ATTEMPT_FLAGS ? "their first attempt" : "each attempt"));
        out.append("| scenario | rollouts | promoted | killed | rolled back | frozen | holding at limit | measure | aim "
                + "| median min to kill/rollback | median min to promotion |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        ObjectNode json = JSON.createObjectNode();
        ObjectNode settings = json.putObject("settings");
        settings.put("rollouts", ROLLOUTS).put("firstSeed", FIRST_SEED).put("clients", CLIENTS)
                .put("bakeMinutes", BAKE.toMinutes()).put("tickSeconds", TICK.toSeconds()).put("minSamplePerCohort", MIN_SAMPLE)
                .put("fleetStepSeconds", FLEET_STEP.toSeconds()).put("timeLimitMinutes", TIME_LIMIT.toMinutes())
                .put("warmUpMinutes", WARM_UP.toMinutes()).put("guards", describe(GUARDS)).put("alpha", JUDGE.alpha())
                .put("minAbsoluteEffect", JUDGE.minAbsoluteEffect()).put("minRelativeEffect", JUDGE.minRelativeEffect())
                .put("effectScale", JUDGE.effectScale()).put("deadLetterMultiplier", DEAD_LETTER_MULTIPLIER)
                .put("jsonText", JSON_TEXT).put("firstAttemptFlags", FIRST_ATTEMPT_FLAGS)
                .put("editsPerMinute", EDITS_PER_MINUTE).put("mutations", MUTATIONS).put("journeys", JOURNEYS.toString())
                .put("regressionMutations", REGRESSION_MUTATIONS);
        STEPS.forEach(settings.putArray("steps")::add);
        ObjectNode scenariosJson = json.putObject("scenarios");
        for (var entry : results.entrySet()) {
            Scenario scenario = entry.getKey();
            List<RolloutResult> runs = entry.getValue();
            boolean aa = scenario.regression().equals(Regression.NONE);
            long failed = runs.stream().filter(RolloutResult::failed).count();
            long caughtBeforeFull = runs.stream().filter(r -> r.failed() && r.percentage() < 100).count();
            double share = (double) (aa ? failed : caughtBeforeFull) / runs.size();
            double toFailure = median(runs.stream().filter(RolloutResult::failed).mapToDouble(RolloutResult::minutes).toArray());
            double toPromotion = median(runs.stream().filter(r -> r.ending() == Ending.PROMOTED)
                    .mapToDouble(RolloutResult::minutes).toArray());
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %s %.1f %% | %s | %s | %s |%n",
                    scenario.label(), runs.size(), count(runs, Ending.PROMOTED), count(runs, Ending.KILLED),
                    count(runs, Ending.ROLLED_BACK), count(runs, Ending.FROZEN), count(runs, Ending.HOLDING),
                    aa ? "false kills" : "caught before 100 %", 100 * share, aa ? "≤ 1 %" : "≥ 95 %",
                    minutes(toFailure), minutes(toPromotion)));
            ObjectNode s = scenariosJson.putObject(scenario.name());
            s.put("label", scenario.label()).put("rollouts", runs.size());
            for (Ending ending : Ending.values()) {
                s.put(ending.name().toLowerCase(Locale.ROOT), count(runs, ending));
            }
            s.put(aa ? "falseKillShare" : "caughtBefore100Share", share).put("aim", aa ? 0.01 : 0.95)
                    .put("medianMinutesToKillOrRollback", finite(toFailure)).put("medianMinutesToPromotion", finite(toPromotion));
            ArrayNode rows = s.putArray("runs");
            for (RolloutResult r : runs) {
                ObjectNode row = rows.addObject().put("seed", r.seed()).put("ending", r.ending().name())
                        .put("percentage", r.percentage()).put("minutes", r.minutes()).put("failedGuards", r.failedGuards())
                        .put("reason", r.reason());
                ArrayNode stepRows = row.putArray("steps");
                r.steps().forEach(t -> stepRows.add(JSON.valueToTree(t)));
            }
        }

        out.append("\nBy step (medians over the rollouts that reached the step; replays and syncs: events the judge saw "
                + "at its last verdict of the step; evidence: the largest dead-letter likelihood ratio in the step, "
                + String.format(Locale.ROOT, "%.0f fails)%n%n", 1 / JUDGE.alpha()));
        out.append("| scenario | step % | reached | failed here (guards) | advanced | holding at limit | minutes in step "
                + "| canary / control replays | canary / control syncs | canary / control dead-letter % "
                + "| max dead-letter evidence |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var entry : results.entrySet()) {
            List<RolloutResult> runs = entry.getValue();
            for (int percentage : STEPS) {
                List<StepTrace> traces = runs.stream().flatMap(r -> r.steps().stream())
                        .filter(t -> t.percentage() == percentage).toList();
                if (traces.isEmpty()) {
                    continue;
                }
                Map<String, Long> guards = runs.stream().filter(r -> r.failed() && r.percentage() == percentage)
                        .collect(Collectors.groupingBy(RolloutResult::failedGuards, TreeMap::new, Collectors.counting()));
                long failedHere = guards.values().stream().mapToLong(Long::longValue).sum();
                out.append(String.format(Locale.ROOT,
                        "| %s | %d | %d | %d%s | %d | %d | %.1f | %s / %s | %s / %s | %s / %s | %s |%n",
                        entry.getKey().label(), percentage, traces.size(), failedHere,
                        guards.isEmpty() ? "" : " (" + guards.entrySet().stream().map(g -> g.getKey() + " " + g.getValue())
                                .collect(Collectors.joining(", ")) + ")",
                        traces.stream().filter(t -> t.exit().equals("advanced")).count(),
                        traces.stream().filter(t -> t.exit().equals("time limit")).count(),
                        median(traces, StepTrace::minutes), whole(median(traces, t -> t.canaryReplays())),
                        whole(median(traces, t -> t.controlReplays())), whole(median(traces, t -> t.canarySyncs())),
                        whole(median(traces, t -> t.controlSyncs())), percent(median(traces, StepTrace::canaryDeadLetterRatio)),
                        percent(median(traces, StepTrace::controlDeadLetterRatio)),
                        evidence(median(traces, StepTrace::maxDeadLetterEvidence))));
            }
        }

        // the A/A's false kills, and a few of each other scenario's misses, with the judge's reasons
        for (var entry : results.entrySet()) {
            boolean aa = entry.getKey().regression().equals(Regression.NONE);
            Predicate<RolloutResult> notable = aa ? r -> r.failed() || r.ending() == Ending.HOLDING
                    : r -> !(r.failed() && r.percentage() < 100);
            List<RolloutResult> shown = entry.getValue().stream().filter(notable).limit(10).toList();
            if (shown.isEmpty()) {
                continue;
            }
            out.append(String.format(Locale.ROOT, "%n%s, %s (first %d of %d):%n", entry.getKey().label(),
                    aa ? "wrongly failed or holding" : "not caught before 100 %", shown.size(),
                    entry.getValue().stream().filter(notable).count()));
            for (RolloutResult r : shown) {
                out.append(String.format(Locale.ROOT, "- seed %d: %s at %d %% after %.1f min: %s%n", r.seed(), r.ending(),
                        r.percentage(), r.minutes(), r.reason()));
            }
        }
        out.append(String.format(Locale.ROOT, "%n(%d rollouts simulated in %.0f s)%n", ROLLOUTS * results.size(), seconds));
        json.put("runtimeSeconds", seconds);
        System.out.println(out);
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(OUTPUT), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    // ---------------------------------------------------------------- helpers

    private static long count(List<RolloutResult> runs, Ending ending) {
        return runs.stream().filter(r -> r.ending() == ending).count();
    }

    private static double median(List<StepTrace> traces, Function<StepTrace, Number> value) {
        return median(traces.stream().mapToDouble(t -> value.apply(t).doubleValue())
                .filter(v -> !Double.isNaN(v) && v >= 0).toArray());
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String minutes(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String whole(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.0f", value);
    }

    private static String percent(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * ratio);
    }

    private static String evidence(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.3g", value);
    }

    private static Double finite(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String describe(List<Guard> guards) {
        return guards.stream().map(g -> g.label() + " → " + g.action().wireName()).collect(Collectors.joining(", "));
    }

    /** {@code sli:action} or {@code sli@journey:action}, separated by commas. */
    private static List<Guard> guards(String spec) {
        return Arrays.stream(spec.split(",")).map(String::trim).map(pair -> pair.split(":", 2)).map(pair -> {
            String[] sliAndJourney = pair[0].trim().split("@", 2);
            Sli sli = Sli.fromWireName(sliAndJourney[0]);
            GuardAction action = GuardAction.fromWireName(pair[1].trim());
            return sliAndJourney.length == 1 ? Guard.of(sli, action) : Guard.onJourney(sli, sliAndJourney[1], action);
        }).toList();
    }

    /** {@code checkout=order.submit|payment.*;notes=note.*}: journeys in declaration order, each with its patterns. */
    private static Map<String, List<String>> journeys(String spec) {
        Map<String, List<String>> journeys = new java.util.LinkedHashMap<>();
        if (!spec.isBlank()) {
            for (String journey : spec.split(";")) {
                String[] nameAndPatterns = journey.split("=", 2);
                journeys.put(nameAndPatterns[0].trim(), List.of(nameAndPatterns[1].trim().split("\\|")));
            }
        }
        return journeys;
    }

    /** The service's matcher over {@link #JOURNEYS}: the n-th journey declared has id n. */
    private static JourneyMatcher matcher(Map<String, List<String>> journeys) {
        List<JourneyMatcher.Declared> declared = new ArrayList<>();
        long id = 1;
        for (Map.Entry<String, List<String>> journey : journeys.entrySet()) {
            declared.add(new JourneyMatcher.Declared(id++, journey.getKey(), journey.getValue()));
        }
        return new JourneyMatcher(declared);
    }

    /** The service's defaults ({@link JudgeSettings#defaults}), each replaceable by a property to measure alternatives. */
    private static JudgeSettings judgeSettings() {
        JudgeSettings defaults = JudgeSettings.defaults(MIN_SAMPLE);
        return new JudgeSettings(doubleProperty("bench.alpha", defaults.alpha()),
                doubleProperty("bench.min-absolute-effect", defaults.minAbsoluteEffect()),
                doubleProperty("bench.min-relative-effect", defaults.minRelativeEffect()),
                doubleProperty("bench.effect-scale", defaults.effectScale()), defaults.minSamplePerCohort());
    }

    private static double doubleProperty(String name, double fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : Double.parseDouble(value);
    }
}

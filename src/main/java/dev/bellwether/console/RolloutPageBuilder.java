package dev.bellwether.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.judge.CanaryJudge;
import dev.bellwether.judge.Guard;
import dev.bellwether.judge.Verdict;
import dev.bellwether.rollout.CanaryWindows;
import dev.bellwether.rollout.Convergence;
import dev.bellwether.rollout.JudgeConfig;
import dev.bellwether.rollout.Rollout;
import dev.bellwether.rollout.RolloutConvergence;
import dev.bellwether.rollout.RolloutDecision;
import dev.bellwether.rollout.RolloutMachine;
import dev.bellwether.rollout.RolloutState;
import dev.bellwether.rollout.SloGuards;
import dev.bellwether.rollout.Trigger;
import dev.bellwether.security.Caller;
import dev.bellwether.slo.GoodValid;
import dev.bellwether.slo.Sli;
import dev.bellwether.telemetry.Distribution;
import dev.bellwether.telemetry.EventStore;
import dev.bellwether.telemetry.Rollup;
import dev.bellwether.telemetry.SliService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * Builds a rollout's page from what the judge and the controller already keep: the rollout's latest verdict, its
 * decisions, the canary and control rollups the judge reads ({@link SliService#canaryAgainstControl}) and the
 * convergence curve the API serves ({@link RolloutConvergence}).
 */
@ApplicationScoped
public class RolloutPageBuilder {

    /** Decisions shown per page of the audit; older ones are a link away (a rollout may have thousands). */
    static final int DECISIONS_PER_PAGE = 50;
    /** How far back the guards' charts go: the judge reads a step, people look at the day around it. */
    private static final Duration CHART_SPAN = Duration.ofHours(24);
    private static final List<Trigger> OFFERED = List.of(Trigger.START, Trigger.PAUSE, Trigger.RESUME, Trigger.PROMOTE,
            Trigger.ROLLBACK, Trigger.KILL);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final double QUANTILE_SHOWN = 0.9;

    private final RolloutConvergence convergence;
    private final CanaryWindows canaryWindows;
    private final SliService sli;
    private final JudgeConfig judge;
    private final ObjectMapper json;
    private final Clock clock;

    public RolloutPageBuilder(RolloutConvergence convergence, CanaryWindows canaryWindows, SliService sli, JudgeConfig judge, ObjectMapper json,
            Clock clock) {
        this.convergence = convergence;
        this.canaryWindows = canaryWindows;
        this.sli = sli;
        this.judge = judge;
        this.json = json;
        this.clock = clock;
    }

    /**
     * What changes whenever the page should be drawn again: the newest decision, the state and step, the outcome of the
     * verdict and of each guard (not their counts, which move on every tick while beacons arrive), and the minute, so
     * that the figures and the bake refresh once a minute. Two indexed reads, so that a live poll between those costs
     * next to nothing. Empty: no such rollout.
     */
    @Transactional
    public Optional<String> version(long id) {
        Rollout rollout = Rollout.findById(id);
        return rollout == null ? Optional.empty() : Optional.of(version(rollout));
    }

    private String version(Rollout rollout) {
        StringBuilder outcomes = new StringBuilder();
        if (rollout.verdict != null) {
            outcomes.append(rollout.verdict.outcome());
            rollout.verdict.guards().forEach(guard -> outcomes.append('.').append(guard.outcome()));
        }
        long minute = clock.instant().getEpochSecond() / 60;
        return RolloutDecision.newestId(rollout.id) + "-" + rollout.state + "-" + rollout.step + "-" + outcomes + "-" + minute;
    }

    /** @param before show decisions older than this id (null: the newest) */
    @Transactional
    public Optional<RolloutPage> build(long id, Long before, Caller caller) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        List<RolloutDecision> stepStarts = RolloutDecision.stepStarts(id);
        List<RolloutDecision> decisions = RolloutDecision.newest(id, before, DECISIONS_PER_PAGE + 1);
        Long olderThan = decisions.size() > DECISIONS_PER_PAGE ? decisions.get(DECISIONS_PER_PAGE - 1).id : null;
        List<RolloutPage.DecisionRow> audit = decisions.stream().limit(DECISIONS_PER_PAGE).map(this::decisionRow).toList();
        Integer percentage = RolloutMachine.expectedPercentage(rollout.position(), rollout.stepList());
        return Optional.of(new RolloutPage(id, rollout.app.name, rollout.flag, rollout.project, rollout.environment,
                rollout.state.name(), rollout.step < 0 ? "not started" : (rollout.step + 1) + " of " + rollout.steps.length,
                percentage == null ? (rollout.state == RolloutState.KILLED ? "off" : "—") : percentage + " %",
                rollout.dryRun, OverviewBuilder.verdict(rollout.verdict), version(rollout),
                steps(rollout, stepStarts, now), guards(rollout, stepStarts, now), audit, olderThan, before,
                convergence(rollout),
                OfferedActions.of(rollout.state, rollout.step, rollout.stepList(), caller.role(), OFFERED)));
    }

    private List<RolloutPage.StepRow> steps(Rollout rollout, List<RolloutDecision> stepStarts, Instant now) {
        Map<Integer, RolloutDecision> startOf = new HashMap<>();
        for (RolloutDecision decision : stepStarts) {
            if (RolloutState.RUNNING.name().equals(decision.toState)) {
                startOf.putIfAbsent(decision.toStep, decision);
            }
        }
        List<RolloutPage.StepRow> rows = new ArrayList<>();
        for (int i = 0; i < rollout.steps.length; i++) {
            RolloutDecision start = startOf.get(i);
            String status;
            String bake;
            long done = 0;
            if (rollout.step < 0 || i > rollout.step) {
                status = "not reached";
                bake = "—";
            } else if (i < rollout.step || rollout.state == RolloutState.PROMOTED) {
                status = "done";
                bake = "baked";
                done = rollout.bakeSeconds;
            } else if (rollout.state == RolloutState.RUNNING) {
                done = Math.min(rollout.bakeSeconds, Duration.between(rollout.stepStartedAt.toInstant(), now).toSeconds());
                status = done >= rollout.bakeSeconds ? "baked, the judge decides" : "baking";
                bake = minutes(done) + " of " + minutes(rollout.bakeSeconds) + " ("
                        + (rollout.bakeSeconds == 0 ? 100 : done * 100 / rollout.bakeSeconds) + " %)";
            } else if (rollout.state.finished()) {
                status = "ended: " + rollout.state.name().replace('_', ' ');
                bake = "stopped";
            } else {
                status = rollout.state.name() + " here";
                bake = "stopped: the bake starts again on resume";
            }
            rows.add(new RolloutPage.StepRow(i + 1, rollout.steps[i], status, start == null ? "—" : when(start.at), bake,
                    Math.max(0, done), Math.max(1, rollout.bakeSeconds), start == null ? "—" : start.reason));
        }
        return rows;
    }

    private List<RolloutPage.GuardPanel> guards(Rollout rollout, List<RolloutDecision> stepStarts, Instant now) {
        List<Guard> guards = SloGuards.of(rollout);
        Map<String, Long> journeyIds = canaryWindows.journeyIds(rollout);
        SliService.CanaryBuckets read = new SliService.CanaryBuckets(new java.util.TreeMap<>(), Map.of());
        if (rollout.state != RolloutState.DRAFT) {
            Instant to = rollout.state.finished() ? rollout.updatedAt.toInstant() : now;
            Instant from = stepStarts.isEmpty() ? rollout.createdAt.toInstant() : stepStarts.get(0).at.toInstant();
            if (from.isBefore(to.minus(CHART_SPAN))) {
                from = to.minus(CHART_SPAN);
            }
            read = sli.canaryAgainstControl(rollout.app.id, rollout.flag, from, to.plusSeconds(60),
                    java.util.Set.copyOf(journeyIds.values()));
        }
        double alpha = judge.settings(rollout.minSamplePerCohort).alpha();
        List<RolloutPage.GuardPanel> panels = new ArrayList<>();
        for (Guard guard : guards) {
            Sli indicator = guard.sli();
            NavigableMap<Instant, SliService.CanaryControl> buckets = guard.journey() == null ? read.app()
                    : read.journeys().getOrDefault(journeyIds.get(guard.journey()), new java.util.TreeMap<>());
            boolean quantile = indicator.needsThreshold() && guard.sloThreshold() == null;
            String measure = !indicator.needsThreshold() ? "bad events, % of valid"
                    : quantile ? "p90 (" + unit(indicator) + ")"
                    : "% of values above the SLO's threshold of " + number(guard.sloThreshold()) + " " + unit(indicator);
            List<String> labels = new ArrayList<>();
            List<Double> canary = new ArrayList<>();
            List<Double> control = new ArrayList<>();
            List<RolloutPage.PointRow> points = new ArrayList<>();
            buckets.forEach((bucket, cohorts) -> {
                Double c = value(guard, quantile, cohorts.canary());
                Double k = value(guard, quantile, cohorts.control());
                labels.add(CLOCK.format(bucket.atOffset(ZoneOffset.UTC)));
                canary.add(c);
                control.add(k);
                points.add(new RolloutPage.PointRow(MINUTE.format(bucket.atOffset(ZoneOffset.UTC)), number(c), number(k)));
            });
            Map<String, Object> chart = new LinkedHashMap<>();
            chart.put("labels", labels);
            chart.put("canary", canary);
            chart.put("control", control);
            chart.put("measure", measure);
            if (!quantile && guard.sloAllowedErrorRatio() != null) {
                chart.put("budget", guard.sloAllowedErrorRatio() * 100);
            }
            Verdict.GuardResult result = rollout.verdict == null ? null : rollout.verdict.guards().stream()
                    .filter(g -> g.sli().equals(indicator.wireName()) && Objects.equals(g.journey(), guard.journey()))
                    .findFirst().orElse(null);
            // verdicts stored before the guards shared the rollout's alpha carry none: each guard then had all of it
            double guardAlpha = result == null || result.alpha() == 0 ? alpha : result.alpha();
            List<RolloutPage.ComparisonRow> comparisons = result == null ? List.of() : result.comparisons().stream()
                    .map(comparison -> new RolloutPage.ComparisonRow(comparison.what(), percent(comparison.canaryRatio()),
                            percent(comparison.controlRatio()), percent(comparison.margin()),
                            String.format(Locale.ROOT, "%.3g", comparison.likelihoodRatio()),
                            String.format(Locale.ROOT, "%.3g", result.comparisons().size() / guardAlpha),
                            comparison.regression() ? "REGRESSION" : "no regression",
                            comparison.sinceMinute() == 0 ? "the whole step" : "minute " + comparison.sinceMinute() + " on"))
                    .toList();
            String action = guard.action().name().toLowerCase(Locale.ROOT);
            String key = guard.journey() == null ? indicator.wireName() : indicator.wireName() + "-" + guard.journey();
            panels.add(new RolloutPage.GuardPanel(key, guard.label(), action,
                    result == null ? "NOT JUDGED YET" : result.outcome().name(), sentence(result, action), measure,
                    ScriptJson.of(json, chart), comparisons, points));
        }
        return panels;
    }

    private static String sentence(Verdict.GuardResult result, String action) {
        if (result == null) {
            return "Not judged yet: the judge reads this guard on every controller tick while the rollout runs.";
        }
        return switch (result.outcome()) {
            case PASS -> "Passes: the canary is not worse than control by more than the margin with enough evidence,"
                    + " so this guard lets the rollout step up once the bake is over.";
            case HOLD -> "Holds the step: " + result.reason() + ".";
            case FAIL -> "Fails, and asks to " + action + ": " + result.reason() + ".";
        };
    }

    /** The guard's figure for one cohort in one bucket; null when the cohort had no valid events then. */
    private static Double value(Guard guard, boolean quantile, Rollup rollup) {
        if (quantile) {
            Distribution distribution = CanaryJudge.distribution(guard.sli(), rollup);
            return distribution == null || distribution.isEmpty() ? null : distribution.quantile(QUANTILE_SHOWN);
        }
        GoodValid count = guard.sli().count(rollup, guard.sloThreshold());
        return count.valid() == 0 ? null : 100.0 * count.bad() / count.valid();
    }

    private RolloutPage.DecisionRow decisionRow(RolloutDecision decision) {
        String who = decision.actor;
        if (decision.trigger.startsWith("guard_") && decision.evidence != null) {
            List<String> failing = new ArrayList<>();
            decision.evidence.path("guards").forEach(guard -> {
                if ("FAIL".equals(guard.path("outcome").asText())) {
                    failing.add(Guard.label(guard.path("sli").asText(),
                            guard.path("journey").isTextual() ? guard.path("journey").asText() : null));
                }
            });
            who += failing.isEmpty() ? "" : " (guard " + String.join(", ", failing) + ")";
        }
        String move = position(decision.fromState, decision.fromStep) + " → " + position(decision.toState, decision.toStep);
        return new RolloutPage.DecisionRow(decision.id, when(decision.at), who, decision.trigger, move,
                decision.reason == null ? "—" : decision.reason, evidence(decision.evidence),
                decision.answer == null ? "—" : decision.answer);
    }

    /** A verdict's outcome and reason, or the flag's state Unleash showed (drift); as the decision stored it. */
    private static String evidence(JsonNode evidence) {
        if (evidence == null || evidence.isNull()) {
            return "—";
        }
        if (evidence.has("outcome")) {
            return evidence.path("outcome").asText() + ": " + evidence.path("reason").asText();
        }
        if (evidence.has("exists")) {
            return !evidence.path("exists").asBoolean() ? "Unleash: no such flag" : "Unleash: "
                    + (evidence.path("enabled").asBoolean() ? "on" : "off") + " at " + evidence.path("percentage").asText() + " %";
        }
        return "—";
    }

    private RolloutPage.ConvergencePanel convergence(Rollout rollout) {
        Convergence curve = convergence.of(rollout.id, Convergence.DEFAULT_ACTIVE_WINDOW_MINUTES);
        List<String> labels = new ArrayList<>();
        List<Double> share = new ArrayList<>();
        List<RolloutPage.ConvergenceRow> rows = new ArrayList<>();
        for (EventStore.FlagMinute point : curve.points()) {
            Double percent = point.shareOn() == null ? null : point.shareOn() * 100;
            labels.add(CLOCK.format(point.minute().atOffset(ZoneOffset.UTC)));
            share.add(percent);
            rows.add(new RolloutPage.ConvergenceRow(MINUTE.format(point.minute().atOffset(ZoneOffset.UTC)),
                    point.activeClients(), point.reportingOn(), percent == null ? "—" : number(percent) + " %"));
        }
        String summary;
        if (curve.killedAt() == null) {
            summary = "Not killed: the last hour of clients reporting the flag on, among those active in the "
                    + curve.activeWindowMinutes() + " minutes before each minute.";
        } else {
            EventStore.FlagMinute last = curve.points().isEmpty() ? null : curve.points().get(curve.points().size() - 1);
            summary = "Killed at " + when(curve.killedAt().atOffset(ZoneOffset.UTC)) + "; "
                    + (last == null || last.shareOn() == null ? "no active client has reported since."
                    : number(last.shareOn() * 100) + " % of " + last.activeClients() + " active clients still reported"
                    + " the flag on at " + CLOCK.format(last.minute().atOffset(ZoneOffset.UTC)) + " UTC"
                    + " (offline clients keep a stale flag until they come back).");
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("labels", labels);
        chart.put("share", share);
        return new RolloutPage.ConvergencePanel(summary, ScriptJson.of(json, chart), rows);
    }

    private static String position(String state, int step) {
        return state + (step < 0 ? "" : " (step " + (step + 1) + ")");
    }

    private static String when(OffsetDateTime at) {
        return WHEN.format(at.withOffsetSameInstant(ZoneOffset.UTC));
    }

    private static String minutes(long seconds) {
        return seconds < 120 ? seconds + " s" : seconds / 60 + " min";
    }

    private static String unit(Sli sli) {
        return sli.thresholdUnit() == Sli.Unit.MILLISECONDS ? "ms" : "queued mutations";
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.3f %%", ratio * 100);
    }

    /** At most three decimals, without trailing zeros: through BigDecimal, as String.format costs more than the rest
     * of a chart's point. */
    static String number(Double value) {
        if (value == null) {
            return "—";
        }
        if (!Double.isFinite(value)) {
            return value.toString();
        }
        return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}

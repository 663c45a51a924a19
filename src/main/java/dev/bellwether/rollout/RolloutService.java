package dev.bellwether.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellwether.api.ProblemException;
import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import dev.bellwether.judge.CanaryJudge;
import dev.bellwether.judge.Guard;
import dev.bellwether.judge.GuardAction;
import dev.bellwether.judge.JudgeSettings;
import dev.bellwether.judge.Verdict;
import dev.bellwether.slo.Sli;
import dev.bellwether.slo.SloDefinition;
import dev.bellwether.telemetry.SliService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.jboss.logging.Logger;

/**
 * Moves rollouts: commands from people and the controller's own findings go through {@link RolloutMachine}; each move
 * is recorded as a decision with its evidence, then actuated on the flag service while the rollout's row is locked,
 * so that replicas never act twice on one decision. An actuation that fails stays pending and is retried; nothing
 * else happens to the rollout until it is confirmed.
 */
@ApplicationScoped
public class RolloutService {

    private static final Logger LOG = Logger.getLogger(RolloutService.class);
    static final String CONTROLLER = "bellwether";
    private static final TypeReference<List<GuardSpec>> GUARDS = new TypeReference<>() {
    };

    /** A guard as given at creation and stored. */
    public record GuardSpec(Sli sli, GuardAction action) {
    }

    private final FlagControl flags;
    private final AppDirectory apps;
    private final SliService sli;
    private final ObjectMapper json;
    private final Clock clock;
    private final MeterRegistry registry;
    private final TransactionManager transactions;
    private final AutomationSwitch automation;
    private final JudgeConfig judge;

    /** The judge's statistics, each overriding its default in {@link JudgeSettings#defaults}, which explains them. */
    @io.smallrye.config.ConfigMapping(prefix = "bellwether.judge")
    public interface JudgeConfig {
        OptionalDouble alpha();

        OptionalDouble minAbsoluteEffect();

        OptionalDouble minRelativeEffect();

        OptionalDouble effectScale();
    }

    public RolloutService(FlagControl flags, AppDirectory apps, SliService sli, ObjectMapper json, Clock clock,
            MeterRegistry registry, TransactionManager transactions, AutomationSwitch automation, JudgeConfig judge) {
        this.transactions = transactions;
        this.automation = automation;
        this.judge = judge;
        this.flags = flags;
        this.apps = apps;
        this.sli = sli;
        this.json = json;
        this.clock = clock;
        this.registry = registry;
    }

    @Transactional
    public Rollout create(String appName, FlagRef flag, List<Integer> steps, Duration bake, long minSample,
            List<GuardSpec> guards, boolean dryRun, String actor) {
        App app = apps.requireApp(appName);
        if (!flags.configured()) {
            throw new ProblemException(Response.Status.SERVICE_UNAVAILABLE,
                    "Unleash is not configured: set BELLWETHER_UNLEASH_URL and BELLWETHER_UNLEASH_ADMIN_TOKEN");
        }
        FlagState actual = read(flag);
        if (!actual.exists()) {
            throw new ProblemException(ProblemException.UNPROCESSABLE,
                    "Unleash has no flag '" + flag.flag() + "' in project '" + flag.project() + "'", "flag");
        }
        if (Rollout.count("project = ?1 and environment = ?2 and flag = ?3 and state not in ?4", flag.project(),
                flag.environment(), flag.flag(), List.of(RolloutState.PROMOTED, RolloutState.ROLLED_BACK, RolloutState.KILLED)) > 0) {
            throw new ProblemException(Response.Status.CONFLICT,
                    "flag " + flag + " already has an unfinished rollout; finish it first", "flag");
        }
        Rollout rollout = new Rollout();
        rollout.app = app;
        rollout.project = flag.project();
        rollout.environment = flag.environment();
        rollout.flag = flag.flag();
        rollout.steps = steps.toArray(Integer[]::new);
        rollout.bakeSeconds = bake.toSeconds();
        rollout.minSamplePerCohort = minSample;
        rollout.guards = write(guards);
        rollout.dryRun = dryRun;
        rollout.state = RolloutState.DRAFT;
        rollout.step = -1;
        rollout.createdBy = actor;
        rollout.createdAt = now();
        rollout.updatedAt = rollout.createdAt;
        rollout.persist();
        return rollout;
    }

    /** A person's command. */
    @Transactional
    @io.quarkus.narayana.jta.runtime.TransactionConfiguration(timeout = RolloutController.TRANSACTION_TIMEOUT_SECONDS)
    public Rollout command(long id, Trigger trigger, String reason, String actor) {
        Rollout rollout = lock(id);
        try {
            move(rollout, trigger, reason, actor, null);
        } catch (RolloutMachine.RefusedException e) {
            throw new ProblemException(Response.Status.CONFLICT, e.getMessage());
        }
        return rollout;
    }

    /**
     * One controller step for one rollout, its row locked by the caller's transaction: confirm a pending actuation,
     * reconcile against the flag service, judge the canary, and move if the judge says so.
     */
    void progress(Rollout rollout) {
        if (rollout.pendingActuation != null) {
            if (!actuate(rollout, storedActuation(rollout.pendingActuation), RolloutDecision.latest(rollout.id))) {
                return;
            }
        }
        if (rollout.state.finished()) {
            return;
        }
        FlagState actual;
        try {
            actual = outsideTransaction(() -> flags.read(rollout.flagRef()));
        } catch (FlagControlException e) {
            LOG.warnf("rollout %d: flag service unreadable, holding: %s", rollout.id, e.getMessage());
            return;
        }
        Integer expected = RolloutMachine.expectedPercentage(rollout.position(), rollout.stepList());
        boolean watched = rollout.state == RolloutState.RUNNING || rollout.state == RolloutState.FROZEN;
        if (watched && !rollout.dryRun && expected != null
                && (!actual.enabled() || actual.percentage() == null || actual.percentage().intValue() != expected)) {
            tryMove(rollout, Trigger.DRIFT, !actual.exists()
                    ? "Unleash no longer has the flag (deleted or renamed by hand); paused"
                    : String.format(Locale.ROOT,
                            "Unleash shows the flag %s at %s %%, Bellwether expected on at %d %%: changed by hand; paused",
                            actual.enabled() ? "on" : "off", actual.percentage(), expected), actual);
            return;
        }
        if (rollout.state != RolloutState.RUNNING) {
            return;
        }
        java.util.NavigableMap<java.time.Instant, SliService.CanaryControl> buckets = sli.canaryAgainstControl(
                rollout.app.id, rollout.flag, rollout.stepStartedAt.toInstant(), clock.instant());
        boolean everyone = rollout.stepList().get(rollout.step) == 100;
        // a window's weight goes by its minute of the step, counted from the minute the step started in
        java.time.Instant stepMinute = rollout.stepStartedAt.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        java.util.TreeMap<Long, CanaryJudge.Minute> byMinute = new java.util.TreeMap<>();
        buckets.forEach((bucket, cohorts) -> byMinute.put(Duration.between(stepMinute, bucket).toMinutes(),
                new CanaryJudge.Minute(cohorts.canary(), cohorts.control())));
        List<CanaryJudge.Window> windows = CanaryJudge.windows(byMinute, !everyone);
        Verdict verdict = CanaryJudge.judge(guards(rollout), windows, judgeSettings(rollout.minSamplePerCohort));
        rollout.verdict = write(verdict);
        Counter.builder("bellwether.rollout.verdicts").tag("app", rollout.app.name).tag("flag", rollout.flag)
                .tag("outcome", verdict.outcome().name()).register(registry).increment();
        if (verdict.outcome() == Verdict.Outcome.FAIL) {
            Trigger trigger = switch (verdict.action()) {
                case KILL -> Trigger.GUARD_KILL;
                case ROLLBACK -> Trigger.GUARD_ROLLBACK;
                case FREEZE -> Trigger.GUARD_FREEZE;
            };
            tryMove(rollout, trigger, "canary regressed: " + verdict.reason(), verdict);
        } else if (Duration.between(rollout.stepStartedAt.toInstant(), clock.instant()).toSeconds() >= rollout.bakeSeconds) {
            if (verdict.outcome() == Verdict.Outcome.PASS) {
                tryMove(rollout, Trigger.ADVANCE, "canary healthy through the bake time of step " + (rollout.step + 1), verdict);
            } else if (everyone) {
                // at 100 % only the SLO bounds judge (control is clients on stale flags): no FAIL through the bake is a pass
                tryMove(rollout, Trigger.ADVANCE, "every client has the flag: judged by SLO bounds alone (control is clients"
                        + " on stale flags), no guard failed through the bake time at 100 %", verdict);
            }
        }
    }

    /**
     * The convergence curve of a rollout's flag, from its kill (or, if it was not killed, the last hour) to now.
     */
    @Transactional
    public Convergence convergence(long id, int activeWindowMinutes) {
        return convergence(id, activeWindowMinutes, null);
    }

    /** @param lastMinutes only the last minutes of the curve (for the metric), or null for the whole curve */
    @Transactional
    public Convergence convergence(long id, int activeWindowMinutes, Integer lastMinutes) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            throw ProblemException.notFound("no rollout " + id);
        }
        RolloutDecision kill = RolloutDecision.<RolloutDecision>find("rolloutId = ?1 and toState = ?2 order by at",
                id, RolloutState.KILLED.name()).firstResult();
        java.time.Instant since = kill != null ? kill.at.toInstant() : clock.instant().minus(Duration.ofHours(1));
        // the curve matters in the hours after a kill; older minutes are not worth a scan of every event since
        if (since.isBefore(clock.instant().minus(Duration.ofDays(1)))) {
            since = clock.instant().minus(Duration.ofDays(1));
        }
        if (lastMinutes != null && since.isBefore(clock.instant().minus(Duration.ofMinutes(lastMinutes)))) {
            since = clock.instant().minus(Duration.ofMinutes(lastMinutes));
        }
        java.time.Instant from = since;
        String sql = """
                WITH minutes AS (
                    SELECT generate_series(date_trunc('minute', CAST(?1 AS timestamptz)), date_trunc('minute', CAST(?2 AS timestamptz)),
                                           interval '1 minute') AS m),
                flag_on AS (
                    SELECT id FROM cohort WHERE app_id = ?3 AND flags ->> ?4 <> 'false'),
                seen AS (
                    SELECT client, received_at, cohort_id IN (SELECT id FROM flag_on) AS on_
                    FROM event WHERE app_id = ?3 AND received_at > CAST(?1 AS timestamptz) - make_interval(mins => ?5)
                      AND received_at <= CAST(?2 AS timestamptz))
                SELECT m, count(DISTINCT client), count(DISTINCT client) FILTER (WHERE on_)
                FROM minutes LEFT JOIN seen ON seen.received_at > m + interval '1 minute' - make_interval(mins => ?5)
                                          AND seen.received_at <= m + interval '1 minute'
                GROUP BY m ORDER BY m""";
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Rollout.getEntityManager().createNativeQuery(sql)
                .setParameter(1, java.sql.Timestamp.from(from))
                .setParameter(2, java.sql.Timestamp.from(clock.instant()))
                .setParameter(3, rollout.app.id)
                .setParameter(4, rollout.flag)
                .setParameter(5, activeWindowMinutes)
                .getResultList();
        List<Convergence.Point> points = rows.stream().map(row -> {
            long active = ((Number) row[1]).longValue();
            long on = ((Number) row[2]).longValue();
            java.time.Instant minute = row[0] instanceof java.time.Instant instant ? instant
                    : row[0] instanceof java.sql.Timestamp t ? t.toInstant() : ((java.time.OffsetDateTime) row[0]).toInstant();
            return new Convergence.Point(minute, active, on, active == 0 ? null : (double) on / active);
        }).toList();
        return new Convergence(id, rollout.flag, from, kill == null ? null : kill.at.toInstant(), activeWindowMinutes, points);
    }

    Rollout lock(long id) {
        Rollout rollout = Rollout.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (rollout == null) {
            throw ProblemException.notFound("no rollout " + id);
        }
        return rollout;
    }

    private void tryMove(Rollout rollout, Trigger trigger, String reason, Object evidence) {
        AutomationSwitch.State state = automation.state();
        if (!state.allows(trigger)) {
            recordWithoutActing(rollout, trigger, reason, evidence, state);
            return;
        }
        try {
            move(rollout, trigger, reason, CONTROLLER, evidence);
        } catch (RolloutMachine.RefusedException e) {
            LOG.errorf("rollout %d: controller move %s refused: %s", rollout.id, trigger, e.getMessage());
        }
    }

    /** Automation is off (or unknown, for a step-up): the decision Bellwether would make is recorded once, and nothing moves. */
    private void recordWithoutActing(Rollout rollout, Trigger trigger, String reason, Object evidence,
            AutomationSwitch.State state) {
        RolloutMachine.Move move;
        try {
            move = RolloutMachine.apply(rollout.position(), trigger, rollout.stepList());
        } catch (RolloutMachine.RefusedException e) {
            return;
        }
        String answer = (state == AutomationSwitch.State.UNKNOWN ? "automation switch unknown (" : "automation is off (")
                + automation.describe(state) + "): recorded, not applied";
        RolloutDecision last = RolloutDecision.latest(rollout.id);
        if (last != null && answer.equals(last.answer) && last.trigger.equals(trigger.wireName())
                && last.fromState.equals(rollout.state.name()) && last.fromStep == rollout.step) {
            return;
        }
        RolloutDecision decision = decision(rollout, trigger, reason, CONTROLLER, move, evidence, now());
        decision.answer = answer;
        decision.dryRun = true;
        decision.persist();
        LOG.infof("rollout %d (%s): would %s, but %s", rollout.id, rollout.flagRef(), trigger.wireName(), answer);
    }

    private void move(Rollout rollout, Trigger trigger, String reason, String actor, Object evidence)
            throws RolloutMachine.RefusedException {
        if (rollout.pendingActuation != null && trigger != Trigger.KILL) {
            throw new RolloutMachine.RefusedException("the previous change has not reached Unleash yet ("
                    + rollout.pendingActuation + "); only kill is possible until it has");
        }
        RolloutMachine.Position from = rollout.position();
        RolloutMachine.Move move = RolloutMachine.apply(from, trigger, rollout.stepList());
        OffsetDateTime at = now();
        RolloutDecision decision = decision(rollout, trigger, reason, actor, move, evidence, at);
        decision.dryRun = rollout.dryRun;
        decision.persist();
        // a new step, or a return to RUNNING (resume): judge and bake only on what happens from now on
        if (move.to().step() != from.step() || (move.to().state() == RolloutState.RUNNING && from.state() != RolloutState.RUNNING)) {
            rollout.stepStartedAt = at;
        }
        rollout.state = move.to().state();
        rollout.step = move.to().step();
        rollout.updatedAt = at;
        LOG.infof("rollout %d (%s): %s -> %s by %s: %s", rollout.id, rollout.flagRef(), from, move.to(), actor, reason);
        Counter.builder("bellwether.rollout.decisions").description("Rollout transitions, by what caused them")
                .tag("app", rollout.app.name).tag("flag", rollout.flag).tag("trigger", trigger.wireName())
                .register(registry).increment();
        actuate(rollout, move.actuation(), decision);
    }

    /** A decision to move {@code rollout} from where it stands, not yet stored. */
    private RolloutDecision decision(Rollout rollout, Trigger trigger, String reason, String actor, RolloutMachine.Move move,
            Object evidence, OffsetDateTime at) {
        RolloutDecision decision = new RolloutDecision();
        decision.rolloutId = rollout.id;
        decision.at = at;
        decision.actor = actor;
        decision.trigger = trigger.wireName();
        decision.reason = reason;
        decision.fromState = rollout.state.name();
        decision.fromStep = rollout.step;
        decision.toState = move.to().state().name();
        decision.toStep = move.to().step();
        decision.actuation = write(move.actuation());
        decision.evidence = evidence == null ? null : write(evidence);
        return decision;
    }

    /** @return whether the flag service now holds what the decision asked (or nothing was asked) */
    private boolean actuate(Rollout rollout, Actuation actuation, RolloutDecision decision) {
        if (actuation instanceof Actuation.None) {
            rollout.pendingActuation = null;
            decision.answer = "nothing to change";
            return true;
        }
        if (rollout.dryRun) {
            rollout.pendingActuation = null;
            decision.answer = "dry run: not sent to Unleash";
            return true;
        }
        try {
            FlagState after = outsideTransaction(() -> actuation instanceof Actuation.SetPercentage set
                    ? flags.setPercentage(rollout.flagRef(), set.percentage())
                    : flags.turnOff(rollout.flagRef()));
            rollout.pendingActuation = null;
            decision.answer = "Unleash: " + (after.enabled() ? "on" : "off") + " at " + after.percentage() + " %";
            Counter.builder("bellwether.rollout.actuations").tag("result", "ok").register(registry).increment();
            return true;
        } catch (FlagControlException e) {
            if (e.flagMissing() && actuation instanceof Actuation.TurnOff) {
                // a deleted flag is on for nobody: the kill has nothing left to do, and retrying it would page forever
                rollout.pendingActuation = null;
                decision.answer = "Unleash no longer has the flag: nothing left to turn off (" + e.getMessage() + ")";
                Counter.builder("bellwether.rollout.actuations").tag("result", "ok").register(registry).increment();
                return true;
            }
            rollout.pendingActuation = write(actuation);
            decision.answer = "not applied, will retry: " + e.getMessage();
            Counter.builder("bellwether.rollout.actuations").tag("result", "failed").register(registry).increment();
            LOG.warnf("rollout %d: actuation %s failed, will retry: %s", rollout.id, actuation, e.getMessage());
            return false;
        }
    }

    private JudgeSettings judgeSettings(long minSamplePerCohort) {
        JudgeSettings defaults = JudgeSettings.defaults(minSamplePerCohort);
        return new JudgeSettings(judge.alpha().orElse(defaults.alpha()),
                judge.minAbsoluteEffect().orElse(defaults.minAbsoluteEffect()),
                judge.minRelativeEffect().orElse(defaults.minRelativeEffect()),
                judge.effectScale().orElse(defaults.effectScale()), minSamplePerCohort);
    }

    List<Guard> guards(Rollout rollout) {
        List<Guard> guards = new ArrayList<>();
        List<SloDefinition> slos = SloDefinition.ofApp(rollout.app);
        for (GuardSpec spec : readGuards(rollout)) {
            SloDefinition slo = slos.stream().filter(s -> s.sli.equals(spec.sli().wireName())).findFirst().orElse(null);
            guards.add(new Guard(spec.sli(), spec.action(), slo == null ? null : 1 - slo.objective,
                    slo == null ? null : slo.threshold));
        }
        return guards;
    }

    public List<GuardSpec> readGuards(Rollout rollout) {
        try {
            return json.readValue(rollout.guards, GUARDS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored guards of rollout " + rollout.id + " are unreadable", e);
        }
    }

    private FlagState read(FlagRef flag) {
        try {
            return outsideTransaction(() -> flags.read(flag));
        } catch (FlagControlException e) {
            throw new ProblemException(e.unavailable() ? Response.Status.SERVICE_UNAVAILABLE : ProblemException.UNPROCESSABLE,
                    e.getMessage()).withHeader("Retry-After", "10");
        }
    }

    private interface FlagCall {
        FlagState call() throws FlagControlException;
    }

    /**
     * Calls the flag service with the caller's transaction suspended: the rollout's row stays locked (the
     * transaction is only set aside), but no HTTP thread gets enlisted in it, and a slow or failing call cannot
     * leave the transaction half-used when it commits.
     */
    private FlagState outsideTransaction(FlagCall call) throws FlagControlException {
        Transaction suspended;
        try {
            suspended = transactions.suspend();
        } catch (SystemException e) {
            throw new IllegalStateException("could not suspend the transaction", e);
        }
        try {
            return call.call();
        } finally {
            if (suspended != null) {
                try {
                    transactions.resume(suspended);
                } catch (InvalidTransactionException | SystemException e) {
                    throw new IllegalStateException("could not resume the transaction", e);
                }
            }
        }
    }

    private Actuation storedActuation(String actuation) {
        try {
            return json.readValue(actuation, Actuation.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored actuation is unreadable: " + actuation, e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON", e);
        }
    }

    private OffsetDateTime now() {
        return clock.instant().atOffset(ZoneOffset.UTC);
    }
}

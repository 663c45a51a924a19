package dev.bellwether.rollout;

import dev.bellwether.apps.App;
import dev.bellwether.apps.AppDirectory;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;

/** What people do to rollouts: create one, and command it (start, pause, resume, promote, rollback, kill). */
@ApplicationScoped
public class RolloutCommands {

    private static final List<RolloutState> FINISHED = List.of(RolloutState.PROMOTED, RolloutState.ROLLED_BACK,
            RolloutState.KILLED);

    private final AppDirectory apps;
    private final FlagActuator actuator;
    private final RolloutTransitions transitions;

    public RolloutCommands(AppDirectory apps, FlagActuator actuator, RolloutTransitions transitions) {
        this.apps = apps;
        this.actuator = actuator;
        this.transitions = transitions;
    }

    /** A new rollout in DRAFT, for a flag the flag service has and no unfinished rollout steers. */
    @Transactional
    public Rollout create(String appName, FlagRef flag, List<Integer> steps, Duration bake, long minSample,
            List<GuardSpec> guards, boolean dryRun, String actor) {
        App app = apps.requireApp(appName);
        if (!actuator.configured()) {
            throw RolloutException.flagServiceNotConfigured();
        }
        FlagState actual;
        try {
            actual = actuator.read(flag);
        } catch (FlagControlException e) {
            throw RolloutException.flagServiceFailed(e);
        }
        if (!actual.exists()) {
            throw RolloutException.unknownFlag(flag);
        }
        if (Rollout.count("project = ?1 and environment = ?2 and flag = ?3 and state not in ?4", flag.project(),
                flag.environment(), flag.flag(), FINISHED) > 0) {
            throw RolloutException.conflict("flag " + flag + " already has an unfinished rollout; finish it first", "flag");
        }
        Rollout rollout = new Rollout();
        rollout.app = app;
        rollout.project = flag.project();
        rollout.environment = flag.environment();
        rollout.flag = flag.flag();
        rollout.steps = steps.toArray(Integer[]::new);
        rollout.bakeSeconds = bake.toSeconds();
        rollout.minSamplePerCohort = minSample;
        rollout.guards = guards;
        rollout.dryRun = dryRun;
        rollout.state = RolloutState.DRAFT;
        rollout.step = -1;
        rollout.createdBy = actor;
        rollout.createdAt = transitions.now();
        rollout.updatedAt = rollout.createdAt;
        rollout.persist();
        return rollout;
    }

    /** A person's command, with the rollout's row locked until its change has reached the flag service (or failed). */
    @Transactional
    @TransactionConfiguration(timeout = RolloutController.TRANSACTION_TIMEOUT_SECONDS)
    public Rollout command(long id, Trigger trigger, String reason, String actor) {
        actuator.boundLease();
        Rollout rollout = Rollout.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (rollout == null) {
            throw RolloutException.noRollout(id);
        }
        try {
            transitions.move(rollout, trigger, reason, actor, null);
        } catch (RolloutMachine.RefusedException e) {
            throw RolloutException.conflict(e.getMessage(), null);
        }
        return rollout;
    }
}

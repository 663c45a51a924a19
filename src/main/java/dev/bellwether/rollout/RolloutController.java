package dev.bellwether.rollout;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.LockOptions;
import org.jboss.logging.Logger;

/**
 * Every tick, moves each unfinished rollout one controller step ({@link RolloutStepper}). A replica takes a
 * rollout only if no other holds it (row lock, skip locked), so each decision is made and actuated once. The tick is
 * short (5 s by default) because it bounds how long a canary's regression waits for its verdict; the rollout gauges,
 * which only need to keep up with Prometheus's scrapes, refresh on their own, slower schedule.
 *
 * <p>A replica frozen with a row locked keeps it only for the lease's limit ({@link FlagActuator#boundLease}); then
 * PostgreSQL ends its session and the next tick of another replica takes the rollout.
 */
@ApplicationScoped
public class RolloutController {

    private static final Logger LOG = Logger.getLogger(RolloutController.class);
    /** Long enough for retried calls to a slow Unleash: a rolled-back decision that Unleash already applied is drift. */
    static final int TRANSACTION_TIMEOUT_SECONDS = 600;
    /** The convergence gauge shows only the latest minute of each curve: a short tail of it is enough to read. */
    private static final int CONVERGENCE_METRIC_MINUTES = 2;
    static final List<RolloutState> WATCHED = List.of(RolloutState.RUNNING, RolloutState.PAUSED, RolloutState.FROZEN);

    private final RolloutStepper stepper;
    private final FlagActuator actuator;
    private final RolloutConvergence convergence;
    private final RolloutMetrics metrics;
    private final AutomationSwitch automation;
    private final RolloutNotices notices;

    public RolloutController(RolloutStepper stepper, FlagActuator actuator, RolloutConvergence convergence,
            RolloutMetrics metrics, AutomationSwitch automation, RolloutNotices notices) {
        this.notices = notices;
        this.stepper = stepper;
        this.actuator = actuator;
        this.convergence = convergence;
        this.metrics = metrics;
        this.automation = automation;
    }

    @Scheduled(every = "${bellwether.rollout.interval:5s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        tick();
    }

    @Scheduled(every = "${bellwether.rollout.metrics-interval:15s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledMetrics() {
        refreshMetrics();
    }

    /** One pass over every unfinished rollout; returns how many this replica processed. */
    public int tick() {
        AutomationSwitch.State switchState = automation.state();
        notices.automation(switchState, automation.describe(switchState));
        // a finished rollout whose last change has not reached Unleash (a kill during an outage) is retried too
        List<Long> ids = QuarkusTransaction.requiringNew().call(() -> Rollout.<Rollout>list(
                "state in ?1 or pendingActuation is not null order by id", WATCHED).stream().map(r -> r.id).toList());
        int processed = 0;
        for (long id : ids) {
            try {
                boolean done = QuarkusTransaction.requiringNew().timeout(TRANSACTION_TIMEOUT_SECONDS).call(() -> {
                    actuator.boundLease();
                    Rollout rollout = Rollout.<Rollout>find("id = ?1 and (state in ?2 or pendingActuation is not null)", id, WATCHED)
                            .withLock(LockModeType.PESSIMISTIC_WRITE)
                            .withHint("jakarta.persistence.lock.timeout", LockOptions.SKIP_LOCKED)
                            .firstResult();
                    if (rollout == null) {
                        return false;
                    }
                    stepper.step(rollout);
                    return true;
                });
                processed += done ? 1 : 0;
            } catch (RuntimeException e) {
                LOG.errorf(e, "rollout %d: controller step failed, will retry next tick", id);
            }
        }
        return processed;
    }

    /**
     * Rollout states, percentages, the latest convergence of each recent kill and the automation switch, as gauges
     * ({@link RolloutMetrics}).
     */
    public void refreshMetrics() {
        metrics.refreshAutomation(automation.state());
        QuarkusTransaction.requiringNew().run(() -> {
            List<Rollout> recent = Rollout.list("state in ?1 or updatedAt > ?2", WATCHED,
                    OffsetDateTime.now().minusDays(1));
            metrics.refresh(recent);
            List<Rollout> killed = recent.stream().filter(r -> r.state == RolloutState.KILLED).toList();
            metrics.refreshConvergence(killed.stream().map(r -> convergence.of(r.id,
                    Convergence.DEFAULT_ACTIVE_WINDOW_MINUTES, CONVERGENCE_METRIC_MINUTES)).toList(), killed);
        });
    }
}

package dev.bellwether.rollout;

import dev.bellwether.platform.LeaseIdleLimit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Acts on the flag service for a rollout whose row the caller's transaction holds locked, and keeps the rollout's
 * pending actuation: a change that failed stays pending and is retried, and nothing else happens to the rollout until
 * the flag service confirms it. Every call to the flag service runs with the transaction suspended.
 *
 * <p>The row lock is the rollout's lease, and it lasts only while the replica keeps talking to PostgreSQL
 * ({@link #boundLease}): before each call to the flag service the transaction asks PostgreSQL whether its session is
 * still there, so a replica that was frozen past the lease, and whose rollout another replica has since moved, finds
 * out before it acts on a stale decision, not after.
 */
@ApplicationScoped
public class FlagActuator {

    private static final Logger LOG = Logger.getLogger(FlagActuator.class);

    private final FlagControl flags;
    private final TransactionManager transactions;
    private final RolloutMetrics metrics;
    private final Clock clock;
    private final Duration leaseIdle;
    private final RolloutNotices notices;

    public FlagActuator(FlagControl flags, TransactionManager transactions, RolloutMetrics metrics, Clock clock,
            @ConfigProperty(name = "bellwether.lease-idle-timeout") Duration leaseIdleTimeout, RolloutNotices notices) {
        this.notices = notices;
        this.flags = flags;
        this.transactions = transactions;
        this.metrics = metrics;
        this.clock = clock;
        this.leaseIdle = LeaseIdleLimit.positive(leaseIdleTimeout);
    }

    /**
     * How long PostgreSQL keeps a rollout's row lock for a replica that went silent: the lease's idle limit plus the
     * longest call to the flag service, which the transaction waits for idle.
     */
    Duration leaseLimit() {
        return leaseIdle.plus(flags.longestOperation());
    }

    /**
     * Bounds the caller's transaction, before it locks a rollout's row, by {@link #leaseLimit}: a replica frozen with
     * the row locked loses it to PostgreSQL after that long, and another replica can take the rollout.
     */
    void boundLease() {
        Rollout.getEntityManager().createNativeQuery(LeaseIdleLimit.statement())
                .setParameter(1, LeaseIdleLimit.setting(leaseLimit())).getSingleResult();
    }

    /** Whether the flag service is configured at all. */
    boolean configured() {
        return flags.configured();
    }

    /** The actual state of the flag. */
    FlagState read(FlagRef flag) throws FlagControlException {
        try {
            FlagState state = outsideTransaction(() -> flags.read(flag));
            metrics.flagRead(true);
            return state;
        } catch (FlagControlException e) {
            metrics.flagRead(false);
            throw e;
        }
    }

    /**
     * Sends the rollout's pending actuation again, if it has one, and records the answer on its latest decision, with
     * when it landed. A step that lands late starts when it lands.
     *
     * @return whether nothing is pending any more
     */
    boolean confirmPending(Rollout rollout) {
        Actuation pending = rollout.pendingActuation;
        if (pending == null) {
            return true;
        }
        RolloutDecision decision = RolloutDecision.latest(rollout.id);
        if (!actuate(rollout, pending, decision)) {
            return false;
        }
        var landed = clock.instant().atOffset(ZoneOffset.UTC);
        decision.answer += " (applied on retry at " + landed + ")";
        if (pending instanceof Actuation.SetPercentage && rollout.state == RolloutState.RUNNING) {
            // the step's users have the flag only from now: its bake and its canary windows start here
            rollout.stepStartedAt = landed;
        }
        return true;
    }

    /**
     * Applies {@code actuation} to the rollout's flag and writes the flag service's answer into {@code decision}.
     *
     * @return whether the flag service now holds what the decision asked (or nothing was asked)
     */
    boolean actuate(Rollout rollout, Actuation actuation, RolloutDecision decision) {
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
        boolean wasPending = rollout.pendingActuation != null;
        try {
            FlagState after = outsideTransaction(() -> actuation instanceof Actuation.SetPercentage set
                    ? flags.setPercentage(rollout.flagRef(), set.percentage())
                    : flags.turnOff(rollout.flagRef()));
            rollout.pendingActuation = null;
            decision.answer = "Unleash: " + (after.enabled() ? "on" : "off") + " at " + after.percentage() + " %";
            metrics.actuation(true);
            if (wasPending) {
                notices.actuationRecovered(rollout);
            }
            return true;
        } catch (FlagControlException e) {
            if (e.flagMissing() && actuation instanceof Actuation.TurnOff) {
                // a deleted flag is on for nobody: the kill has nothing left to do, and retrying it would page forever
                rollout.pendingActuation = null;
                decision.answer = "Unleash no longer has the flag: nothing left to turn off (" + e.getMessage() + ")";
                metrics.actuation(true);
                return true;
            }
            rollout.pendingActuation = actuation;
            decision.answer = "not applied, will retry: " + e.getMessage();
            metrics.actuation(false);
            notices.actuationFailing(rollout, actuation, e.getMessage());
            LOG.warnf("rollout %d: actuation %s failed, will retry: %s", rollout.id, actuation, e.getMessage());
            return false;
        }
    }

    /**
     * A round trip on the transaction's session, which holds the rollout's row lock: it fails when PostgreSQL ended the
     * session (the replica was silent past the lease, and another may have moved the rollout since). It also restarts
     * PostgreSQL's idle clock, so each call to the flag service gets the whole lease.
     */
    private void confirmLeaseHeld() {
        try {
            Rollout.getEntityManager().createNativeQuery("SELECT 1").getSingleResult();
        } catch (PersistenceException lost) {
            throw new IllegalStateException("the rollout's lease is lost (the database session ended): not acting on the"
                    + " flag service", lost);
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
        confirmLeaseHeld();
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
}

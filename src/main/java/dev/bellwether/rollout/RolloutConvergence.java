package dev.bellwether.rollout;

import dev.bellwether.telemetry.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/** The convergence curve of a rollout's flag, from its kill on. */
@ApplicationScoped
public class RolloutConvergence {

    private static final Logger LOG = Logger.getLogger(RolloutConvergence.class);

    /** The curve matters in the hours after a kill; older minutes are not worth a scan of every event since. */
    private static final Duration LONGEST = Duration.ofDays(1);
    /** Without a kill, the curve shows the last hour. */
    private static final Duration WITHOUT_KILL = Duration.ofHours(1);

    private final EventStore events;
    private final Clock clock;

    public RolloutConvergence(EventStore events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /** The whole curve, from the kill (or, if the rollout was not killed, the last hour) to now. */
    @Transactional
    public Convergence of(long id, int activeWindowMinutes) {
        return of(id, activeWindowMinutes, null);
    }

    /** @param lastMinutes only the last minutes of the curve (for the metric), or null for the whole curve */
    @Transactional
    public Convergence of(long id, int activeWindowMinutes, Integer lastMinutes) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            throw RolloutException.noRollout(id);
        }
        RolloutDecision kill = RolloutDecision.<RolloutDecision>find("rolloutId = ?1 and toState = ?2 order by at",
                id, RolloutState.KILLED.name()).firstResult();
        Instant now = clock.instant();
        Instant since = kill != null ? kill.at.toInstant() : now.minus(WITHOUT_KILL);
        if (since.isBefore(now.minus(LONGEST))) {
            since = now.minus(LONGEST);
        }
        if (lastMinutes != null && since.isBefore(now.minus(Duration.ofMinutes(lastMinutes)))) {
            since = now.minus(Duration.ofMinutes(lastMinutes));
        }
        return new Convergence(id, rollout.flag, since, kill == null ? null : kill.at.toInstant(), activeWindowMinutes,
                clientsReportingFlag(rollout, since, now, activeWindowMinutes));
    }

    private List<EventStore.FlagMinute> clientsReportingFlag(Rollout rollout, Instant since, Instant now,
            int activeWindowMinutes) {
        try {
            return events.clientsReportingFlag(rollout.app.id, rollout.flag, since, now, activeWindowMinutes);
        } catch (SQLException e) {
            LOG.warnf("rollout %d: convergence query failed: %s", rollout.id, e.getMessage());
            throw RolloutException.databaseFailed("the convergence query");
        }
    }
}

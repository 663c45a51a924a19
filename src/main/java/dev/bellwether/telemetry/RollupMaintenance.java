package dev.bellwether.telemetry;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/** Background upkeep: folds rollup deltas together, and drops what is past its retention. */
@ApplicationScoped
public class RollupMaintenance {

    private static final Logger LOG = Logger.getLogger(RollupMaintenance.class);
    private static final int SERIES_PER_TRANSACTION = 500;
    private static final int EVENTS_PER_DELETE = 10_000;
    static final Duration IDENTITY_SLACK = Duration.ofHours(1);

    private final RollupStore rollups;
    private final EventStore events;
    private final RetentionConfig retention;
    private final Clock clock;

    public RollupMaintenance(RollupStore rollups, EventStore events, RetentionConfig retention, Clock clock) {
        this.rollups = rollups;
        this.events = events;
        this.retention = retention;
        this.clock = clock;
    }

    @Scheduled(every = "${bellwether.rollup.compaction-interval}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void compact() {
        try {
            for (Granularity granularity : Granularity.values()) {
                while (rollups.compact(granularity, SERIES_PER_TRANSACTION) == SERIES_PER_TRANSACTION) {
                    // more pending than one transaction takes: go on
                }
            }
        } catch (SQLException e) {
            LOG.warnf("rollup compaction failed, will retry: %s", e.getMessage());
        }
    }

    @Scheduled(every = "${bellwether.retention.sweep-interval}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        Instant now = clock.instant();
        // an hour past what ingest still accepts: a resend parsed just before the sweep must find its identity
        Instant rawCutoff = now.minus(retention.rawEvents()).minus(IDENTITY_SLACK);
        try {
            long dropped = 0;
            int deleted;
            do {
                deleted = events.deleteBefore(rawCutoff, EVENTS_PER_DELETE);
                dropped += deleted;
            } while (deleted == EVENTS_PER_DELETE);
            int minutes = rollups.deleteOlderThan(Granularity.MINUTE, rawCutoff);
            int hours = rollups.deleteOlderThan(Granularity.HOUR, now.minus(retention.hourRollups()));
            if (dropped + minutes + hours > 0) {
                LOG.infof("retention: dropped %d events, %d minute and %d hour rollups", dropped, minutes, hours);
            }
        } catch (SQLException e) {
            LOG.warnf("retention sweep failed, will retry: %s", e.getMessage());
        }
    }
}

package dev.bellwether.telemetry;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/** Background upkeep: folds rollup deltas together, and drops what is past its retention. */
@ApplicationScoped
public class RollupMaintenance {

    private static final Logger LOG = Logger.getLogger(RollupMaintenance.class);
    private static final int SERIES_PER_TRANSACTION = 500;

    private final RollupStore rollups;
    private final EventPartitions partitions;
    private final RetentionConfig retention;
    private final Clock clock;

    public RollupMaintenance(RollupStore rollups, EventPartitions partitions, RetentionConfig retention, Clock clock) {
        this.rollups = rollups;
        this.partitions = partitions;
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
        try {
            EventPartitions.Upkeep upkeep = partitions.maintain(now);
            int minutes = rollups.deleteOlderThan(Granularity.MINUTE, partitions.keepFrom(now));
            int hours = rollups.deleteOlderThan(Granularity.HOUR, now.minus(retention.hourRollups()));
            if (!upkeep.created().isEmpty() || !upkeep.dropped().isEmpty() || minutes + hours > 0) {
                LOG.infof("retention: event partitions created %s, dropped %s; %d minute and %d hour rollups deleted",
                        upkeep.created(), upkeep.dropped(), minutes, hours);
            }
        } catch (SQLException e) {
            LOG.warnf("retention sweep failed, will retry: %s", e.getMessage());
        }
    }
}

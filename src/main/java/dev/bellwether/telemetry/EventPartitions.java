package dev.bellwether.telemetry;

import dev.bellwether.telemetry.PartitionPlan.Partition;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the event table's day partitions: every day an event can still be accepted for has one (created ahead of
 * time), and a partition is dropped whole once every event in it is past the raw-event retention.
 *
 * <p>Exactly once needs that no event that can still be accepted has its identity in a dropped partition. Ingest
 * accepts {@code at >= now - retention}; a partition goes only when its end is at or before
 * {@code now - retention - IDENTITY_SLACK}, the slack covering a beacon parsed just before the drop and clocks of
 * replicas that disagree.
 */
@ApplicationScoped
public class EventPartitions {

    private static final Logger LOG = Logger.getLogger(EventPartitions.class);
    static final Duration IDENTITY_SLACK = Duration.ofHours(1);
    /** Partitions exist this far beyond the latest acceptable time, so that upkeep may fail for a while unnoticed. */
    static final Duration AHEAD = Duration.ofDays(2);
    /** Creating or dropping a partition locks the event table briefly; ingest must not queue behind a long wait. */
    private static final String LOCK_TIMEOUT = "2s";

    private static final String PARTITIONS = """
            SELECT c.relname,
                   (regexp_match(b.bound, 'FROM \\(''([^'']*)''\\)'))[1]::timestamptz,
                   (regexp_match(b.bound, 'TO \\(''([^'']*)''\\)'))[1]::timestamptz
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
                 LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
            WHERE i.inhparent = 'event'::regclass""";

    /** What one upkeep did. */
    public record Upkeep(List<String> created, List<String> dropped) {
    }

    private final AgroalDataSource dataSource;
    private final RetentionConfig retention;
    private final Duration futureTolerance;
    private final Clock clock;

    public EventPartitions(AgroalDataSource dataSource, RetentionConfig retention,
            @ConfigProperty(name = "bellwether.ingest.future-tolerance") Duration futureTolerance, Clock clock) {
        this.dataSource = dataSource;
        this.retention = retention;
        this.futureTolerance = futureTolerance;
        this.clock = clock;
    }

    /** Before the first beacon: a fresh database has no partitions, and an event without one cannot be stored. */
    void atStart(@Observes StartupEvent startup) {
        try {
            maintain(clock.instant());
        } catch (SQLException e) {
            LOG.warnf("event partitions could not be prepared at start, the retention sweep retries: %s", e.getMessage());
        }
    }

    /** Creates the missing partitions for every event acceptable at {@code now}, then drops the expired ones. */
    public Upkeep maintain(Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Partition> existing = list(connection);
                List<String> created = new ArrayList<>();
                for (Partition day : PartitionPlan.toCreate(existing, now.minus(retention.rawEvents()),
                        now.plus(futureTolerance).plus(AHEAD))) {
                    ddl(connection, "CREATE TABLE IF NOT EXISTS " + day.name() + " PARTITION OF event FOR VALUES FROM ('"
                            + day.from() + "') TO ('" + day.to() + "')");
                    created.add(day.name());
                }
                List<String> dropped = new ArrayList<>();
                for (Partition expired : PartitionPlan.toDrop(existing, keepFrom(now))) {
                    ddl(connection, "DROP TABLE IF EXISTS " + expired.name());
                    dropped.add(expired.name());
                }
                return new Upkeep(created, dropped);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    /** Events older than this may be gone; ingest accepts none of them. */
    public Instant keepFrom(Instant now) {
        return now.minus(retention.rawEvents()).minus(IDENTITY_SLACK);
    }

    /** The event table's partitions, read from the catalog. */
    public List<Partition> list() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return list(connection);
        }
    }

    private static List<Partition> list(Connection connection) throws SQLException {
        List<Partition> partitions = new ArrayList<>();
        try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery(PARTITIONS)) {
            while (rows.next()) {
                OffsetDateTime from = rows.getObject(2, OffsetDateTime.class);
                partitions.add(new Partition(rows.getString(1), from == null ? null : from.toInstant(),
                        rows.getObject(3, OffsetDateTime.class).toInstant()));
            }
        }
        return partitions;
    }

    /** One statement in a transaction of its own, so that one that fails leaves the others done. */
    private static void ddl(Connection connection, String statement) throws SQLException {
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
            ddl.execute(statement);
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
    }
}

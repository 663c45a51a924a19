package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.telemetry.PartitionPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Retention of one day of raw events, side by side in one PostgreSQL: deleting its rows in batches from a table
 * without partitions (what the retention sweep did before V14, plus the VACUUM that must follow to reuse the space)
 * against dropping the day's partition of the partitioned event table (what it does now). Both tables hold the
 * expired day and one later day that is kept, with the same rows. Not a timed test: it prints a table and writes
 * target/bench/retention.json. Run with {@code ./mvnw -Pbench verify -Dit.test=RetentionBenchmark}; the day's size
 * with {@code -Dbench.retention-events=10000000}.
 */
class RetentionBenchmark {

    private static final long EVENTS = Long.getLong("bench.retention-events", 1_000_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    /** What the sweep deleted per statement before partitions. */
    private static final int EVENTS_PER_DELETE = 10_000;
    private static final LocalDate EXPIRED = LocalDate.parse("2026-11-01");
    private static final LocalDate KEPT = EXPIRED.plusDays(1);

    record Result(String way, int round, double fillSeconds, double retentionSeconds, double vacuumSeconds,
            long walBytes, long tableBytesBefore, long tableBytesAfter) {
    }

    @Test
    void deleteByRowAgainstDropPartition() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode().put("eventsPerDay", EVENTS).put("eventsPerDelete", EVENTS_PER_DELETE)
                .put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode results = json.putArray("rounds");
        StringBuilder table = new StringBuilder("\n| way | round | fill s (2 days) | retention s | VACUUM s | WAL MB"
                + " | table MB before | after |\n|---|---|---|---|---|---|---|---|\n");
        try (SharedPostgres postgres = new SharedPostgres(); Connection connection = postgres.connect()) {
            Flyway.configure().dataSource(postgres.jdbcUrl(), "postgres", "postgres").locations("classpath:db/migration")
                    .load().migrate();
            for (int round = 1; round <= ROUNDS; round++) {
                // alternate which goes first, so that a noisy neighbour or a warm cache favours neither
                Result[] pair = round % 2 == 1
                        ? new Result[] {deleteByRow(connection, round), dropPartition(connection, round)}
                        : new Result[] {dropPartition(connection, round), deleteByRow(connection, round)};
                for (Result r : pair) {
                    table.append(String.format("| %s | %d | %.1f | %.3f | %.1f | %.1f | %d | %d |%n", r.way(), r.round(),
                            r.fillSeconds(), r.retentionSeconds(), r.vacuumSeconds(), r.walBytes() / 1e6,
                            r.tableBytesBefore() >> 20, r.tableBytesAfter() >> 20));
                    results.add(mapper.valueToTree(r));
                }
            }
        }
        System.out.println(table);
        Path out = Path.of("target", "bench", "retention.json");
        Files.createDirectories(out.getParent());
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
    }

    /** The event table as V1 made it, unpartitioned, with its indexes. */
    private static Result deleteByRow(Connection connection, int round) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS event_unpartitioned");
            sql.execute("CREATE TABLE event_unpartitioned (LIKE event INCLUDING DEFAULTS INCLUDING INDEXES)");
            sql.execute("ALTER TABLE event_unpartitioned DROP CONSTRAINT event_unpartitioned_pkey");
            sql.execute("ALTER TABLE event_unpartitioned ADD PRIMARY KEY (app_id, client, event_id)");
            sql.execute("CREATE INDEX ON event_unpartitioned USING brin (at)");
            double fill = fill(sql, "event_unpartitioned");
            long before = size(sql, "event_unpartitioned");
            long wal = wal(sql);
            long started = System.nanoTime();
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM event_unpartitioned WHERE ctid IN "
                    + "(SELECT ctid FROM event_unpartitioned WHERE at < ? LIMIT " + EVENTS_PER_DELETE + ")")) {
                delete.setTimestamp(1, Timestamp.from(PartitionPlan.day(KEPT).from()));
                while (delete.executeUpdate() == EVENTS_PER_DELETE) {
                    // a day is many batches
                }
            }
            double retention = seconds(started);
            started = System.nanoTime();
            sql.execute("VACUUM event_unpartitioned");
            double vacuum = seconds(started);
            Result result = new Result("delete by row", round, fill, retention, vacuum, wal(sql) - wal, before,
                    size(sql, "event_unpartitioned"));
            sql.execute("DROP TABLE event_unpartitioned");
            return result;
        }
    }

    private static Result dropPartition(Connection connection, int round) throws SQLException {
        PartitionPlan.Partition expired = PartitionPlan.day(EXPIRED);
        PartitionPlan.Partition kept = PartitionPlan.day(KEPT);
        try (Statement sql = connection.createStatement()) {
            for (PartitionPlan.Partition day : new PartitionPlan.Partition[] {expired, kept}) {
                sql.execute("DROP TABLE IF EXISTS " + day.name());
                sql.execute("CREATE TABLE " + day.name() + " PARTITION OF event FOR VALUES FROM ('" + day.from()
                        + "') TO ('" + day.to() + "')");
            }
            double fill = fill(sql, "event");
            long before = size(sql, "event");
            long wal = wal(sql);
            long started = System.nanoTime();
            sql.execute("DROP TABLE " + expired.name());
            double retention = seconds(started);
            Result result = new Result("drop partition", round, fill, retention, 0, wal(sql) - wal, before, size(sql, "event"));
            sql.execute("DROP TABLE " + kept.name());
            return result;
        }
    }

    /** The same rows into either table: each day's events spread over the day, as the service writes them. */
    private static double fill(Statement sql, String table) throws SQLException {
        long started = System.nanoTime();
        for (LocalDate day : new LocalDate[] {EXPIRED, KEPT}) {
            sql.execute("INSERT INTO " + table + " (app_id, client, event_id, at, release_id, cohort_id, type) "
                    + "SELECT 1, 'client-' || (n % 50000), '" + day + "-' || n, '" + PartitionPlan.day(day).from() + "'::timestamptz"
                    + " + ((n - 1) * 86400.0 / " + EVENTS + ") * interval '1 second', 1, 1, 'sync'"
                    + " FROM generate_series(1, " + EVENTS + ") AS n");
        }
        sql.execute("CHECKPOINT");
        return seconds(started);
    }

    /** Heap, indexes and TOAST of a table, all its partitions included. */
    private static long size(Statement sql, String table) throws SQLException {
        // pg_partition_tree lists nothing for a table without partitions
        try (ResultSet row = sql.executeQuery("SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) "
                + "FROM pg_partition_tree('" + table + "')), pg_total_relation_size('" + table + "'))")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static long wal(Statement sql) throws SQLException {
        try (ResultSet row = sql.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}

package dev.bellwether.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellwether.support.SharedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

/**
 * V14 turns the event table into a partitioned one: on a database holding events, and on an empty one. V16 drops the
 * events' bodies, with events present in the old layout's partition and in a day's partition.
 */
class EventPartitionMigrationTest {

    private static final String INSERT = "INSERT INTO event (app_id, client, event_id, at, release_id, cohort_id, type, body) "
            + "VALUES (1, 'c', '%s', '%s', 1, 1, 'sync', '{}') ON CONFLICT DO NOTHING";
    private static final String WITHOUT_BODY = "INSERT INTO event (app_id, client, event_id, at, release_id, cohort_id, type) "
            + "VALUES (1, 'c', '%s', '%s', 1, 1, 'sync') ON CONFLICT DO NOTHING";

    @Test
    void eventsStoredBeforeStayAsOnePartitionThatKeepsTheirIdentity() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres(); Connection connection = postgres.connect();
                Statement sql = connection.createStatement()) {
            migrate(postgres, lastBefore14(postgres));
            Instant now = Instant.now();
            Instant monthAgo = now.minus(30, ChronoUnit.DAYS);
            sql.execute(INSERT.formatted("old", monthAgo));
            sql.execute(INSERT.formatted("recent", now));

            migrate(postgres, "14");

            assertThat(value(sql, "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'event'::regclass")).isEqualTo("1");
            assertThat(value(sql, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'event_legacy'"))
                    .isEqualTo("FOR VALUES FROM (MINVALUE) TO ('"
                            + value(sql, "SELECT date_trunc('day', now(), 'UTC') + interval '1 day'") + "')");
            assertThat(value(sql, "SELECT string_agg(event_id, ',' ORDER BY at) FROM event")).isEqualTo("old,recent");
            assertThat(sql.executeUpdate(INSERT.formatted("recent", now))).as("a resend of a stored event").isZero();
            assertThat(sql.executeUpdate(INSERT.formatted("old", monthAgo))).isZero();
            assertThat(value(sql, "SELECT count(*) FROM pg_indexes WHERE tablename = 'event_legacy'"))
                    .as("the old primary key is gone; the partitioned key's and the arrival index remain").isEqualTo("2");
        }
    }

    @Test
    void anEmptyDatabaseGetsAPartitionedTableWithoutLegacyPartition() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres(); Connection connection = postgres.connect();
                Statement sql = connection.createStatement()) {
            migrate(postgres, "14");

            assertThat(value(sql, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'event'::regclass")).isEqualTo("0");
            assertThat(value(sql, "SELECT to_regclass('event_legacy')")).isNull();
            sql.execute("CREATE TABLE event_p_test PARTITION OF event FOR VALUES FROM (MINVALUE) TO (MAXVALUE)");
            Instant at = Instant.parse("2026-11-30T12:00:00Z");
            assertThat(sql.executeUpdate(INSERT.formatted("e", at))).isEqualTo(1);
            assertThat(sql.executeUpdate(INSERT.formatted("e", at))).isZero();
        }
    }

    @Test
    void eventsStoredWithBodiesKeepTheirIdentityWithoutThem() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres(); Connection connection = postgres.connect();
                Statement sql = connection.createStatement()) {
            migrate(postgres, lastBefore14(postgres));
            Instant now = Instant.now();
            sql.execute(INSERT.formatted("legacy", now.minus(30, ChronoUnit.DAYS)));
            migrate(postgres, "15");
            Instant tomorrow = now.plus(1, ChronoUnit.DAYS);
            sql.execute("CREATE TABLE event_p_tomorrow PARTITION OF event FOR VALUES FROM ('"
                    + tomorrow.truncatedTo(ChronoUnit.DAYS) + "') TO ('" + tomorrow.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS) + "')");
            sql.execute(INSERT.formatted("day", tomorrow));

            migrate(postgres, "16");

            assertThat(value(sql, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'event' AND column_name = 'body'"))
                    .isEqualTo("0");
            assertThat(value(sql, "SELECT string_agg(event_id, ',' ORDER BY at) FROM event")).isEqualTo("legacy,day");
            assertThat(sql.executeUpdate(WITHOUT_BODY.formatted("day", tomorrow))).as("a resend of a stored event").isZero();
            assertThat(sql.executeUpdate(WITHOUT_BODY.formatted("legacy", now.minus(30, ChronoUnit.DAYS)))).isZero();
            assertThat(sql.executeUpdate(WITHOUT_BODY.formatted("new", tomorrow))).isEqualTo(1);
        }
    }

    /** The state a database was in before V14, whichever migrations precede it. */
    private static String lastBefore14(SharedPostgres postgres) {
        MigrationVersion v14 = MigrationVersion.fromVersion("14");
        return Arrays.stream(flyway(postgres, "latest").info().all()).map(MigrationInfo::getVersion)
                .filter(v -> v.compareTo(v14) < 0).max(MigrationVersion::compareTo).orElseThrow().getVersion();
    }

    private static Flyway flyway(SharedPostgres postgres, String target) {
        return Flyway.configure().dataSource(postgres.jdbcUrl(), "postgres", "postgres").locations("classpath:db/migration")
                .target(target).load();
    }

    private static void migrate(SharedPostgres postgres, String target) {
        flyway(postgres, target).migrate();
    }

    private static String value(Statement sql, String query) throws SQLException {
        try (ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getString(1);
        }
    }
}

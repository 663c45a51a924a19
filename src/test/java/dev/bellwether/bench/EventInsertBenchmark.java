package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * What PostgreSQL spends on the event table alone, per event, for each shape of the table and of the write: the same
 * batches (the service's commit size, realistic bodies, unique ids) committed one after the other on one connection,
 * every way in each round, in turn, in one PostgreSQL with the service's durability (fsync and synchronous_commit on).
 * Per way: the connection's backend CPU (read from /proc by its pid), wall time, WAL bytes and records (pg_stat_wal)
 * and the table's and its indexes' size. Rollups, HTTP and the service are left out: this isolates the event row.
 * Not a timed test: it prints a table and writes target/bench/event-insert.json. Run with
 * {@code ./mvnw -Pbench verify -Dit.test=EventInsertBenchmark}.
 */
class EventInsertBenchmark {

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int BATCHES = Integer.getInteger("bench.event-insert-batches", 300);
    private static final int BATCH_EVENTS = Integer.getInteger("bench.event-insert-batch-events", 160);
    private static final int CLIENTS = 32;
    private static final int RETENTION_DAYS = 14;

    record Event(String client, String eventId, Instant at, String type, String body) {
    }

    /**
     * A shape of the event table and how a batch is written into it: partitioned by day or not; the identity as the
     * two texts (client, event id) or as a 16-byte hash of them ({@code narrow}); with the JSON body or without; by
     * the service's {@code INSERT … ON CONFLICT DO NOTHING RETURNING} or by {@code COPY} (no conflict handling: a
     * duplicate fails the batch, which a writer would then retry the other way).
     */
    record Way(String name, String table, boolean partitioned, boolean keyWithAt, boolean narrow, boolean body, boolean copy) {

        List<String> create(List<LocalDate> days) {
            List<String> ddl = new ArrayList<>();
            String identity = narrow ? "id uuid NOT NULL, client text COLLATE \"C\" NOT NULL"
                    : "client text COLLATE \"C\" NOT NULL, event_id text COLLATE \"C\" NOT NULL";
            String key = "PRIMARY KEY (app_id, " + (narrow ? "id" : "client, event_id") + (keyWithAt ? ", at)" : ")");
            ddl.add("CREATE TABLE " + table + " (app_id bigint NOT NULL, " + identity + ", at timestamptz NOT NULL, "
                    + "received_at timestamptz NOT NULL DEFAULT now(), release_id bigint NOT NULL, cohort_id bigint NOT NULL, "
                    + "type text NOT NULL" + (body ? ", body jsonb NOT NULL" : "") + ", " + key + ")"
                    + (partitioned ? " PARTITION BY RANGE (at)" : ""));
            if (partitioned) {
                for (LocalDate day : days) {
                    ddl.add("CREATE TABLE " + table + "_" + day.toString().replace("-", "") + " PARTITION OF " + table
                            + " FOR VALUES FROM ('" + day + "T00:00:00Z') TO ('" + day.plusDays(1) + "T00:00:00Z')");
                }
            }
            ddl.add("CREATE INDEX ON " + table + " USING brin (received_at)");
            return ddl;
        }

        private String columns() {
            return "app_id, " + (narrow ? "id, client" : "client, event_id") + ", at, release_id, cohort_id, type"
                    + (body ? ", body" : "");
        }

        /** The service's statement (EventStore) adapted to the shape; null for COPY. */
        String upsert() {
            if (copy) {
                return null;
            }
            String identity = narrow ? "id, client" : "client, event_id";
            String arrays = narrow ? "?::uuid[], ?::text[]" : "?::text[], ?::text[]";
            return "INSERT INTO " + table + " (" + columns() + ") SELECT app_id, " + identity
                    + ", at::timestamptz, release_id, cohort_id, type" + (body ? ", body::jsonb" : "")
                    + " FROM unnest(?::bigint[], " + arrays + ", ?::text[], ?::bigint[], ?::bigint[], ?::text[]"
                    + (body ? ", ?::text[]" : "") + ") AS e(app_id, " + identity + ", at, release_id, cohort_id, type"
                    + (body ? ", body" : "") + ") ON CONFLICT DO NOTHING RETURNING app_id, " + (narrow ? "id" : "client, event_id");
        }

        void write(Connection connection, List<Event> batch) throws Exception {
            if (copy) {
                StringBuilder rows = new StringBuilder(batch.size() * 256);
                for (int i = 0; i < batch.size(); i++) {
                    Event e = batch.get(i);
                    rows.append("1\t").append(narrow ? identity(e).toString() + "\t" + e.client() : e.client() + "\t" + e.eventId())
                            .append('\t').append(e.at()).append("\t1\t").append(1 + i % 2).append('\t').append(e.type());
                    if (body) {
                        rows.append('\t').append(e.body()); // no tab, newline or backslash in these bodies
                    }
                    rows.append('\n');
                }
                long copied = connection.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY " + table + " (" + columns() + ") FROM STDIN", new StringReader(rows.toString()));
                check(batch.size(), copied);
                return;
            }
            try (PreparedStatement insert = connection.prepareStatement(upsert())) {
                bind(connection, insert, batch);
                try (ResultSet returned = insert.executeQuery()) {
                    int rows = 0;
                    while (returned.next()) {
                        rows++;
                    }
                    check(batch.size(), rows);
                }
            }
        }

        void bind(Connection connection, PreparedStatement insert, List<Event> batch) throws SQLException {
            int n = batch.size();
            Object[] apps = new Long[n];
            Object[] first = narrow ? new UUID[n] : new String[n];
            Object[] second = new String[n];
            Object[] ats = new String[n];
            Object[] releases = new Long[n];
            Object[] cohorts = new Long[n];
            Object[] types = new String[n];
            Object[] bodies = new String[n];
            for (int i = 0; i < n; i++) {
                Event e = batch.get(i);
                apps[i] = 1L;
                first[i] = narrow ? identity(e) : e.client();
                second[i] = narrow ? e.client() : e.eventId();
                ats[i] = e.at().toString();
                releases[i] = 1L;
                cohorts[i] = 1L + i % 2;
                types[i] = e.type();
                bodies[i] = e.body();
            }
            List<Array> arrays = new ArrayList<>(List.of(connection.createArrayOf("bigint", apps),
                    connection.createArrayOf(narrow ? "uuid" : "text", first), connection.createArrayOf("text", second),
                    connection.createArrayOf("text", ats), connection.createArrayOf("bigint", releases),
                    connection.createArrayOf("bigint", cohorts), connection.createArrayOf("text", types)));
            if (body) {
                arrays.add(connection.createArrayOf("text", bodies));
            }
            for (int i = 0; i < arrays.size(); i++) {
                insert.setArray(i + 1, arrays.get(i));
            }
        }

        private static void check(long expected, long written) {
            if (written != expected) {
                throw new IllegalStateException("expected " + expected + " new events, wrote " + written);
            }
        }
    }

    /** The narrow identity: the first 16 bytes of SHA-256 over client, a NUL (in neither text) and event id. */
    static UUID identity(Event e) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(e.client().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            byte[] hash = sha.digest(e.eventId().getBytes(StandardCharsets.UTF_8));
            long high = 0;
            long low = 0;
            for (int i = 0; i < 8; i++) {
                high = high << 8 | (hash[i] & 0xff);
                low = low << 8 | (hash[i + 8] & 0xff);
            }
            return new UUID(high, low);
        } catch (java.security.NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Test
    void eventTableShapes() throws Exception {
        List<Way> ways = List.of(
                new Way("partitioned (V14, the service)", "ev_part", true, true, false, true, false),
                new Way("plain, key without at (V1)", "ev_plain", false, false, false, true, false),
                new Way("plain, key with at", "ev_wide", false, true, false, true, false),
                new Way("partitioned, narrow key", "ev_narrow", true, true, true, true, false),
                new Way("partitioned, no body", "ev_nobody", true, true, false, false, false),
                new Way("partitioned, COPY", "ev_copy", true, true, false, true, true),
                new Way("partitioned, no body, COPY", "ev_nbcopy", true, true, false, false, true),
                new Way("partitioned, narrow key, no body, COPY", "ev_lean", true, true, true, false, true),
                new Way("partitioned, narrow key, no body", "ev_slim", true, true, true, false, false));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode().put("batches", BATCHES).put("batchEvents", BATCH_EVENTS)
                .put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode results = json.putArray("rounds");
        Map<String, List<double[]>> byWay = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("\n| way | round | events/s | backend CPU µs/event | WAL bytes/event"
                + " | WAL records/event | full-page images/event | table+index bytes/event (all rounds) |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on").start();
                Connection connection = postgres.getPostgresDatabase().getConnection()) {
            Flyway.configure().dataSource(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres")
                    .locations("classpath:db/migration").load().migrate();
            long backend = backendPid(connection);
            // as many day partitions as the service keeps: the retention's days back, two ahead
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            List<LocalDate> days = new ArrayList<>();
            for (LocalDate day = today.minusDays(RETENTION_DAYS); !day.isAfter(today.plusDays(2)); day = day.plusDays(1)) {
                days.add(day);
            }
            try (Statement sql = connection.createStatement()) {
                for (Way way : ways) {
                    for (String ddl : way.create(days)) {
                        sql.execute(ddl);
                    }
                }
            }
            connection.setAutoCommit(false);
            long sequence = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                // rotate which goes first, so that a noisy neighbour or a warm cache favours none
                for (int w = 0; w < ways.size(); w++) {
                    Way way = ways.get((w + round - 1) % ways.size());
                    List<List<Event>> batches = new ArrayList<>();
                    for (int b = 0; b < BATCHES; b++) {
                        batches.add(batch(sequence));
                        sequence += BATCH_EVENTS;
                    }
                    checkpoint(connection);
                    long[] walBefore = wal(connection);
                    Duration cpuBefore = cpu(backend);
                    long started = System.nanoTime();
                    for (List<Event> batch : batches) {
                        way.write(connection, batch);
                        connection.commit();
                    }
                    double seconds = (System.nanoTime() - started) / 1e9;
                    double cpuMicros = cpu(backend).minus(cpuBefore).toNanos() / 1e3;
                    long[] walAfter = wal(connection);
                    long events = (long) BATCHES * BATCH_EVENTS;
                    long size = size(connection, way.table() + "%");
                    double[] figures = {events / seconds, cpuMicros / events, (double) (walAfter[0] - walBefore[0]) / events,
                        (double) (walAfter[1] - walBefore[1]) / events, (double) (walAfter[2] - walBefore[2]) / events,
                        (double) size / ((long) round * events)};
                    byWay.computeIfAbsent(way.name(), k -> new ArrayList<>()).add(figures);
                    table.append(String.format("| %s | %d | %.0f | %.2f | %.0f | %.2f | %.3f | %.0f |%n", way.name(), round,
                            figures[0], figures[1], figures[2], figures[3], figures[4], figures[5]));
                    results.addObject().put("way", way.name()).put("round", round).put("eventsPerSecond", figures[0])
                            .put("backendCpuMicrosPerEvent", figures[1]).put("walBytesPerEvent", figures[2])
                            .put("walRecordsPerEvent", figures[3]).put("fullPageImagesPerEvent", figures[4])
                            .put("bytesPerEvent", figures[5]);
                }
            }
            connection.setAutoCommit(true);
            table.append("\nOne batch of each way, EXPLAIN (ANALYZE, BUFFERS, WAL), rolled back:\n");
            for (Way way : ways) {
                table.append("\n").append(way.name()).append(":\n").append(explain(connection, way, batch(sequence)));
                sequence += BATCH_EVENTS;
            }
        }
        System.out.println(table);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.resolve("event-insert.json").toFile(), json);
        Files.writeString(out.resolve("event-insert.md"), table.toString());
    }

    /** A commit's worth of events as the service sees them: beacons of 20 from the clients in turn, in key order. */
    private static List<Event> batch(long first) {
        List<Event> events = new ArrayList<>(BATCH_EVENTS);
        Instant now = Instant.now();
        for (int i = 0; i < BATCH_EVENTS; i++) {
            long n = first + i;
            String client = "client-" + (n / RealisticBeacon.EVENTS % CLIENTS);
            String id = "e-" + n;
            Instant at = now.minusMillis(n % RealisticBeacon.EVENTS * 997L);
            String body = switch ((int) (n % 5)) {
                case 0 -> "{\"id\":\"" + id + "\",\"type\":\"outbox\",\"at\":\"" + at + "\",\"depth\":3,\"oldestAgeMs\":45000}";
                case 1, 2 -> "{\"id\":\"" + id + "\",\"type\":\"replay\",\"at\":\"" + at
                        + "\",\"mutation\":\"note.update\",\"outcome\":\"succeeded\",\"attempts\":1,\"latencyMs\":237}";
                case 3 -> "{\"id\":\"" + id + "\",\"type\":\"sync\",\"at\":\"" + at + "\",\"latencyMs\":491,\"stalenessMs\":30000}";
                default -> "{\"id\":\"" + id + "\",\"type\":\"migration\",\"at\":\"" + at
                        + "\",\"fromVersion\":3,\"toVersion\":4,\"outcome\":\"succeeded\",\"durationMs\":120}";
            };
            events.add(new Event(client, id, at, body.substring(body.indexOf("\"type\":\"") + 8, body.indexOf("\",\"at\"")), body));
        }
        events.sort((a, b) -> a.client().equals(b.client()) ? a.eventId().compareTo(b.eventId()) : a.client().compareTo(b.client()));
        return events;
    }

    /** The plan of one batch's write with its timing, buffers and WAL, rolled back. */
    private static String explain(Connection connection, Way way, List<Event> batch) throws SQLException {
        if (way.upsert() == null) {
            return "(COPY has no plan)\n";
        }
        StringBuilder plan = new StringBuilder();
        connection.setAutoCommit(false);
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, WAL) " + way.upsert())) {
            way.bind(connection, explain, batch);
            try (ResultSet lines = explain.executeQuery()) {
                while (lines.next()) {
                    plan.append("    ").append(lines.getString(1)).append('\n');
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
        return plan.toString();
    }

    private static long backendPid(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).orElseThrow();
    }

    private static void checkpoint(Connection connection) throws SQLException {
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement sql = connection.createStatement()) {
            sql.execute("CHECKPOINT");
        }
        connection.setAutoCommit(auto);
    }

    /** WAL bytes, records and full-page images written so far, cluster-wide (this connection is the only writer). */
    private static long[] wal(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery(
                "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, wal_records, wal_fpi FROM pg_stat_wal")) {
            row.next();
            return new long[] {row.getLong(1), row.getLong(2), row.getLong(3)};
        }
    }

    private static long size(Connection connection, String like) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement(
                "SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c WHERE c.relname LIKE ? AND c.relkind IN ('r', 'i')")) {
            sql.setString(1, like);
            try (ResultSet row = sql.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}

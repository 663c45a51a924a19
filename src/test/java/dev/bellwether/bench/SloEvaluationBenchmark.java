package dev.bellwether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.telemetry.Distribution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How long one SLO evaluation tick takes over 10,000 (app, release, cohort) series: 100 apps × 10 releases ×
 * 10 cohorts, each with minute rollups for the last 2 hours and hour rollups for the last 3 days, and two SLOs per app
 * (a ratio and a latency threshold read from sketches). The first tick after the first start reads every rollup row
 * (no counts are stored yet); each of the next ones follows a burst in which every series received events, and reads
 * what changed. Then the service restarts after another burst: its first tick reads the counts the ticks before
 * stored, and what was written since. Run with {@code ./mvnw -Pbench verify}.
 */
class SloEvaluationBenchmark {

    private static final int APPS = 100;
    private static final int RELEASES = 10;
    private static final int COHORTS = 10;
    private static final int MINUTES = 120;
    private static final int HOURS = 72;
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Just over the 30 s before its previous tick within which SloEvaluator re-reads what was written. */
    private static final Duration REREAD_MARGIN = Duration.ofSeconds(31);
    /** Steady ticks before the restart; more give a steadier figure on a shared machine. */
    private static final int STEADY_TICKS = Integer.getInteger("bench.slo-steady-ticks", 3);

    @Test
    void evaluationTickOverTenThousandSeries() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres()) {
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.put("BELLWETHER_EVALUATION_INTERVAL", INTERVAL.toSeconds() + "s");
            environment.put("BELLWETHER_ADMIN_TOKEN", "bench-admin");
            environment.put("QUARKUS_LOG_LEVEL", "WARN");
            // e.g. -XX:StartFlightRecording=... to profile the service's ticks
            String jvmOptions = System.getProperty("bench.slo-service-jvm-options");
            if (jvmOptions != null) {
                environment.put("JAVA_TOOL_OPTIONS", jvmOptions);
            }
            try (ServiceProcess service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "slo-bench"), environment);
                    Connection db = postgres.connect()) {
                service.start();  // creates the schema
                service.stop();
                long populateStarted = System.nanoTime();
                populate(db);
                double populateSeconds = (System.nanoTime() - populateStarted) / 1e9;

                long lastTick = latestTick(db);
                // as after a real restart, the data is older than the window in which a tick re-reads recent writes
                Thread.sleep(REREAD_MARGIN.toMillis());
                service.start();  // the first start with this schema: no stored counts, every series is read in full
                double fromRollups = duration(db, awaitTickAfter(db, lastTick));
                System.out.printf("cold tick without stored counts: %.0f ms%n", fromRollups);
                List<SteadyTick> steady = steadyTicks(db, STEADY_TICKS);
                int storedCounts = storedCounts(db);

                service.stop();
                oneMinuteOfTraffic(db);  // what clients sent while the service restarted
                lastTick = latestTick(db);
                service.start();  // a restart: the stored counts and what was written since they were stored
                double fromStored = duration(db, awaitTickAfter(db, lastTick));
                System.out.printf("cold tick from stored counts: %.0f ms%n", fromStored);
                steady.addAll(steadyTicks(db, 2));
                report(fromRollups, fromStored, storedCounts, steady, slos(db), populateSeconds);
            }
        }
    }

    /**
     * A steady tick's duration, and the WAL the database wrote while it ran: its verdicts, counts and tick row, but also
     * whatever else PostgreSQL wrote meanwhile (autovacuum of the rollup tables), which the position cannot tell apart.
     */
    private record SteadyTick(double ms, long walBytes) {
    }

    private static List<SteadyTick> steadyTicks(Connection db, int ticks) throws Exception {
        List<SteadyTick> steady = new ArrayList<>();
        for (int i = 0; i < ticks; i++) {
            oneMinuteOfTraffic(db);
            String walBefore = walPosition(db);  // after the traffic's rows
            double ms = duration(db, awaitTickAfter(db, latestTick(db)));
            steady.add(new SteadyTick(ms, walBytesSince(db, walBefore)));
            System.out.printf("steady tick: %.0f ms, %d WAL bytes, load average %s%n", ms, steady.get(i).walBytes(), loadAverage());
        }
        return steady;
    }

    private static String walPosition(Connection db) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            return row.getString(1);
        }
    }

    private static long walBytesSince(Connection db, String position) throws Exception {
        try (PreparedStatement select = db.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)::bigint")) {
            select.setString(1, position);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static String loadAverage() throws Exception {
        Path loadavg = Path.of("/proc/loadavg");
        return Files.exists(loadavg) ? String.join(" ", List.of(Files.readString(loadavg).split(" ")).subList(0, 3)) : "unknown";
    }

    private static void populate(Connection db) throws Exception {
        byte[] latency = sketch(new Random(7));
        try (Statement sql = db.createStatement()) {
            sql.execute("INSERT INTO app (name) SELECT 'bench-' || a FROM generate_series(1, " + APPS + ") a");
            sql.execute("INSERT INTO release (app_id, name) SELECT app.id, 'r' || r FROM app, generate_series(1, " + RELEASES
                    + ") r WHERE app.name LIKE 'bench-%'");
            sql.execute("INSERT INTO cohort (app_id, label, flags) SELECT app.id, 'flag=' || c, jsonb_build_object('flag', 'v' || c) "
                    + "FROM app, generate_series(1, " + COHORTS + ") c WHERE app.name LIKE 'bench-%'");
            sql.execute("INSERT INTO slo (app_id, name, sli, objective, period_seconds, threshold, min_events, source) "
                    + "SELECT id, 'dead-letters', 'dead_letter_ratio', 0.99, 2592000, NULL, 100, 'api' FROM app WHERE name LIKE 'bench-%' "
                    + "UNION ALL SELECT id, 'sync-latency', 'sync_latency', 0.95, 2592000, 5000, 100, 'api' FROM app WHERE name LIKE 'bench-%'");
        }
        String series = "FROM release r JOIN cohort c ON c.app_id = r.app_id JOIN app a ON a.id = r.app_id AND a.name LIKE 'bench-%'";
        try (PreparedStatement minutes = db.prepareStatement("INSERT INTO rollup_minute (app_id, release_id, cohort_id, bucket, "
                + "replay_succeeded, replay_dead_lettered, sync_latency, compacted) SELECT r.app_id, r.id, c.id, "
                + "date_trunc('minute', now()) - m * interval '1 minute', 100, 1, ?, true " + series
                + ", generate_series(1, " + MINUTES + ") m");
                PreparedStatement hours = db.prepareStatement("INSERT INTO rollup_hour (app_id, release_id, cohort_id, bucket, "
                        + "replay_succeeded, replay_dead_lettered, sync_latency, compacted) SELECT r.app_id, r.id, c.id, "
                        + "date_trunc('hour', now()) - h * interval '1 hour', 6000, 60, ?, true " + series
                        + ", generate_series(1, " + HOURS + ") h")) {
            minutes.setBytes(1, latency);
            minutes.executeUpdate();
            hours.setBytes(1, latency);
            hours.executeUpdate();
        }
        try (Statement sql = db.createStatement()) {
            sql.execute("ANALYZE");
        }
    }

    /** Every series gets a delta row in the current minute and hour, as one minute of ingest would write. */
    private static void oneMinuteOfTraffic(Connection db) throws Exception {
        byte[] latency = sketch(new Random(11));
        String series = "FROM release r JOIN cohort c ON c.app_id = r.app_id JOIN app a ON a.id = r.app_id AND a.name LIKE 'bench-%'";
        for (String table : List.of("rollup_minute", "rollup_hour")) {
            String unit = table.equals("rollup_minute") ? "minute" : "hour";
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + table + " (app_id, release_id, cohort_id, bucket, "
                    + "replay_succeeded, replay_dead_lettered, sync_latency) SELECT r.app_id, r.id, c.id, date_trunc('" + unit
                    + "', now()), 100, 1, ? " + series)) {
                insert.setBytes(1, latency);
                insert.executeUpdate();
            }
        }
    }

    private static byte[] sketch(Random random) {
        Distribution distribution = new Distribution();
        for (int i = 0; i < 100; i++) {
            distribution.add(Math.exp(7 + random.nextGaussian()));
        }
        return distribution.encode();
    }

    private static long latestTick(Connection db) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery("SELECT coalesce(max(tick), 0) FROM evaluation_tick WHERE finished_at IS NOT NULL")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static long awaitTickAfter(Connection db, long tick) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            long latest = latestTick(db);
            if (latest > tick) {
                return latest;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no evaluation tick finished within 5 minutes");
    }

    private static double duration(Connection db, long tick) throws Exception {
        try (PreparedStatement select = db.prepareStatement("SELECT duration_ms FROM evaluation_tick WHERE tick = ?")) {
            select.setLong(1, tick);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getDouble(1);
            }
        }
    }

    private static int slos(Connection db) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery("SELECT count(*) FROM slo WHERE state IS NOT NULL")) {
            row.next();
            return row.getInt(1);
        }
    }

    private static int storedCounts(Connection db) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery("SELECT count(*) FROM slo_count")) {
            row.next();
            return row.getInt(1);
        }
    }

    private static void report(double fromRollupsMs, double fromStoredMs, int storedCounts, List<SteadyTick> steady, int slos,
            double populateSeconds) throws Exception {
        List<Double> steadyMs = steady.stream().map(SteadyTick::ms).toList();
        int series = APPS * RELEASES * COHORTS;
        int seriesRows = series * (MINUTES + HOURS);
        StringBuilder table = new StringBuilder(String.format(
                "%n| tick | series | SLOs | rows read | duration ms | share of the %d s interval |%n|---|---|---|---|---|---|%n",
                INTERVAL.toSeconds()));
        table.append(String.format("| cold, no stored counts (first start) | %d | %d | %d rollup | %.0f | %.1f %% |%n", series,
                slos, seriesRows, fromRollupsMs, fromRollupsMs / INTERVAL.toMillis() * 100));
        table.append(String.format("| cold, from stored counts (restart) | %d | %d | %d counts + %d rollup | %.0f | %.1f %% |%n",
                series, slos, storedCounts, series * 2, fromStoredMs, fromStoredMs / INTERVAL.toMillis() * 100));
        for (int i = 0; i < steadyMs.size(); i++) {
            table.append(String.format("| steady %d%s | %d | %d | %d rollup | %.0f | %.1f %% |%n", i + 1, i < STEADY_TICKS ? "" : " (after the restart)",
                    series, slos, series * 2, steadyMs.get(i), steadyMs.get(i) / INTERVAL.toMillis() * 100));
        }
        table.append(String.format("%nWAL written per steady tick: mean %.0f bytes%n",
                steady.stream().mapToLong(SteadyTick::walBytes).average().orElseThrow()));
        table.append(String.format("%ncold from stored counts / from the rollups: %.3f; / mean steady tick: %.1f%n",
                fromStoredMs / fromRollupsMs, fromStoredMs / steadyMs.stream().mapToDouble(d -> d).average().orElseThrow()));
        table.append(String.format("%n(populating %d minute and %d hour rollup rows took %.0f s)%n",
                series * MINUTES, series * HOURS, populateSeconds));
        System.out.println(table);
        ObjectNode json = JSON.createObjectNode();
        json.put("series", series).put("slos", slos).put("intervalSeconds", INTERVAL.toSeconds())
                .put("coldTickFromRollupsMs", fromRollupsMs).put("coldTickFromStoredCountsMs", fromStoredMs)
                .put("storedCounts", storedCounts);
        var steadyJson = json.putArray("steadyTickMs");
        steadyMs.forEach(steadyJson::add);
        var walJson = json.putArray("steadyTickWalBytes");
        steady.forEach(tick -> walJson.add(tick.walBytes()));
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("slo-evaluation.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("slo-evaluation.md"), table.toString());
    }
}

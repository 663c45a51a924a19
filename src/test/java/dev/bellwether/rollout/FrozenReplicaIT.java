package dev.bellwether.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellwether.support.Fixtures;
import dev.bellwether.support.RolloutAudit;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.support.UnleashServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one PostgreSQL and a real Unleash; one is frozen (SIGSTOP) while it holds the SLO evaluation lock,
 * then while it holds a rollout's row lock between a decision and its actuation. PostgreSQL ends the frozen replica's
 * session after the lease's idle limit, the other replica takes over within the stated bound, and when the frozen one
 * wakes it applies nothing: every tick is counted once, every decision recorded once, every strategy change written to
 * Unleash once.
 *
 * <p>To freeze a replica at the right moment, the test holds a table lock that the replica's next statement waits
 * for: it freezes the replica whose session waits, then lets the statement finish, so that the frozen replica's
 * session sits idle in its transaction with the lock held.
 */
class FrozenReplicaIT {

    private static final String ADMIN = "frozen-admin";
    private static final Duration LEASE_IDLE = Duration.ofSeconds(3);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Short, so the rollout lease is short, but with a retry: a loaded machine's Unleash can miss one request's timeout. */
    private static final Duration UNLEASH_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final int UNLEASH_ATTEMPTS = 2;
    private static final Duration UNLEASH_BACKOFF = Duration.ofMillis(200);
    /** Scheduling and a loaded machine: what a takeover may take beyond the bound the configuration states. */
    private static final Duration SLACK = Duration.ofSeconds(8);
    /** The evaluation lock's key as pg_locks shows it: its high and low 32 bits. */
    private static final long LOCK_CLASSID = 0x62656c6cL;
    private static final long LOCK_OBJID = 0x77657468L;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theOtherReplicaTakesOverAndTheFrozenOneAppliesNothingWhenItWakes() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres(); UnleashServer unleash = UnleashServer.on(postgres);
                Connection watcher = postgres.connect()) {
            unleash.start();
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.putAll(Map.of("BELLWETHER_ADMIN_TOKEN", ADMIN,
                    "BELLWETHER_EVALUATION_INTERVAL", INTERVAL.toSeconds() + "s",
                    "BELLWETHER_ROLLOUT_INTERVAL", INTERVAL.toSeconds() + "s",
                    "BELLWETHER_LEASE_IDLE_TIMEOUT", LEASE_IDLE.toSeconds() + "s",
                    "BELLWETHER_UNLEASH_REQUEST_TIMEOUT", UNLEASH_REQUEST_TIMEOUT.toSeconds() + "s",
                    "BELLWETHER_UNLEASH_RETRY_ATTEMPTS", Integer.toString(UNLEASH_ATTEMPTS),
                    "BELLWETHER_UNLEASH_RETRY_BACKOFF", UNLEASH_BACKOFF.toMillis() + "ms",
                    "BELLWETHER_UNLEASH_URL", unleash.apiUrl(), "BELLWETHER_UNLEASH_ADMIN_TOKEN", unleash.adminToken(),
                    "BELLWETHER_UNLEASH_CLIENT_TOKEN", unleash.clientToken()));
            Map<String, ServiceProcess> replicas = new HashMap<>();
            try (ServiceProcess a = replica("frozen-a", environment); ServiceProcess b = replica("frozen-b", environment)) {
                replicas.put("frozen-a", a);
                replicas.put("frozen-b", b);
                a.start();
                b.start();
                evaluationLockHolderFrozen(postgres, watcher, replicas);
                decidingReplicaFrozen(postgres, unleash, watcher, replicas);
            }
        }
    }

    private void evaluationLockHolderFrozen(SharedPostgres postgres, Connection watcher, Map<String, ServiceProcess> replicas)
            throws Exception {
        ServiceProcess frozen;
        Instant idleFrom;
        try (Connection blocker = postgres.connect()) {
            blocker.setAutoCommit(false);
            try (Statement lock = blocker.createStatement()) {
                // the lock holder's claim of its tick waits for this
                lock.execute("LOCK TABLE evaluation_tick IN SHARE MODE");
            }
            String holder = waitFor("a replica holding the evaluation lock", Duration.ofSeconds(20), () -> single(watcher,
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                            + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " + LOCK_CLASSID
                            + " AND l.objid = " + LOCK_OBJID));
            frozen = replicas.get(holder);
            frozen.freeze();
            blocker.commit();
            idleFrom = Instant.now();
        }
        ServiceProcess other = other(replicas, frozen);
        Duration takeover;
        try {
            waitFor("a tick evaluated by the other replica", LEASE_IDLE.plus(INTERVAL).plus(SLACK).plusSeconds(10),
                    () -> single(watcher, "SELECT tick FROM evaluation_tick WHERE finished_at IS NOT NULL AND instance LIKE '"
                            + other.pid() + "@%' AND finished_at > to_timestamp(" + idleFrom.toEpochMilli() / 1000.0 + ")"));
            takeover = Duration.between(idleFrom, Instant.now());
            System.out.printf("evaluation: the other replica evaluated %d ms after the lock holder froze%n", takeover.toMillis());
        } finally {
            frozen.thaw();
        }
        assertThat(takeover).as("evaluation takeover").isLessThanOrEqualTo(LEASE_IDLE.plus(INTERVAL).plus(SLACK));

        // the woken replica evaluates again, and no tick is counted twice
        waitFor("a tick evaluated by the woken replica", Duration.ofSeconds(15), () -> single(watcher,
                "SELECT tick FROM evaluation_tick WHERE finished_at IS NOT NULL AND instance LIKE '" + frozen.pid()
                        + "@%' AND finished_at > now() - interval '1 second'"));
        double evaluatedBefore = evaluated(replicas.values());
        List<Long> ticks = new ArrayList<>();
        try (Statement select = watcher.createStatement();
                ResultSet rows = select.executeQuery("SELECT tick FROM evaluation_tick WHERE finished_at IS NOT NULL")) {
            while (rows.next()) {
                ticks.add(rows.getLong(1));
            }
        }
        double evaluatedAfter = evaluated(replicas.values());
        assertThat(ticks).doesNotHaveDuplicates();
        assertThat((double) ticks.size()).as("ticks the replicas counted as evaluated").isBetween(evaluatedBefore, evaluatedAfter);
    }

    private void decidingReplicaFrozen(SharedPostgres postgres, UnleashServer unleash, Connection watcher,
            Map<String, ServiceProcess> replicas) throws Exception {
        String flag = "frozen-" + UUID.randomUUID().toString().substring(0, 8);
        unleash.createFlag(flag);
        String base = replicas.get("frozen-a").baseUrl();
        send(base, "POST", "/v1/apps", "{\"name\": \"frozen\", \"beaconsPerSecond\": 100000}");
        String key = send(base, "POST", "/v1/apps/frozen/ingest-keys", "").get("key").asText();
        long id = send(base, "POST", "/v1/rollouts", "{\"app\": \"frozen\", \"flag\": \"" + flag + "\", "
                + "\"steps\": [5, 25, 100], \"bake\": \"0s\", \"minSamplePerCohort\": 50, "
                + "\"guards\": [{\"sli\": \"dead_letter_ratio\", \"action\": \"kill\"}]}").get("id").asLong();
        send(base, "POST", "/v1/rollouts/" + id + "/start", "{\"reason\": \"frozen replica test\"}");

        ServiceProcess frozen;
        Instant idleFrom;
        int batch = 0;
        try (Connection blocker = postgres.connect()) {
            blocker.setAutoCommit(false);
            try (Statement lock = blocker.createStatement()) {
                // a replica records its decision, with the rollout's row locked, before it acts on Unleash: it waits here
                lock.execute("LOCK TABLE rollout_decision IN SHARE MODE");
            }
            Instant deadline = Instant.now().plusSeconds(60);
            String decider = null;
            while (decider == null && Instant.now().isBefore(deadline)) {
                traffic(base, key, flag, batch++);
                Thread.sleep(300);
                decider = single(watcher, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        + " WHERE l.locktype = 'relation' AND l.relation = 'rollout_decision'::regclass AND NOT l.granted");
            }
            assertThat(decider).as("a replica deciding the first advance").isNotNull();
            frozen = replicas.get(decider);
            frozen.freeze();
            blocker.commit();
            idleFrom = Instant.now();
        }
        ServiceProcess other = other(replicas, frozen);
        base = other.baseUrl();
        Duration takeover = null;
        String state = "RUNNING";
        try {
            Instant deadline = Instant.now().plusSeconds(60);
            while (!state.equals("PROMOTED") && Instant.now().isBefore(deadline)) {
                traffic(base, key, flag, batch++);
                Thread.sleep(300);
                JsonNode rollout = send(base, "GET", "/v1/rollouts/" + id, null);
                state = rollout.get("state").asText();
                if (takeover == null && (rollout.get("step").asInt() > 0 || !state.equals("RUNNING"))) {
                    takeover = Duration.between(idleFrom, Instant.now());
                    System.out.printf("rollout: the other replica advanced %d ms after the deciding replica froze%n",
                            takeover.toMillis());
                }
            }
        } finally {
            frozen.thaw();
        }
        assertThat(state).isEqualTo("PROMOTED");
        // the frozen replica's lease: the idle limit plus the longest Unleash operation (each attempt's read, two writes
        // and read back timing out, and the backoff between the attempts)
        Duration rolloutLease = LEASE_IDLE.plus(UNLEASH_REQUEST_TIMEOUT.multipliedBy(4L * UNLEASH_ATTEMPTS)).plus(UNLEASH_BACKOFF);
        assertThat(takeover).as("rollout takeover").isLessThanOrEqualTo(rolloutLease.plus(INTERVAL).plus(SLACK));

        // the woken replica goes on from where it froze: its stale decision must reach neither the database nor Unleash
        Thread.sleep(INTERVAL.multipliedBy(4).toMillis());
        JsonNode decisions = send(base, "GET", "/v1/rollouts/" + id + "/decisions", null);
        assertThat(RolloutAudit.triggersOncePerPosition(decisions)).containsExactly("start", "advance", "advance", "advance");
        assertThat(send(base, "GET", "/v1/rollouts/" + id, null).get("state").asText()).isEqualTo("PROMOTED");
        // 5 % (add), 25 % and 100 % (updates), each once
        assertThat(unleash.strategyWrites(flag)).as("strategy writes in Unleash's event log: " + unleash.events(flag))
                .isEqualTo(3);
        assertThat(unleash.strategies(flag).toString()).contains("\"rollout\":\"100\"");
    }

    private static ServiceProcess replica(String name, Map<String, String> shared) throws Exception {
        Map<String, String> environment = new HashMap<>(shared);
        String url = environment.get("QUARKUS_DATASOURCE_JDBC_URL");
        // the name under which pg_stat_activity shows the replica's sessions
        environment.put("QUARKUS_DATASOURCE_JDBC_URL", url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + name);
        return new ServiceProcess(Files.createTempDirectory(Path.of("target"), name), environment);
    }

    private static ServiceProcess other(Map<String, ServiceProcess> replicas, ServiceProcess frozen) {
        return replicas.values().stream().filter(r -> r != frozen).findFirst().orElseThrow();
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql); ResultSet row = select.executeQuery()) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static String waitFor(String what, Duration within, Callable<String> probe) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            String found = probe.call();
            if (found != null) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " within " + within);
    }

    private void traffic(String base, String key, String flag, int batch) throws Exception {
        for (boolean on : new boolean[] {true, false}) {
            List<String> events = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < 60; i++) {
                events.add(Fixtures.replay("b" + batch + "-" + i, now, "succeeded"));
            }
            send(base, "POST", "/v1/beacons?key=" + key,
                    Fixtures.beacon("frozen", (on ? "canary-" : "control-") + batch, Map.of(flag, on), events));
        }
    }

    private double evaluated(Iterable<ServiceProcess> replicas) throws Exception {
        String series = "bellwether_slo_evaluation_ticks_total{result=\"evaluated\"}";
        double sum = 0;
        for (ServiceProcess replica : replicas) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(replica.managementUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            sum += metrics.lines().filter(line -> line.startsWith(series + " "))
                    .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim())).sum();
        }
        return sum;
    }

    /** Beacons carry their ingest key in the query; everything else the admin token. */
    private static JsonNode send(String base, String method, String path, String body) throws Exception {
        return ServiceProcess.call(base, method, path, path.startsWith("/v1/beacons") ? null : ADMIN, body);
    }
}

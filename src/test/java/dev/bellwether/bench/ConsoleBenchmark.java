package dev.bellwether.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellwether.support.ServiceProcess;
import dev.bellwether.support.SharedPostgres;
import dev.bellwether.telemetry.Distribution;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Server time to render the console's overview and rollout pages, and their weight, with 100 rollouts and 10,000
 * decisions (docs/benchmarks.md#consolebenchmark). The packaged service and PostgreSQL; no Unleash (the controller
 * judges each running rollout once after the start, so that the pages show verdicts, and is then left idle so that
 * the pages do not change under the measurement). Knobs: {@code bench.console-requests} (measured requests per
 * page), {@code bench.console-warmup} (requests per page before them).
 */
class ConsoleBenchmark {

    private static final int REQUESTS = Integer.getInteger("bench.console-requests", 200);
    private static final int WARMUP = Integer.getInteger("bench.console-warmup", 50);
    /** Another build's quarkus-run.jar: its pages are measured too, each request alternating with this build's. */
    private static final String BASELINE = System.getProperty("bench.console-baseline");
    /** Records the measured service with Java Flight Recorder into target/bench/console-service.jfr. */
    private static final boolean PROFILE = Boolean.getBoolean("bench.console-profile");
    private static final int APPS = 5;
    private static final int ROLLOUTS_PER_APP = 20;
    private static final int COHORTS_PER_APP = 8;
    private static final int DECISIONS = 10_000;
    /** The worst rollout page carries half of all decisions; the other rollouts share the rest. */
    private static final int WORST_DECISIONS = 5_000;
    private static final int MINUTE_ROLLUPS = 180;
    private static final int HOUR_ROLLUPS = 24;
    private static final String ADMIN_TOKEN = "bench-admin";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern VERSION = Pattern.compile("id=\"live-version\" name=\"version\" value=\"([^\"]*)\"");
    private static final Pattern SCRIPT = Pattern.compile("<script\\b[^>]*\\bsrc=\"([^\"]+)\"");
    private static final Pattern STYLESHEET = Pattern.compile("<link\\b[^>]*\\brel=\"stylesheet\"[^>]*\\bhref=\"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void overviewAndRolloutPages() throws Exception {
        try (SharedPostgres postgres = new SharedPostgres()) {
            Map<String, String> environment = new HashMap<>(postgres.environment());
            environment.put("BELLWETHER_ADMIN_TOKEN", ADMIN_TOKEN);
            environment.put("QUARKUS_LOG_LEVEL", "WARN");
            // one controller tick, one SLO evaluation and one metrics refresh after the start, then none while measured
            environment.put("BELLWETHER_ROLLOUT_INTERVAL", "1h");
            environment.put("BELLWETHER_ROLLOUT_METRICS_INTERVAL", "1h");
            environment.put("BELLWETHER_EVALUATION_INTERVAL", "1h");
            try (ServiceProcess schema = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "console-schema"),
                    environment)) {
                schema.start();  // creates the schema
                schema.stop();
            }
            // a new process with ports of its own: another build may have taken the first one's while seeding
            try (ServiceProcess service = new ServiceProcess(Files.createTempDirectory(Path.of("target"), "console-bench"),
                    environment); ServiceProcess baseline = BASELINE == null ? null : new ServiceProcess(
                    Files.createTempDirectory(Path.of("target"), "console-baseline"), environment).jar(BASELINE);
                    Connection db = postgres.connect()) {
                Seeded seeded = seed(db);
                if (PROFILE) {
                    Files.createDirectories(Path.of("target", "bench"));
                    service.environment("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,filename="
                            + Path.of("target", "bench", "console-service.jfr").toAbsolutePath());
                }
                service.start();
                if (baseline != null) {
                    baseline.start();
                }
                awaitJudgedAndEvaluated(db);
                String base = service.baseUrl();
                String session = signIn(base);
                Page compared = baseline == null ? null : new Page(baseline.baseUrl(), signIn(baseline.baseUrl()));
                double[] loadBefore = loadAverage();

                Map<String, Series> results = new LinkedHashMap<>();
                Map<String, Series> baselines = new LinkedHashMap<>();
                for (var page : List.of(Map.entry("overview", "/console"),
                        Map.entry("rollout page, worst (" + WORST_DECISIONS + " decisions)", "/console/rollouts/" + seeded.worst()),
                        Map.entry("rollout page, typical (" + seeded.typicalDecisions() + " decisions)",
                                "/console/rollouts/" + seeded.typical()))) {
                    Series[] series = measure(new Page(base, session), compared, page.getValue());
                    results.put(page.getKey(), series[0]);
                    if (compared != null) {
                        baselines.put(page.getKey(), series[1]);
                    }
                }
                results.put("overview live, unchanged (204)", measureUnchanged(base + "/console", base + "/console/live", session));
                results.put("overview live, changed", measure(new Page(base, session), null, "/console/live?version=stale")[0]);
                String worstLive = base + "/console/rollouts/" + seeded.worst() + "/live";
                results.put("worst rollout live, unchanged (204)",
                        measureUnchanged(base + "/console/rollouts/" + seeded.worst(), worstLive, session));
                results.put("worst rollout live, changed", measure(new Page(base, session), null,
                        "/console/rollouts/" + seeded.worst() + "/live?version=stale")[0]);
                double[] loadAfter = loadAverage();

                Map<String, Weight> weights = new LinkedHashMap<>();
                weights.put("overview", weigh(base, "/console", session));
                weights.put("rollout page, worst", weigh(base, "/console/rollouts/" + seeded.worst(), session));
                weights.put("rollout page, typical", weigh(base, "/console/rollouts/" + seeded.typical(), session));
                report(seeded, results, baselines, weights, loadBefore, loadAfter);
            }
        }
    }

    record Seeded(long worst, long typical, int typicalDecisions, Map<String, Integer> states) {
    }

    /** Apps with SLOs, their cohorts and rollups, 100 rollouts and 10,000 decisions, through SQL. */
    private static Seeded seed(Connection db) throws Exception {
        db.setAutoCommit(false);
        Instant now = Instant.now();
        byte[] latency = sketch(new Random(7));
        List<Long> apps = new ArrayList<>();
        try (PreparedStatement app = db.prepareStatement("INSERT INTO app (name) VALUES (?) RETURNING id");
                PreparedStatement release = db.prepareStatement("INSERT INTO release (app_id, name) VALUES (?, '2026.11.30')");
                PreparedStatement cohort = db.prepareStatement("INSERT INTO cohort (app_id, label, flags) VALUES (?, ?, ?::jsonb)");
                PreparedStatement slo = db.prepareStatement("INSERT INTO slo (app_id, name, sli, objective, period_seconds,"
                        + " threshold, min_events, source) VALUES (?, 'dead-letters', 'dead_letter_ratio', 0.99, 2592000, NULL, 100, 'api'),"
                        + " (?, 'sync-latency', 'sync_latency', 0.95, 2592000, 5000, 100, 'api')")) {
            for (int a = 0; a < APPS; a++) {
                app.setString(1, "bench-app-" + a);
                try (ResultSet id = app.executeQuery()) {
                    id.next();
                    apps.add(id.getLong(1));
                }
                long appId = apps.get(a);
                release.setLong(1, appId);
                release.executeUpdate();
                slo.setLong(1, appId);
                slo.setLong(2, appId);
                slo.executeUpdate();
                // every cohort carries every flag of its app, on in some cohorts and off in others
                for (int c = 0; c < COHORTS_PER_APP; c++) {
                    ObjectNode flags = JSON.createObjectNode();
                    for (int f = 0; f < ROLLOUTS_PER_APP; f++) {
                        flags.put(flag(a, f), ((c >> (f % 3)) & 1) == 1);
                    }
                    cohort.setLong(1, appId);
                    cohort.setString(2, "cohort-" + c);
                    cohort.setString(3, flags.toString());
                    cohort.executeUpdate();
                }
            }
        }
        String series = "FROM release r JOIN cohort c ON c.app_id = r.app_id JOIN app a ON a.id = r.app_id AND a.name LIKE 'bench-app-%'";
        try (PreparedStatement minutes = db.prepareStatement("INSERT INTO rollup_minute (app_id, release_id, cohort_id, bucket,"
                + " replay_succeeded, replay_dead_lettered, replay_first_attempts, replay_repeat_failures, sync_latency, compacted)"
                + " SELECT r.app_id, r.id, c.id, date_trunc('minute', now()) - m * interval '1 minute', 200, 1, 200, 1, ?, true "
                + series + ", generate_series(0, " + (MINUTE_ROLLUPS - 1) + ") m");
                PreparedStatement hours = db.prepareStatement("INSERT INTO rollup_hour (app_id, release_id, cohort_id, bucket,"
                        + " replay_succeeded, replay_dead_lettered, replay_first_attempts, replay_repeat_failures, sync_latency, compacted)"
                        + " SELECT r.app_id, r.id, c.id, date_trunc('hour', now()) - h * interval '1 hour', 12000, 60, 12000, 60, ?, true "
                        + series + ", generate_series(0, " + (HOUR_ROLLUPS - 1) + ") h")) {
            minutes.setBytes(1, latency);
            minutes.executeUpdate();
            hours.setBytes(1, latency);
            hours.executeUpdate();
        }

        Map<String, Integer> states = new LinkedHashMap<>();
        long worst = 0;
        long typical = 0;
        int typicalDecisions = 0;
        int others = APPS * ROLLOUTS_PER_APP - 1;
        try (PreparedStatement rollout = db.prepareStatement("INSERT INTO rollout (app_id, project, environment, flag, steps,"
                + " bake_seconds, min_sample_per_cohort, guards, dry_run, state, step, step_started_at, created_by, created_at,"
                + " updated_at) VALUES (?, 'default', 'production', ?, '{1,5,25,50,100}', 1800, 200, ?::jsonb, false, ?, ?, ?,"
                + " 'release-manager', ?, ?) RETURNING id");
                PreparedStatement decision = db.prepareStatement("INSERT INTO rollout_decision (rollout_id, at, actor, trigger,"
                        + " reason, from_state, from_step, to_state, to_step, actuation, evidence, answer, dry_run)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, false)")) {
            for (int n = 0; n < APPS * ROLLOUTS_PER_APP; n++) {
                int a = n % APPS;
                int f = n / APPS;
                String state = state(n);
                states.merge(state, 1, Integer::sum);
                int step = switch (state) {
                    case "PROMOTED" -> 4;
                    default -> n % 4;
                };
                int decisions = n == 0 ? WORST_DECISIONS
                        : (DECISIONS - WORST_DECISIONS) / others + (n - 1 < (DECISIONS - WORST_DECISIONS) % others ? 1 : 0);
                Instant created = now.minus(Duration.ofHours(n == 0 ? 20 : 2 + n % 10));
                Instant updated = state.equals("RUNNING") ? now.minus(Duration.ofMinutes(10 + n % 20)) : now.minus(Duration.ofMinutes(5));
                rollout.setLong(1, apps.get(a));
                rollout.setString(2, flag(a, f));
                rollout.setString(3, n % 3 == 0
                        ? "[{\"sli\":\"dead_letter_ratio\",\"action\":\"kill\"},{\"sli\":\"replay_repeat_failure_ratio\",\"action\":\"kill\"},"
                        + "{\"sli\":\"sync_latency\",\"action\":\"rollback\"}]"
                        : "[{\"sli\":\"dead_letter_ratio\",\"action\":\"kill\"},{\"sli\":\"sync_latency\",\"action\":\"rollback\"}]");
                rollout.setString(4, state);
                rollout.setInt(5, step);
                rollout.setTimestamp(6, Timestamp.from(updated));
                rollout.setTimestamp(7, Timestamp.from(created));
                rollout.setTimestamp(8, Timestamp.from(updated));
                long id;
                try (ResultSet row = rollout.executeQuery()) {
                    row.next();
                    id = row.getLong(1);
                }
                if (n == 0) {
                    worst = id;
                } else if (typical == 0 && state.equals("RUNNING") && n % 3 == 0) {
                    typical = id;
                    typicalDecisions = decisions;
                }
                addDecisions(decision, id, decisions, created, updated, state, step);
            }
            decision.executeBatch();
        }
        db.commit();
        db.setAutoCommit(true);
        try (Statement sql = db.createStatement()) {
            sql.execute("ANALYZE");
        }
        return new Seeded(worst, typical, typicalDecisions, states);
    }

    /** Most rollouts running or paused, a few frozen, some finished. */
    private static String state(int n) {
        if (n == 0) {
            return "RUNNING";
        }
        return switch (n % 10) {
            case 0, 1, 2, 3, 4, 5 -> "RUNNING";
            case 6, 7 -> "PAUSED";
            case 8 -> n < 30 ? "FROZEN" : "PROMOTED";
            default -> n < 50 ? "KILLED" : "ROLLED_BACK";
        };
    }

    /**
     * A start, then pauses and resumes by people (their reasons carry markup, shown as text) with the advances that
     * took the rollout to its step, and last the move into its present state.
     */
    private static void addDecisions(PreparedStatement insert, long rollout, int count, Instant from, Instant to,
            String state, int step) throws Exception {
        long spanMillis = Duration.between(from, to).toMillis();
        int at = 0;
        String evidence = "{\"outcome\":\"PASS\",\"reason\":\"every guard passes\",\"guards\":[{\"sli\":\"dead_letter_ratio\","
                + "\"outcome\":\"PASS\"},{\"sli\":\"sync_latency\",\"outcome\":\"PASS\"}]}";
        for (int i = 0; i < count; i++) {
            int stepHere = Math.min(step, (int) ((long) i * (step + 1) / count));
            int stepBefore = i == 0 ? -1 : Math.min(step, (int) ((long) (i - 1) * (step + 1) / count));
            String trigger;
            String fromState;
            String toState;
            String actor;
            String reason;
            String proof = null;
            if (i == 0) {
                trigger = "start";
                fromState = "DRAFT";
                toState = "RUNNING";
                actor = "release-manager";
                reason = "release train 2026.11.30";
            } else if (i == count - 1 && !state.equals("RUNNING")) {
                trigger = switch (state) {
                    case "PAUSED" -> "pause";
                    case "FROZEN" -> "guard_freeze";
                    case "PROMOTED" -> "advance";
                    case "KILLED" -> "kill";
                    default -> "rollback";
                };
                fromState = "RUNNING";
                toState = state;
                actor = trigger.startsWith("guard_") || trigger.equals("advance") ? "bellwether" : "on-call";
                reason = "final move <em>" + state.toLowerCase(Locale.ROOT) + "</em>";
                proof = trigger.startsWith("guard_") || trigger.equals("advance") ? evidence : null;
            } else if (stepHere > stepBefore) {
                trigger = "advance";
                fromState = "RUNNING";
                toState = "RUNNING";
                actor = "bellwether";
                reason = "canary healthy through the bake time of step " + (stepBefore + 1);
                proof = evidence;
            } else if (i % 2 == 1) {
                trigger = "pause";
                fromState = "RUNNING";
                toState = "PAUSED";
                actor = "release-manager";
                reason = "hold for the <b>support</b> rota & the release notes #" + i;
            } else {
                trigger = "resume";
                fromState = "PAUSED";
                toState = "RUNNING";
                actor = "release-manager";
                reason = "rota staffed again #" + i;
            }
            insert.setLong(1, rollout);
            insert.setTimestamp(2, Timestamp.from(from.plusMillis(spanMillis * (i + 1) / (count + 1))));
            insert.setString(3, actor);
            insert.setString(4, trigger);
            insert.setString(5, reason);
            insert.setString(6, fromState);
            insert.setInt(7, stepBefore);
            insert.setString(8, toState);
            insert.setInt(9, stepHere);
            insert.setString(10, "{\"type\":\"none\"}");
            insert.setString(11, proof);
            insert.setString(12, "dry-run: not sent");
            insert.addBatch();
            if (++at % 1000 == 0) {
                insert.executeBatch();
            }
        }
    }

    private static String flag(int app, int flag) {
        return "bench-app-" + app + "-flag-" + flag;
    }

    /** Sync latencies well inside the SLO's threshold, as the rollups' counts are inside its objective: no guard fails. */
    private static byte[] sketch(Random random) {
        Distribution distribution = new Distribution();
        for (int i = 0; i < 100; i++) {
            distribution.add(Math.exp(6 + 0.5 * random.nextGaussian()));
        }
        return distribution.encode();
    }

    /** The controller's first tick stores each running rollout's verdict; the first SLO evaluation the SLOs' states. */
    private static void awaitJudgedAndEvaluated(Connection db) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            try (ResultSet row = db.createStatement().executeQuery("SELECT (SELECT count(*) FROM rollout WHERE state = 'RUNNING'"
                    + " AND verdict IS NULL), (SELECT count(*) FROM evaluation_tick WHERE finished_at IS NOT NULL)")) {
                row.next();
                if (row.getLong(1) == 0 && row.getLong(2) > 0) {
                    try (ResultSet decisions = db.createStatement().executeQuery("SELECT count(*) FROM rollout_decision")) {
                        decisions.next();
                        // a guard that failed would have moved its rollout: the pages would not be the ones seeded
                        assertEquals(DECISIONS, decisions.getLong(1), "decisions after the controller's tick");
                    }
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("rollouts not judged or SLOs not evaluated within 2 minutes");
    }

    /** Signs in through the console's form, as a browser does: its form token in the page and in a cookie. */
    private String signIn(String base) throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        String formCookie = cookie(form, "bw_sign_in");
        Matcher csrf = CSRF.matcher(form.body());
        if (!csrf.find()) {
            throw new AssertionError("no form token in the sign-in page");
        }
        String body = "token=" + URLEncoder.encode(ADMIN_TOKEN, StandardCharsets.UTF_8) + "&csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "bw_sign_in=" + formCookie)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, signedIn.statusCode(), signedIn.body());
        return "bw_session=" + cookie(signedIn, "bw_session");
    }

    private static String cookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .findFirst().orElseThrow(() -> new AssertionError("no cookie " + name + " in " + response.headers()));
    }

    private HttpResponse<byte[]> get(String url, String session) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", session).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Milliseconds from sending a request to having read the whole answer, one request at a time. */
    record Series(List<Double> millis, int bytes, int otherAnswers) {
        double quantile(double q) {
            List<Double> sorted = millis.stream().sorted().toList();
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
        }
    }

    /** A service's address and a signed-in session on it. */
    record Page(String base, String session) {
    }

    /**
     * The page on this build and, when given, on the baseline, alternating request by request so that both meet the
     * same load: the second series is the baseline's (null without one).
     */
    private Series[] measure(Page measured, Page baseline, String path) throws Exception {
        List<Double> millis = new ArrayList<>();
        List<Double> baselineMillis = new ArrayList<>();
        int bytes = 0;
        int baselineBytes = 0;
        for (int i = 0; i < WARMUP + REQUESTS; i++) {
            for (Page page : baseline == null ? List.of(measured) : List.of(measured, baseline)) {
                long started = System.nanoTime();
                HttpResponse<byte[]> response = get(page.base() + path, page.session());
                double elapsed = (System.nanoTime() - started) / 1e6;
                assertEquals(200, response.statusCode(), page.base() + path);
                if (page == measured) {
                    bytes = response.body().length;
                } else {
                    baselineBytes = response.body().length;
                }
                if (i >= WARMUP) {
                    (page == measured ? millis : baselineMillis).add(elapsed);
                }
            }
        }
        return new Series[] {new Series(millis, bytes, 0), baseline == null ? null : new Series(baselineMillis, baselineBytes, 0)};
    }

    /**
     * A live poll with the version the page carries: 204. The rollout page's version moves with the bake's minute; a
     * poll that meets such a move is answered in full (counted apart), and the next ones carry the new version.
     */
    private Series measureUnchanged(String pageUrl, String liveUrl, String session) throws Exception {
        String version = versionIn(new String(get(pageUrl, session).body(), StandardCharsets.UTF_8));
        List<Double> millis = new ArrayList<>();
        int changed = 0;
        for (int i = 0; i < WARMUP + REQUESTS; i++) {
            long started = System.nanoTime();
            HttpResponse<byte[]> response = get(liveUrl + "?version=" + URLEncoder.encode(version, StandardCharsets.UTF_8), session);
            double elapsed = (System.nanoTime() - started) / 1e6;
            if (response.statusCode() == 200) {
                version = versionIn(new String(response.body(), StandardCharsets.UTF_8));
                changed++;
                continue;
            }
            assertEquals(204, response.statusCode(), liveUrl);
            if (i >= WARMUP) {
                millis.add(elapsed);
            }
        }
        return new Series(millis, 0, changed);
    }

    private static String versionIn(String page) {
        Matcher matcher = VERSION.matcher(page);
        if (!matcher.find()) {
            throw new AssertionError("no live version in the page");
        }
        return matcher.group(1).replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }

    record Weight(int html, Map<String, Integer> assets, int total, int gzipped) {
    }

    /** The page and every script and stylesheet it references, uncompressed, and each gzipped on its own. */
    private Weight weigh(String base, String path, String session) throws Exception {
        byte[] html = get(base + path, session).body();
        String page = new String(html, StandardCharsets.UTF_8);
        Set<String> references = new LinkedHashSet<>();
        for (Pattern pattern : List.of(SCRIPT, STYLESHEET)) {
            Matcher matcher = pattern.matcher(page);
            while (matcher.find()) {
                references.add(matcher.group(1).replace("&amp;", "&"));
            }
        }
        Map<String, Integer> assets = new LinkedHashMap<>();
        int total = html.length;
        int gzipped = gzip(html);
        for (String reference : references) {
            HttpResponse<byte[]> asset = get(reference.startsWith("http") ? reference : base + reference, session);
            assertEquals(200, asset.statusCode(), reference);
            assets.put(reference, asset.body().length);
            total += asset.body().length;
            gzipped += gzip(asset.body());
        }
        return new Weight(html.length, assets, total, gzipped);
    }

    private static int gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.size();
    }

    private static double[] loadAverage() throws Exception {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
    }

    private static void report(Seeded seeded, Map<String, Series> results, Map<String, Series> baselines,
            Map<String, Weight> weights, double[] loadBefore, double[] loadAfter) throws Exception {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%n%d rollouts %s, %d decisions (worst rollout %d, typical %d); %d measured requests each after %d;"
                        + " load average %.1f before, %.1f after%n%n| request | p50 ms | p95 ms | p99 ms | max ms | answer bytes |%n"
                        + "|---|---|---|---|---|---|%n",
                APPS * ROLLOUTS_PER_APP, seeded.states(), DECISIONS, WORST_DECISIONS, seeded.typicalDecisions(), REQUESTS,
                WARMUP, loadBefore[0], loadAfter[0]));
        ObjectNode json = JSON.createObjectNode();
        json.put("rollouts", APPS * ROLLOUTS_PER_APP).put("decisions", DECISIONS).put("worstRolloutDecisions", WORST_DECISIONS)
                .put("typicalRolloutDecisions", seeded.typicalDecisions()).put("requests", REQUESTS).put("warmup", WARMUP);
        json.putPOJO("states", seeded.states());
        json.putArray("loadAverageBefore").add(loadBefore[0]).add(loadBefore[1]).add(loadBefore[2]);
        json.putArray("loadAverageAfter").add(loadAfter[0]).add(loadAfter[1]).add(loadAfter[2]);
        ObjectNode timings = json.putObject("serverMillis");
        results.forEach((name, series) -> {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %s |%n", name, series.quantile(0.5),
                    series.quantile(0.95), series.quantile(0.99), series.quantile(1.0),
                    series.bytes() == 0 ? "–" : String.format(Locale.ROOT, "%,d", series.bytes())));
            timings.putObject(name).put("p50", series.quantile(0.5)).put("p95", series.quantile(0.95))
                    .put("p99", series.quantile(0.99)).put("max", series.quantile(1.0)).put("answerBytes", series.bytes())
                    .put("answeredInFullOnAVersionMove", series.otherAnswers());
        });
        if (!baselines.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nAgainst the baseline %s, request by request in turn:%n%n"
                    + "| request | baseline p50 ms | baseline p95 ms | p50 ratio | p95 ratio |%n|---|---|---|---|---|%n", BASELINE));
            ObjectNode compared = json.putObject("baseline");
            compared.put("jar", BASELINE);
            baselines.forEach((name, before) -> {
                Series after = results.get(name);
                double p50 = after.quantile(0.5) / before.quantile(0.5);
                double p95 = after.quantile(0.95) / before.quantile(0.95);
                md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %.2f |%n", name, before.quantile(0.5),
                        before.quantile(0.95), p50, p95));
                compared.putObject(name).put("p50", before.quantile(0.5)).put("p95", before.quantile(0.95))
                        .put("p50Ratio", p50).put("p95Ratio", p95);
            });
        }
        md.append("\n| page | HTML bytes | scripts and stylesheets | total bytes | gzipped |\n|---|---|---|---|---|\n");
        ObjectNode weightJson = json.putObject("pageWeight");
        weights.forEach((name, weight) -> {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,d | %,d |%n", name, weight.html(), weight.assets(),
                    weight.total(), weight.gzipped()));
            ObjectNode page = weightJson.putObject(name);
            page.put("htmlBytes", weight.html()).put("totalBytes", weight.total()).put("gzippedBytes", weight.gzipped());
            page.putPOJO("assets", weight.assets());
        });
        System.out.println(md);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        Files.writeString(out.resolve("console.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        Files.writeString(out.resolve("console.md"), md.toString());
    }
}

package dev.bellwether.sim;

import dev.bellwether.telemetry.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulator's command line: N simulated PWA clients against a running Bellwether.
 *
 * <pre>
 * ./mvnw -q test-compile exec:java@simulate -Dexec.args="--key bw_… --clients 500 --duration 10m \
 *     --unleash-url http://127.0.0.1:4242/api --unleash-client-token default:development.… --regression deadLetters=5"
 * </pre>
 * Offsets ({@code --start}, {@code --onset}, {@code --partition}, {@code --upgrade}) are durations like {@code 90s},
 * {@code 10m} or {@code 2h}: {@code --start 45m} starts 45 minutes in the past (the run catches up with the clock as
 * fast as Bellwether answers), the others count from the start.
 */
public final class Simulate {

    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("url", "Bellwether's base URL (default http://localhost:8080)");
        OPTIONS.put("app", "the app the ingest key belongs to (default field-notes)");
        OPTIONS.put("key", "the app's ingest key (or env BELLWETHER_INGEST_KEY)");
        OPTIONS.put("clients", "number of simulated clients (default 200)");
        OPTIONS.put("seed", "seed of every random choice (default 1)");
        OPTIONS.put("duration", "simulated time to run (default 10m)");
        OPTIONS.put("start", "start this long ago, e.g. 45m (default 0: now)");
        OPTIONS.put("flag", "the rollout's flag: its cohort gets the regression (default new-sync-engine)");
        OPTIONS.put("unleash-url", "Unleash's /api base: cohorts from the real flag evaluation per client");
        OPTIONS.put("unleash-client-token", "Unleash client token (or env UNLEASH_CLIENT_TOKEN)");
        OPTIONS.put("canary-percent", "without Unleash: the share of clients in the canary, by a hash of their id (default 0)");
        OPTIONS.put("regression", "e.g. deadLetters=5,latencyMs=300,tail=0.05x20,migrationFailures=0.3,conflicts=2");
        OPTIONS.put("onset", "the regression starts this long after the start (default 0)");
        OPTIONS.put("partition", "offset/length: every client offline, e.g. 5m/30m");
        OPTIONS.put("upgrade", "release:schemaVersion:offset, e.g. 2026.11.4:4:2m: clients migrate IndexedDB");
        OPTIONS.put("mutations-per-minute", "edits per client per minute (default 3)");
        OPTIONS.put("always-online", "true: no offline spells besides the partition (default false)");
        OPTIONS.put("report-every", "simulated time between progress lines (default 30s)");
    }

    private Simulate() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            usage();
            System.exit(2);
            return;
        }
        if (options.containsKey("help")) {
            usage();
            return;
        }
        try {
            run(options);
        } catch (IllegalArgumentException e) {
            System.err.println(e instanceof NumberFormatException ? "not a number: " + e.getMessage() : e.getMessage());
            usage();
            System.exit(2);
        }
    }

    private static void run(Map<String, String> options) throws Exception {
        String key = options.getOrDefault("key", System.getenv("BELLWETHER_INGEST_KEY"));
        if (key == null || key.isBlank()) {
            System.err.println("--key (or env BELLWETHER_INGEST_KEY) is required: an ingest key of the app");
            usage();
            System.exit(2);
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant start = now.minus(duration(options, "start", "0s"));
        FleetSettings.Builder settings = FleetSettings.builder()
                .clients(Integer.parseInt(options.getOrDefault("clients", "200")))
                .seed(Long.parseLong(options.getOrDefault("seed", "1")))
                .canaryFlag(options.getOrDefault("flag", "new-sync-engine"))
                .mutationsPerMinute(Double.parseDouble(options.getOrDefault("mutations-per-minute", "3")))
                .regression(Regression.parse(options.get("regression")).from(start.plus(duration(options, "onset", "0s"))));
        if (Boolean.parseBoolean(options.getOrDefault("always-online", "false"))) {
            settings.alwaysOnline();
        }
        if (options.containsKey("partition")) {
            String[] partition = options.get("partition").split("/", 2);
            if (partition.length != 2) {
                throw new IllegalArgumentException("--partition is offset/length, e.g. 5m/30m");
            }
            settings.partition(start.plus(Durations.parse(partition[0])), Durations.parse(partition[1]));
        }
        if (options.containsKey("upgrade")) {
            String[] upgrade = options.get("upgrade").split(":", 3);
            if (upgrade.length != 3) {
                throw new IllegalArgumentException("--upgrade is release:schemaVersion:offset, e.g. 2026.11.4:4:2m");
            }
            settings.upgrade(new FleetSettings.Upgrade(upgrade[0], Integer.parseInt(upgrade[1]), start.plus(Durations.parse(upgrade[2]))));
        }
        FleetSettings fleetSettings = settings.build();
        FlagSource flags;
        if (options.containsKey("unleash-url")) {
            String token = options.getOrDefault("unleash-client-token", System.getenv("UNLEASH_CLIENT_TOKEN"));
            flags = new UnleashFlags(options.get("unleash-url"), token, List.of(fleetSettings.canaryFlag()));
        } else {
            flags = new HashedRollout(fleetSettings.canaryFlag(), Integer.parseInt(options.getOrDefault("canary-percent", "0")));
        }
        Fleet fleet = new Fleet(fleetSettings, flags, start);
        BeaconTransport transport = new BeaconTransport(options.getOrDefault("url", "http://localhost:8080"),
                options.getOrDefault("app", "field-notes"), key, 64);
        Simulator simulator = new Simulator(fleet, transport, start, Duration.ofSeconds(1));
        Duration reportEvery = duration(options, "report-every", "30s");
        Instant[] nextReport = {start.plus(reportEvery)};
        System.out.println(simulator.status());
        simulator.runUntil(start.plus(duration(options, "duration", "10m")), s -> {
            if (!s.now().isBefore(nextReport[0])) {
                System.out.println(s.status());
                nextReport[0] = s.now().plus(reportEvery);
            }
        });
        System.out.println(simulator.status());
        if (transport.refused() > 0) {
            System.out.println("last refusal: " + transport.lastRefusal());
        }
        if (flags instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private static Duration duration(Map<String, String> options, String name, String fallback) {
        return Durations.parse(options.getOrDefault(name, fallback));
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                options.put("help", "true");
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("options are --name value pairs; got '" + args[i] + "'");
            }
            String name = args[i].substring(2);
            if (!OPTIONS.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            options.put(name, args[++i]);
        }
        return options;
    }

    private static void usage() {
        System.err.println("simulate a fleet of offline-first PWA clients posting beacons to Bellwether; options:");
        OPTIONS.forEach((name, help) -> System.err.printf("  --%-22s %s%n", name, help));
    }
}

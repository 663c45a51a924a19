package dev.bellwether.sim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One offline-first PWA: edits go to an IndexedDB outbox; online, the outbox replays with exponential backoff and
 * bounded attempts (a poison mutation is dead-lettered after the last), the app syncs and reports its outbox, and its
 * telemetry SDK batches events into beacons, but sends at once when a mutation fails again (a failed retry or a dead
 * letter, if {@link FleetSettings#flushRepeatFailures()}), as error-reporting SDKs send errors unbatched. Offline, edits and outbox reports pile up and are sent late; flags are
 * not refreshed, so the client keeps running with the flags it last saw. A mutation's replays are reported with the
 * flags of its first attempt ({@link FleetSettings#firstAttemptFlags()}). All randomness comes from the client's own
 * seeded generator, so a run is the same for a seed whatever the HTTP timing.
 */
public final class SimulatedClient {

    private static final String[] RESOLUTIONS = {"auto_merged", "auto_merged", "auto_merged", "server_wins",
            "client_wins", "user_resolved", "unresolved"};
    private static final String[] MUTATIONS = {"note.update", "note.create", "note.delete", "tag.update"};

    private record Mutation(long number, String name, Instant createdAt, boolean poison) {
    }

    private static final class Queued {
        final Mutation mutation;
        int attempts;
        Instant nextAttempt;
        /** The flags its first replay attempt ran with: its replays are reported with them. */
        Map<String, Object> firstAttemptFlags;

        Queued(Mutation mutation) {
            this.mutation = mutation;
            this.nextAttempt = mutation.createdAt();
        }
    }

    /** An event waiting for its beacon, with the flags and release the client ran with when it happened. */
    private record Pending(ObjectNode event, Map<String, Object> flags, String release) {
    }

    private final String id;
    private final Random random;
    private final boolean sendsBeacon;
    private final FleetSettings settings;
    private final Ledger ledger;

    private boolean online;
    private boolean wasOnline;
    private Instant nextToggle;
    private Map<String, Object> flags;
    private Instant flagsRefreshedAt;
    private String release;
    private int schemaVersion;
    private boolean migrationFailed;
    private final Deque<Queued> outbox = new ArrayDeque<>();
    private final Deque<Pending> telemetry = new ArrayDeque<>();
    private int inFlight;
    private Instant lastSyncAt;
    private Instant nextSyncAt;
    private Instant nextOutboxReportAt;
    private Instant lastBeaconAt;
    /** A mutation failed again since the last beacon: the SDK sends without waiting for the interval. */
    private boolean repeatFailurePending;
    private long mutations;
    private long events;

    SimulatedClient(String id, long seed, FleetSettings settings, Ledger ledger, Instant start) {
        this.id = id;
        // a mixed seed: java.util.Random's first draws from neighbouring seeds are nearly equal
        this.random = new Random(new java.util.SplittableRandom(seed).nextLong());
        this.settings = settings;
        this.ledger = ledger;
        this.sendsBeacon = random.nextDouble() < settings.textPlainShare();
        this.release = settings.release();
        this.schemaVersion = settings.schemaVersion();
        boolean alwaysOnline = settings.meanOffline().isZero();
        double onlineShare = alwaysOnline ? 1 : (double) settings.meanOnline().toMillis()
                / (settings.meanOnline().toMillis() + settings.meanOffline().toMillis());
        this.online = random.nextDouble() < onlineShare;
        this.nextToggle = alwaysOnline ? Instant.MAX : start.plus(spell(online));
        this.nextSyncAt = start.plusMillis((long) (random.nextDouble() * settings.syncInterval().toMillis()));
        this.nextOutboxReportAt = start.plusMillis((long) (random.nextDouble() * settings.outboxReportInterval().toMillis()));
        this.lastBeaconAt = start.minusMillis((long) (random.nextDouble() * settings.beaconInterval().toMillis()));
    }

    public String id() {
        return id;
    }

    public boolean online() {
        return online;
    }

    public Map<String, Object> flags() {
        return flags;
    }

    /** Events created and not yet acknowledged by Bellwether (queued or in flight). */
    public int unsentEvents() {
        return telemetry.size() + inFlight;
    }

    /** One step of simulated time ending at {@code now}; adds the beacons to post now to {@code out}. */
    void step(Instant now, Duration step, FlagSource flagSource, List<OutgoingBeacon> out) {
        while (!now.isBefore(nextToggle)) {
            online = !online;
            nextToggle = nextToggle.plus(spell(online));
        }
        boolean reachable = online && !settings.partitioned(now);
        boolean reconnected = reachable && !wasOnline;
        wasOnline = reachable;
        if (flags == null && reachable) {
            refreshFlags(now, flagSource); // the app's first load fetches flags before anything else
        }
        Map<String, Object> running = flags == null ? Map.of() : flags;
        boolean regressed = canary(running) && settings.regression().activeAt(now);
        Regression regression = regressed ? settings.regression() : Regression.NONE;

        int edits = poisson(settings.mutationsPerMinute() * step.toMillis() / 60_000.0);
        for (int i = 0; i < edits; i++) {
            String name = mutationName();
            double poisonShare = Math.min(1, settings.poisonShare()
                    * (regression.appliesTo(name) ? regression.deadLetterMultiplier() : 1));
            mutations++;
            outbox.addLast(new Queued(new Mutation(mutations, name, now, random.nextDouble() < poisonShare)));
        }
        if (!now.isBefore(nextOutboxReportAt)) {
            ObjectNode report = event("outbox", now).put("depth", outbox.size());
            if (!outbox.isEmpty()) {
                report.put("oldestAgeMs", Duration.between(outbox.peekFirst().mutation.createdAt(), now).toMillis());
            }
            record(report, running, "outbox");
            nextOutboxReportAt = now.plus(settings.outboxReportInterval());
        }
        if (reachable) {
            upgrade(now, running, regression, reconnected);
            replay(now, running, regression);
            if (!now.isBefore(nextSyncAt) || reconnected) {
                sync(now, running, regression);
            }
            boolean due = !now.isBefore(lastBeaconAt.plus(settings.beaconInterval()))
                    || telemetry.size() >= settings.maxEventsPerBeacon() || reconnected || repeatFailurePending;
            if (due && !telemetry.isEmpty()) {
                beacons(out);
                lastBeaconAt = now;
                repeatFailurePending = false;
            }
            // telemetry of the offline spell went out with the flags it ran with; only now does the SDK refresh
            if (flagsRefreshedAt == null || !now.isBefore(flagsRefreshedAt.plus(settings.flagRefreshInterval()))) {
                refreshFlags(now, flagSource);
            }
        }
    }

    /** Bellwether acknowledged the beacon (202): its events are stored. */
    void delivered(OutgoingBeacon beacon) {
        inFlight -= beacon.events().size();
    }

    /** Not acknowledged (network error, 429, 503): its events go back to the front of the queue, to be sent again. */
    void undelivered(OutgoingBeacon beacon) {
        inFlight -= beacon.events().size();
        List<ObjectNode> events = beacon.events();
        for (int i = events.size() - 1; i >= 0; i--) {
            telemetry.addFirst(new Pending(events.get(i), beacon.flags(), beacon.release()));
        }
    }

    private void refreshFlags(Instant now, FlagSource flagSource) {
        flags = Map.copyOf(flagSource.evaluate(id));
        flagsRefreshedAt = now;
    }

    private boolean canary(Map<String, Object> running) {
        Object value = running.get(settings.canaryFlag());
        return value != null && !Boolean.FALSE.equals(value);
    }

    /** Runs the upgrade's IndexedDB migration; after a failure the app stays on its release until it next starts. */
    private void upgrade(Instant now, Map<String, Object> running, Regression regression, boolean reconnected) {
        FleetSettings.Upgrade upgrade = settings.upgrade();
        if (upgrade == null || now.isBefore(upgrade.at()) || release.equals(upgrade.release())
                || (migrationFailed && !reconnected)) {
            return;
        }
        double failureRate = regression.migrationFailureRate() != null ? regression.migrationFailureRate()
                : settings.baseMigrationFailureRate();
        boolean failed = random.nextDouble() < failureRate;
        String outcome = failed ? (random.nextBoolean() ? "failed" : "rolled_back") : "succeeded";
        ObjectNode migration = event("migration", now).put("fromVersion", schemaVersion).put("toVersion", upgrade.toVersion())
                .put("outcome", outcome).put("durationMs", Math.round(logNormal(120, 0.6)));
        record(migration, running, outcome);
        migrationFailed = failed;
        if (!failed) {
            release = upgrade.release();
            schemaVersion = upgrade.toVersion();
        }
    }

    private void replay(Instant now, Map<String, Object> running, Regression regression) {
        int budget = 20; // a replay loop works through a bounded slice of the outbox per tick
        for (var it = outbox.iterator(); it.hasNext() && budget > 0; ) {
            Queued queued = it.next();
            if (now.isBefore(queued.nextAttempt)) {
                continue;
            }
            budget--;
            queued.attempts++;
            if (queued.attempts == 1) {
                queued.firstAttemptFlags = running;
            }
            Map<String, Object> reported = settings.firstAttemptFlags() ? queued.firstAttemptFlags : running;
            boolean lastAttempt = queued.attempts >= settings.maxAttempts();
            boolean failed = queued.mutation.poison() || random.nextDouble() < settings.transientFailureShare();
            String outcome;
            if (failed) {
                outcome = lastAttempt ? "dead_lettered" : "retried";
            } else if (random.nextDouble() < Math.min(1, settings.conflictShare()
                    * (regression.appliesTo(queued.mutation.name()) ? regression.conflictMultiplier() : 1))) {
                outcome = "conflicted";
            } else {
                outcome = "succeeded";
            }
            ObjectNode replay = event("replay", now).put("mutation", queued.mutation.name()).put("outcome", outcome)
                    .put("attempts", queued.attempts).put("latencyMs", Math.round(logNormal(settings.replayLatencyMedianMs(), 0.5)));
            record(replay, reported, outcome);
            if (failed && (queued.attempts >= 2 || lastAttempt) && settings.flushRepeatFailures()) {
                repeatFailurePending = true;
            }
            if (outcome.equals("conflicted")) {
                String resolution = RESOLUTIONS[random.nextInt(RESOLUTIONS.length)];
                record(event("conflict", now).put("entity", queued.mutation.name().substring(0, queued.mutation.name().indexOf('.')))
                        .put("resolution", resolution), reported, resolution);
            }
            if (outcome.equals("retried")) {
                long backoff = Math.min(settings.backoffCap().toMillis(),
                        settings.backoffBase().toMillis() << Math.min(20, queued.attempts - 1));
                queued.nextAttempt = now.plusMillis((long) (backoff * (0.5 + random.nextDouble()))); // jitter
            } else {
                it.remove();
            }
        }
    }

    private void sync(Instant now, Map<String, Object> running, Regression regression) {
        double latency = logNormal(settings.syncLatencyMedianMs(), 0.5) + regression.addedSyncLatencyMs();
        if (random.nextDouble() < regression.tailShare()) {
            latency *= regression.tailFactor();
        }
        ObjectNode sync = event("sync", now).put("latencyMs", Math.round(latency));
        if (lastSyncAt != null) {
            sync.put("stalenessMs", Duration.between(lastSyncAt, now).toMillis());
        }
        record(sync, running, "sync");
        lastSyncAt = now;
        nextSyncAt = now.plus(settings.syncInterval());
    }

    /** Consecutive events with the same flags and release share a beacon, up to the beacon size. */
    private void beacons(List<OutgoingBeacon> out) {
        while (!telemetry.isEmpty()) {
            Pending first = telemetry.peekFirst();
            List<ObjectNode> batch = new ArrayList<>();
            while (!telemetry.isEmpty() && batch.size() < settings.maxEventsPerBeacon()
                    && telemetry.peekFirst().flags().equals(first.flags()) && telemetry.peekFirst().release().equals(first.release())) {
                batch.add(telemetry.pollFirst().event());
            }
            inFlight += batch.size();
            OutgoingBeacon beacon = new OutgoingBeacon(this, first.release(), first.flags(), batch, sendsBeacon,
                    random.nextDouble() < settings.duplicateShare());
            out.add(beacon);
        }
    }

    private ObjectNode event(String type, Instant at) {
        events++;
        return JsonNodeFactory.instance.objectNode().put("id", "e-" + events).put("type", type).put("at", at.toString());
    }

    private void record(ObjectNode event, Map<String, Object> running, String kind) {
        telemetry.addLast(new Pending(event, running, release));
        ledger.created(new Ledger.Entry(id, event.get("id").asText(), event.get("type").asText(), kind,
                Instant.parse(event.get("at").asText()), canary(running)));
    }

    /** The name of a new edit's mutation: by the fleet's mix, or one of the four note-taking names alike. */
    private String mutationName() {
        List<FleetSettings.MutationShare> mix = settings.mutationMix();
        if (mix == null) {
            return MUTATIONS[random.nextInt(MUTATIONS.length)];
        }
        double total = mix.stream().mapToDouble(FleetSettings.MutationShare::weight).sum();
        double draw = random.nextDouble() * total;
        for (FleetSettings.MutationShare share : mix) {
            draw -= share.weight();
            if (draw < 0) {
                return share.name();
            }
        }
        return mix.get(mix.size() - 1).name();
    }

    private Duration spell(boolean online) {
        Duration mean = online ? settings.meanOnline() : settings.meanOffline();
        return Duration.ofMillis(Math.max(1000, (long) (-Math.log(1 - random.nextDouble()) * mean.toMillis())));
    }

    private double logNormal(double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    private int poisson(double mean) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int n = 0;
        while (product > limit) {
            n++;
            product *= random.nextDouble();
        }
        return n;
    }
}

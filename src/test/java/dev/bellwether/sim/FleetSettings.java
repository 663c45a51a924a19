package dev.bellwether.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How a simulated fleet behaves. Rates are per client; durations are simulated time. {@link #builder()}'s defaults are a
 * plausible note-taking PWA: a few edits a minute, online about 10 minutes at a time and offline about 2.
 *
 * @param canaryFlag the rollout's flag: clients reporting it on are the canary cohort, where the regression applies
 * @param meanOffline zero keeps clients online (except during the partition)
 * @param partitionFrom with {@code partitionFor}: every client is offline in this window, as in a network outage
 * @param upgrade a new release whose IndexedDB migration each client runs once online after {@code upgrade.at}
 * @param textPlainShare share of clients whose SDK posts with navigator.sendBeacon (text/plain, key in the query);
 *     the others use fetch with JSON and a bearer header
 * @param duplicateShare share of beacons sent twice, as when an acknowledgement is lost and the SDK sends again
 * @param flushRepeatFailures the SDK sends a beacon at once when a mutation fails again (README's beacon contract
 *     recommends it): the early sign of a bad canary does not wait for the beacon interval
 * @param firstAttemptFlags the SDK reports a mutation's replays (and their conflicts) with the flags of its first
 *     attempt (the default, as README's beacon contract asks), not those of each attempt: a client whose flags change
 *     while a mutation is retried would otherwise count its first attempt in one cohort and its failure in the other
 * @param mutationMix the mutation names edits make and their relative weights, as an app's journeys see them (null: a
 *     note-taking app's four names, equally often)
 */
public record FleetSettings(int clients, long seed, String canaryFlag, String release, int schemaVersion,
                            double mutationsPerMinute, double poisonShare, double transientFailureShare, int maxAttempts,
                            Duration backoffBase, Duration backoffCap, double conflictShare,
                            double syncLatencyMedianMs, double replayLatencyMedianMs, double baseMigrationFailureRate,
                            Duration syncInterval, Duration outboxReportInterval, Duration beaconInterval,
                            int maxEventsPerBeacon, Duration flagRefreshInterval, Duration meanOnline, Duration meanOffline,
                            Instant partitionFrom, Duration partitionFor, Upgrade upgrade, double textPlainShare,
                            double duplicateShare, boolean flushRepeatFailures, boolean firstAttemptFlags,
                            List<MutationShare> mutationMix, Regression regression) {

    /** A mutation name edits make, {@code weight} times as often as one of weight 1. */
    public record MutationShare(String name, double weight) {
    }

    /** Parses {@code order.submit:2,note.update:98}: names and weights. */
    public static List<MutationShare> parseMix(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).map(pair -> pair.split(":", 2))
                .map(pair -> new MutationShare(pair[0].trim(), Double.parseDouble(pair[1].trim()))).toList();
    }

    /** A release with a new IndexedDB schema, rolled out to the fleet at {@code at}. */
    public record Upgrade(String release, int toVersion, Instant at) {
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.clients = clients; b.seed = seed; b.canaryFlag = canaryFlag; b.release = release; b.schemaVersion = schemaVersion;
        b.mutationsPerMinute = mutationsPerMinute; b.poisonShare = poisonShare; b.transientFailureShare = transientFailureShare;
        b.maxAttempts = maxAttempts; b.backoffBase = backoffBase; b.backoffCap = backoffCap; b.conflictShare = conflictShare;
        b.syncLatencyMedianMs = syncLatencyMedianMs; b.replayLatencyMedianMs = replayLatencyMedianMs;
        b.baseMigrationFailureRate = baseMigrationFailureRate; b.syncInterval = syncInterval;
        b.outboxReportInterval = outboxReportInterval; b.beaconInterval = beaconInterval;
        b.maxEventsPerBeacon = maxEventsPerBeacon; b.flagRefreshInterval = flagRefreshInterval; b.meanOnline = meanOnline;
        b.meanOffline = meanOffline; b.partitionFrom = partitionFrom; b.partitionFor = partitionFor; b.upgrade = upgrade;
        b.textPlainShare = textPlainShare; b.duplicateShare = duplicateShare; b.flushRepeatFailures = flushRepeatFailures;
        b.firstAttemptFlags = firstAttemptFlags; b.mutationMix = mutationMix; b.regression = regression;
        return b;
    }

    /** Settings to change from the defaults, by name: {@code FleetSettings.builder().clients(2000).seed(7).build()}. */
    public static final class Builder {
        private int clients = 100;
        private long seed = 1;
        private String canaryFlag = "new-sync-engine";
        private String release = "2026.11.3";
        private int schemaVersion = 3;
        private double mutationsPerMinute = 3;
        private double poisonShare = 0.01;
        private double transientFailureShare = 0.05;
        private int maxAttempts = 5;
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffCap = Duration.ofMinutes(1);
        private double conflictShare = 0.02;
        private double syncLatencyMedianMs = 300;
        private double replayLatencyMedianMs = 150;
        private double baseMigrationFailureRate = 0.002;
        private Duration syncInterval = Duration.ofSeconds(30);
        private Duration outboxReportInterval = Duration.ofMinutes(1);
        private Duration beaconInterval = Duration.ofSeconds(10);
        private int maxEventsPerBeacon = 50;
        private Duration flagRefreshInterval = Duration.ofSeconds(15);
        private Duration meanOnline = Duration.ofMinutes(10);
        private Duration meanOffline = Duration.ofMinutes(2);
        private Instant partitionFrom;
        private Duration partitionFor = Duration.ZERO;
        private Upgrade upgrade;
        private double textPlainShare = 0.5;
        private double duplicateShare = 0.02;
        private boolean flushRepeatFailures = true;
        private boolean firstAttemptFlags = true;
        private List<MutationShare> mutationMix;
        private Regression regression = Regression.NONE;

        public Builder clients(int n) { clients = n; return this; }
        public Builder seed(long s) { seed = s; return this; }
        public Builder canaryFlag(String flag) { canaryFlag = flag; return this; }
        public Builder mutationsPerMinute(double rate) { mutationsPerMinute = rate; return this; }
        public Builder poisonShare(double share) { poisonShare = share; return this; }
        public Builder syncInterval(Duration d) { syncInterval = d; return this; }
        public Builder flagRefreshInterval(Duration d) { flagRefreshInterval = d; return this; }
        /** Mean lengths of online and offline spells; an offline mean of zero keeps clients online. */
        public Builder spells(Duration online, Duration offline) { meanOnline = online; meanOffline = offline; return this; }
        public Builder alwaysOnline() { meanOffline = Duration.ZERO; return this; }
        public Builder partition(Instant from, Duration length) { partitionFrom = from; partitionFor = length; return this; }
        public Builder upgrade(Upgrade u) { upgrade = u; return this; }
        public Builder duplicateShare(double share) { duplicateShare = share; return this; }
        public Builder flushRepeatFailures(boolean flush) { flushRepeatFailures = flush; return this; }
        public Builder firstAttemptFlags(boolean first) { firstAttemptFlags = first; return this; }
        public Builder regression(Regression r) { regression = r; return this; }
        public Builder mutationMix(List<MutationShare> mix) { mutationMix = mix; return this; }

        public FleetSettings build() {
            return new FleetSettings(clients, seed, canaryFlag, release, schemaVersion, mutationsPerMinute, poisonShare,
                    transientFailureShare, maxAttempts, backoffBase, backoffCap, conflictShare, syncLatencyMedianMs,
                    replayLatencyMedianMs, baseMigrationFailureRate, syncInterval, outboxReportInterval, beaconInterval,
                    maxEventsPerBeacon, flagRefreshInterval, meanOnline, meanOffline, partitionFrom, partitionFor,
                    upgrade, textPlainShare, duplicateShare, flushRepeatFailures, firstAttemptFlags, mutationMix, regression);
        }
    }

    boolean partitioned(Instant now) {
        return partitionFrom != null && !now.isBefore(partitionFrom) && now.isBefore(partitionFrom.plus(partitionFor));
    }
}

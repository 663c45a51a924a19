package dev.bellwether.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The fleet model on its own: no HTTP, beacons delivered at once. Seeded, so every figure here is reproducible. */
class FleetTest {

    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(1);

    /** Runs the fleet for {@code length}, acknowledging every beacon at once, and returns what was posted. */
    private static List<OutgoingBeacon> run(Fleet fleet, Duration length, Consumer<Instant> everyStep) {
        List<OutgoingBeacon> posted = new ArrayList<>();
        for (Instant now = START.plus(STEP); !now.isAfter(START.plus(length)); now = now.plus(STEP)) {
            everyStep.accept(now);
            for (OutgoingBeacon beacon : fleet.step(now, STEP)) {
                posted.add(beacon);
                fleet.delivered(beacon);
            }
        }
        return posted;
    }

    private static Fleet fleet(FleetSettings settings, FlagSource flags) {
        return new Fleet(settings, flags, START);
    }

    @Test
    void theSameSeedGivesTheSameEventsAndAnotherSeedOthers() {
        FleetSettings settings = FleetSettings.builder().clients(50).seed(7).build();
        Fleet first = fleet(settings, new HashedRollout("new-sync-engine", 20));
        Fleet second = fleet(settings, new HashedRollout("new-sync-engine", 20));
        Fleet other = fleet(settings.toBuilder().seed(8).build(), new HashedRollout("new-sync-engine", 20));
        run(first, Duration.ofMinutes(20), now -> { });
        run(second, Duration.ofMinutes(20), now -> { });
        run(other, Duration.ofMinutes(20), now -> { });

        assertThat(first.ledger().entries()).hasSizeGreaterThan(1000).isEqualTo(second.ledger().entries());
        assertThat(other.ledger().entries()).isNotEqualTo(first.ledger().entries());
    }

    @Test
    void everyEventIsPostedAndOnlyBeaconsMarkedTwiceRepeatAnEvent() {
        Fleet fleet = fleet(FleetSettings.builder().clients(100).duplicateShare(0.05).build(), new HashedRollout("f", 50));
        List<OutgoingBeacon> posted = run(fleet, Duration.ofMinutes(30), now -> { });
        // bring everyone online long enough to flush what the offline spells held back
        Set<String> created = new HashSet<>();
        fleet.ledger().entries().forEach(e -> created.add(e.client() + "/" + e.id()));
        Set<String> sent = new HashSet<>();
        long sentTwice = 0;
        for (OutgoingBeacon beacon : posted) {
            for (ObjectNode event : beacon.events()) {
                assertThat(sent.add(beacon.client().id() + "/" + event.get("id").asText())).as("an event in two beacons").isTrue();
            }
            sentTwice += beacon.sendTwice() ? beacon.events().size() : 0;
        }
        long unsent = fleet.unsentEvents();

        assertThat(created).containsAll(sent);
        assertThat(created.size() - sent.size()).as("created but still queued on offline clients").isEqualTo(unsent);
        assertThat(sentTwice).as("events in beacons sent twice").isBetween(sent.size() / 40L, sent.size() / 10L);
        assertThat(posted.stream().filter(OutgoingBeacon::sendBeacon).count()).as("text/plain beacons")
                .isBetween(posted.size() / 4L, posted.size() * 3L / 4);
    }

    @Test
    void aFiveFoldDeadLetterRegressionHitsOnlyTheCanary() {
        Fleet fleet = fleet(FleetSettings.builder().clients(400).regression(Regression.deadLetters(5)).build(),
                new HashedRollout("new-sync-engine", 50));
        run(fleet, Duration.ofMinutes(30), now -> { });
        Ledger ledger = fleet.ledger();

        double canary = deadLetterRatio(ledger, true);
        double control = deadLetterRatio(ledger, false);

        assertThat(control).isBetween(0.005, 0.015);
        assertThat(canary).isBetween(0.035, 0.065);
    }

    private static double deadLetterRatio(Ledger ledger, boolean canary) {
        long dead = ledger.count(e -> e.canary() == canary && e.type().equals("replay") && e.kind().equals("dead_lettered"));
        long terminal = ledger.count(e -> e.canary() == canary && e.type().equals("replay") && !e.kind().equals("retried"));
        return (double) dead / terminal;
    }

    /** Mean of a numeric field over the posted events of one type, for canary (flag on) or control clients. */
    private static double mean(List<OutgoingBeacon> posted, boolean canary, String type, String field) {
        return posted.stream().filter(b -> Boolean.valueOf(canary).equals(b.flags().get("new-sync-engine")))
                .flatMap(b -> b.events().stream()).filter(e -> e.get("type").asText().equals(type) && e.has(field))
                .mapToDouble(e -> e.get(field).asDouble()).average().orElseThrow();
    }

    private static double share(Ledger ledger, boolean canary, String type, Set<String> bad, Set<String> valid) {
        long b = ledger.count(e -> e.canary() == canary && e.type().equals(type) && bad.contains(e.kind()));
        long v = ledger.count(e -> e.canary() == canary && e.type().equals(type) && valid.contains(e.kind()));
        return (double) b / v;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({
            // regression,                   what,             control low, control high, canary low, canary high
            "'latencyMs=300',                sync latency ms,  250,         450,          550,        750",
            "'conflicts=4',                  conflict share,   0.012,       0.03,         0.06,       0.11",
            "'migrationFailures=0.3',        migration failed, 0,           0.02,         0.2,        0.4",
            "'tail=0.1x20',                  sync latency ms,  250,         450,          800,        1600"})
    void eachRegressionChangesTheCanaryOnly(String regression, String what, double controlLow, double controlHigh,
            double canaryLow, double canaryHigh) {
        Instant upgradeAt = START.plus(Duration.ofMinutes(1));
        Fleet fleet = fleet(FleetSettings.builder().clients(400).regression(Regression.parse(regression))
                .upgrade(new FleetSettings.Upgrade("2026.11.4", 4, upgradeAt)).build(), new HashedRollout("new-sync-engine", 50));
        List<OutgoingBeacon> posted = run(fleet, Duration.ofMinutes(20), now -> { });
        Set<String> finalReplays = Set.of("succeeded", "dead_lettered", "conflicted");

        double control = switch (what) {
            case "sync latency ms" -> mean(posted, false, "sync", "latencyMs");
            case "conflict share" -> share(fleet.ledger(), false, "replay", Set.of("conflicted"), finalReplays);
            default -> share(fleet.ledger(), false, "migration", Set.of("failed", "rolled_back"), Set.of("succeeded", "failed", "rolled_back"));
        };
        double canary = switch (what) {
            case "sync latency ms" -> mean(posted, true, "sync", "latencyMs");
            case "conflict share" -> share(fleet.ledger(), true, "replay", Set.of("conflicted"), finalReplays);
            default -> share(fleet.ledger(), true, "migration", Set.of("failed", "rolled_back"), Set.of("succeeded", "failed", "rolled_back"));
        };

        assertThat(control).as("control %s", what).isBetween(controlLow, controlHigh);
        assertThat(canary).as("canary %s", what).isBetween(canaryLow, canaryHigh);
    }

    @Test
    void aPoisonMutationIsRetriedWithGrowingBackoffThenDeadLettered() {
        Fleet fleet = fleet(FleetSettings.builder().clients(20).poisonShare(1).alwaysOnline().build(), new HashedRollout("f", 0));
        List<OutgoingBeacon> posted = run(fleet, Duration.ofMinutes(10), now -> { });
        // the first client's replays, in order: attempts 1..5 per mutation, the gaps between them growing
        OutgoingBeacon firstClientBeacon = posted.get(0);
        List<Instant> attemptsOfFirstMutation = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        String mutationClient = firstClientBeacon.client().id();
        int attemptSeen = 0;
        for (OutgoingBeacon beacon : posted) {
            if (!beacon.client().id().equals(mutationClient)) {
                continue;
            }
            for (ObjectNode event : beacon.events()) {
                if (event.get("type").asText().equals("replay") && event.get("attempts").asInt() == attemptSeen + 1
                        && attemptSeen < 5) {
                    attemptSeen++;
                    attemptsOfFirstMutation.add(Instant.parse(event.get("at").asText()));
                    outcomes.add(event.get("outcome").asText());
                }
            }
        }

        assertThat(outcomes).containsExactly("retried", "retried", "retried", "retried", "dead_lettered");
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < attemptsOfFirstMutation.size(); i++) {
            gaps.add(Duration.between(attemptsOfFirstMutation.get(i - 1), attemptsOfFirstMutation.get(i)).toMillis());
        }
        assertThat(gaps.get(3)).as("backoff grows: %s", gaps).isGreaterThan(gaps.get(0));
    }

    @Test
    void aPartitionHoldsEventsBackAndTheyArriveLateWithTheirOwnTime() {
        Instant partitionFrom = START.plus(Duration.ofMinutes(5));
        Instant partitionTo = partitionFrom.plus(Duration.ofMinutes(30));
        Fleet fleet = fleet(FleetSettings.builder().clients(50).alwaysOnline().partition(partitionFrom, Duration.ofMinutes(30))
                .build(), new HashedRollout("f", 50));
        List<Instant> postedDuringPartition = new ArrayList<>();
        List<OutgoingBeacon> posted = new ArrayList<>();
        for (Instant now = START.plus(STEP); !now.isAfter(partitionTo.plus(Duration.ofMinutes(2))); now = now.plus(STEP)) {
            for (OutgoingBeacon beacon : fleet.step(now, STEP)) {
                if (!now.isBefore(partitionFrom) && now.isBefore(partitionTo)) {
                    postedDuringPartition.add(now);
                }
                posted.add(beacon);
                fleet.delivered(beacon);
            }
        }

        assertThat(postedDuringPartition).isEmpty();
        Set<String> postedEvents = new HashSet<>();
        posted.forEach(b -> b.events().forEach(e -> postedEvents.add(b.client().id() + "/" + e.get("id").asText())));
        List<String> createdDuringPartition = fleet.ledger().entries().stream()
                .filter(Ledger.between(partitionFrom, partitionTo)).map(e -> e.client() + "/" + e.id()).toList();
        assertThat(createdDuringPartition).as("edits and outbox reports go on offline").hasSizeGreaterThan(100);
        assertThat(postedEvents).as("and are all sent once the network is back").containsAll(createdDuringPartition);
        long maxStaleness = posted.stream().flatMap(b -> b.events().stream()).filter(e -> e.has("stalenessMs"))
                .mapToLong(e -> e.get("stalenessMs").asLong()).max().orElseThrow();
        assertThat(maxStaleness).as("the first sync after the partition").isGreaterThanOrEqualTo(Duration.ofMinutes(29).toMillis());
    }

    @Test
    void anOfflineClientKeepsItsStaleFlagsUntilItIsBackOnline() {
        HashedRollout rollout = new HashedRollout("new-sync-engine", 100);
        Instant partitionFrom = START.plus(Duration.ofMinutes(2));
        Fleet fleet = fleet(FleetSettings.builder().clients(30).alwaysOnline().partition(partitionFrom, Duration.ofMinutes(5))
                .build(), rollout);
        List<OutgoingBeacon> posted = run(fleet, Duration.ofMinutes(10), now -> {
            if (now.equals(partitionFrom.plus(Duration.ofMinutes(1)))) {
                rollout.turnOff(); // the kill switch, while every client is offline
            }
        });
        Instant back = partitionFrom.plus(Duration.ofMinutes(5));

        // the first beacons after the partition still report the flag on (events of the offline spell)...
        assertThat(posted.stream().filter(b -> Instant.parse(b.events().get(0).get("at").asText()).isAfter(partitionFrom))
                .filter(b -> Boolean.TRUE.equals(b.flags().get("new-sync-engine")))).isNotEmpty();
        // ...and once every client has refreshed, events report it off
        assertThat(fleet.canaryClients()).isZero();
        assertThat(fleet.ledger().count(e -> e.canary() && e.at().isAfter(back.plus(Duration.ofSeconds(30))))).isZero();
    }

    @Test
    void aMutationThatFailsAgainIsSentAtOnceNotAtTheNextBeaconInterval() {
        FleetSettings settings = FleetSettings.builder().clients(200).alwaysOnline().build();
        assertThat(secondsRepeatFailuresWaited(settings)).as("sent in the step they happen").containsOnly(0L);
        List<Long> batched = secondsRepeatFailuresWaited(settings.toBuilder().flushRepeatFailures(false).build());
        assertThat(batched).as("batched: most wait for the beacon interval").hasSizeGreaterThan(50)
                .filteredOn(seconds -> seconds > 0).hasSizeGreaterThan(batched.size() / 2);
    }

    @Test
    void aMutationsReplaysAreReportedWithTheFlagsOfItsFirstAttempt() {
        // many failing mutations, so that many are being retried when every client switches to the canary
        FleetSettings settings = FleetSettings.builder().clients(200).alwaysOnline().poisonShare(0.2).duplicateShare(0)
                .build();

        long[] firstAttempt = controlFirstAttemptsAndEndings(settings);
        long[] eachAttempt = controlFirstAttemptsAndEndings(settings.toBuilder().firstAttemptFlags(false).build());

        assertThat(firstAttempt[0]).as("control's first attempts").isGreaterThan(1000);
        assertThat(firstAttempt[1]).as("every mutation control began ends in control").isEqualTo(firstAttempt[0]);
        assertThat(eachAttempt[0] - eachAttempt[1]).as("with each attempt's flags, the ones being retried at the switch "
                + "end in the canary").isGreaterThan(10);
    }

    /** Control's replays with {@code attempts} 1, and its replays that end a mutation, when all switch at minute 2. */
    private static long[] controlFirstAttemptsAndEndings(FleetSettings settings) {
        HashedRollout rollout = new HashedRollout("new-sync-engine", 0);
        Fleet fleet = fleet(settings, rollout);
        Instant switchAt = START.plus(Duration.ofMinutes(2));
        long[] counts = new long[2];
        List<OutgoingBeacon> posted = run(fleet, Duration.ofMinutes(10), now -> {
            if (now.equals(switchAt)) {
                rollout.percentage(100);
            }
        });
        for (OutgoingBeacon beacon : posted) {
            if (Boolean.TRUE.equals(beacon.flags().get("new-sync-engine"))) {
                continue;
            }
            for (ObjectNode event : beacon.events()) {
                if (event.get("type").asText().equals("replay")) {
                    counts[0] += event.get("attempts").asInt() == 1 ? 1 : 0;
                    counts[1] += event.get("outcome").asText().equals("retried") ? 0 : 1;
                }
            }
        }
        return counts;
    }

    /** For each replay that failed again (a failed retry or a dead letter): seconds from its event to its beacon. */
    private static List<Long> secondsRepeatFailuresWaited(FleetSettings settings) {
        Fleet fleet = fleet(settings, new HashedRollout("new-sync-engine", 50));
        List<Long> waited = new ArrayList<>();
        for (Instant now = START.plus(STEP); !now.isAfter(START.plus(Duration.ofMinutes(10))); now = now.plus(STEP)) {
            for (OutgoingBeacon beacon : fleet.step(now, STEP)) {
                for (ObjectNode event : beacon.events()) {
                    String outcome = event.path("outcome").asText();
                    boolean failedAgain = event.get("type").asText().equals("replay") && (outcome.equals("dead_lettered")
                            || outcome.equals("retried") && event.get("attempts").asInt() >= 2);
                    if (failedAgain) {
                        waited.add(Duration.between(Instant.parse(event.get("at").asText()), now).toSeconds());
                    }
                }
                fleet.delivered(beacon);
            }
        }
        return waited;
    }
}

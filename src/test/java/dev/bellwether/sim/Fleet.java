package dev.bellwether.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A fleet of simulated clients stepped through simulated time. Pure: it makes beacons and takes their outcomes; who
 * delivers them (HTTP, or straight into a judge) is the caller's business. The same seed and settings give the same
 * clients, schedules, cohorts (for the same flag answers) and events.
 */
public final class Fleet {

    private final FleetSettings settings;
    private final FlagSource flags;
    private final Ledger ledger = new Ledger();
    private final List<SimulatedClient> clients = new ArrayList<>();

    public Fleet(FleetSettings settings, FlagSource flags, Instant start) {
        this.settings = settings;
        this.flags = flags;
        for (int i = 0; i < settings.clients(); i++) {
            String id = String.format("sim-%d-%05d", settings.seed(), i);
            clients.add(new SimulatedClient(id, settings.seed() * 1_000_003L + i, settings, ledger, start));
        }
    }

    /** Every client lives through one step ending at {@code now}; returns the beacons they post now. */
    public List<OutgoingBeacon> step(Instant now, Duration step) {
        List<OutgoingBeacon> out = new ArrayList<>();
        for (SimulatedClient client : clients) {
            client.step(now, step, flags, out);
        }
        return out;
    }

    public void delivered(OutgoingBeacon beacon) {
        beacon.client().delivered(beacon);
    }

    public void undelivered(OutgoingBeacon beacon) {
        beacon.client().undelivered(beacon);
    }

    public FleetSettings settings() {
        return settings;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Events created that Bellwether has not acknowledged yet (offline clients, or beacons in flight). */
    public long unsentEvents() {
        return clients.stream().mapToLong(SimulatedClient::unsentEvents).sum();
    }

    public long online() {
        return clients.stream().filter(SimulatedClient::online).count();
    }

    /** Clients whose flags (as last refreshed) have the canary flag on. */
    public long canaryClients() {
        return clients.stream().filter(c -> c.flags() != null
                && !Boolean.FALSE.equals(c.flags().getOrDefault(settings.canaryFlag(), false))).count();
    }
}

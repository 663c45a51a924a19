package dev.bellwether.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Drives a fleet through time and delivers its beacons. Simulated time never runs ahead of the wall clock (Bellwether
 * refuses events from the future), but may start in the past: then it runs as fast as Bellwether answers until it
 * catches up, and in step with the wall clock after that. So "30 minutes offline, then flush" takes seconds, with
 * every event at its true time.
 */
public final class Simulator {

    private final Fleet fleet;
    private final BeaconTransport transport;
    private final Duration step;
    private Instant now;

    public Simulator(Fleet fleet, BeaconTransport transport, Instant start, Duration step) {
        this.fleet = fleet;
        this.transport = transport;
        this.now = start;
        this.step = step;
    }

    public Instant now() {
        return now;
    }

    public Fleet fleet() {
        return fleet;
    }

    public BeaconTransport transport() {
        return transport;
    }

    /** One step: every client acts, and its beacons are delivered (or left queued) before the next. */
    public void step() throws InterruptedException {
        Instant next = now.plus(step);
        long ahead = Duration.between(Instant.now(), next).toMillis();
        if (ahead > 0) {
            Thread.sleep(ahead);
        }
        now = next;
        List<OutgoingBeacon> beacons = fleet.step(now, step);
        transport.deliver(fleet, beacons);
    }

    /** Steps until simulated time reaches {@code until}, calling {@code afterStep} after each. */
    public void runUntil(Instant until, Consumer<Simulator> afterStep) throws InterruptedException {
        while (now.isBefore(until)) {
            step();
            afterStep.accept(this);
        }
    }

    /** Steps until {@code done} holds, or fails once simulated time passes {@code limit}. */
    public void runUntil(BooleanSupplier done, Instant limit, Consumer<Simulator> afterStep) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (now.isAfter(limit)) {
                throw new IllegalStateException("the simulation reached " + limit + " before its goal");
            }
            step();
            afterStep.accept(this);
        }
    }

    /**
     * Steps until {@code flagOn} first answers false at a simulated time after {@code from} (e.g. the flag service,
     * asked whether a killed flag is still on), or fails past {@code limit}; returns the wall-clock instant it did.
     */
    public Instant runUntilFlagOff(Callable<Boolean> flagOn, Instant from, Instant limit, Consumer<Simulator> afterStep)
            throws InterruptedException {
        Instant[] off = {null};
        runUntil(() -> off[0] != null, limit, s -> {
            afterStep.accept(s);
            try {
                if (s.now().isAfter(from) && !flagOn.call()) {
                    off[0] = Instant.now();
                }
            } catch (Exception e) {
                throw new IllegalStateException("the flag service did not answer", e);
            }
        });
        return off[0];
    }

    /** A line for a progress log: simulated time, clients online and in the canary, events created and delivered. */
    public String status() {
        Ledger ledger = fleet.ledger();
        return String.format(java.util.Locale.ROOT,
                "%s  online %d/%d  canary %d  events %d created, %d accepted, %d duplicates, %d unsent  posts %d (retried %d, refused %d)",
                now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), fleet.online(), fleet.settings().clients(),
                fleet.canaryClients(), ledger.count(e -> true), transport.accepted(), transport.duplicates(),
                fleet.unsentEvents(), transport.posts(), transport.retried(), transport.refused());
    }
}

package dev.bellwether.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The ground truth of a simulation: every event a client created, once, with its event time and cohort. What Bellwether reports for a window must match what this ledger counts for it.
 */
public final class Ledger {

    /**
     * One created event. {@code kind}: the replay outcome, conflict resolution or migration outcome, else the type.
     * {@code canary}: the client reported the rollout flag on when the event happened.
     */
    public record Entry(String client, String id, String type, String kind, Instant at, boolean canary) {
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void created(Entry entry) {
        entries.add(entry);
    }

    public synchronized long count(Predicate<Entry> which) {
        return entries.stream().filter(which).count();
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public static Predicate<Entry> between(Instant from, Instant to) {
        return e -> !e.at().isBefore(from) && e.at().isBefore(to);
    }

    public static Predicate<Entry> replay(String outcome) {
        return e -> e.type().equals("replay") && e.kind().equals(outcome);
    }
}

package dev.bellwether.sim;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * A fault injected into the canary cohort (clients whose flags report the rollout flag on) from {@code onset} on
 * (null: from the start). Each field at its neutral value (multipliers 1, added latency 0, migration failure rate
 * null) leaves that part of the client's behaviour as it is.
 *
 * @param deadLetterMultiplier times the fleet's share of poison mutations (which fail until dead-lettered)
 * @param addedSyncLatencyMs added to every canary sync
 * @param tailShare share of canary syncs made {@code tailFactor} times slower
 * @param migrationFailureRate chance that a canary client's IndexedDB migration fails, instead of the fleet's
 * @param conflictMultiplier times the fleet's share of replays that conflict
 * @param mutations the mutation names the dead-letter and conflict multipliers apply to, as a bug in one user action
 *     would (null: every mutation)
 */
public record Regression(double deadLetterMultiplier, double addedSyncLatencyMs, double tailShare, double tailFactor,
                         Double migrationFailureRate, double conflictMultiplier, Instant onset, Set<String> mutations) {

    public static final Regression NONE = new Regression(1, 0, 0, 1, null, 1, null, null);

    public Regression {
        if (deadLetterMultiplier < 0 || addedSyncLatencyMs < 0 || tailShare < 0 || tailShare > 1 || tailFactor < 1
                || conflictMultiplier < 0 || (migrationFailureRate != null && (migrationFailureRate < 0 || migrationFailureRate > 1))) {
            throw new IllegalArgumentException("multipliers and latencies are >= 0, shares and rates within 0..1, tailFactor >= 1");
        }
    }

    public static Regression deadLetters(double multiplier) {
        return NONE.withDeadLetterMultiplier(multiplier);
    }

    public Regression withDeadLetterMultiplier(double multiplier) {
        return new Regression(multiplier, addedSyncLatencyMs, tailShare, tailFactor, migrationFailureRate, conflictMultiplier, onset, mutations);
    }

    public Regression withAddedSyncLatency(double ms) {
        return new Regression(deadLetterMultiplier, ms, tailShare, tailFactor, migrationFailureRate, conflictMultiplier, onset, mutations);
    }

    public Regression withLatencyTail(double share, double factor) {
        return new Regression(deadLetterMultiplier, addedSyncLatencyMs, share, factor, migrationFailureRate, conflictMultiplier, onset, mutations);
    }

    public Regression withMigrationFailureRate(double rate) {
        return new Regression(deadLetterMultiplier, addedSyncLatencyMs, tailShare, tailFactor, rate, conflictMultiplier, onset, mutations);
    }

    public Regression withConflictMultiplier(double multiplier) {
        return new Regression(deadLetterMultiplier, addedSyncLatencyMs, tailShare, tailFactor, migrationFailureRate, multiplier, onset, mutations);
    }

    public Regression from(Instant at) {
        return new Regression(deadLetterMultiplier, addedSyncLatencyMs, tailShare, tailFactor, migrationFailureRate, conflictMultiplier, at, mutations);
    }

    /** Confined to these mutation names' replays. */
    public Regression onlyFor(Set<String> names) {
        return new Regression(deadLetterMultiplier, addedSyncLatencyMs, tailShare, tailFactor, migrationFailureRate,
                conflictMultiplier, onset, Set.copyOf(names));
    }

    /** Whether the dead-letter and conflict multipliers apply to a mutation of this name. */
    public boolean appliesTo(String mutation) {
        return mutations == null || mutations.contains(mutation);
    }

    public boolean activeAt(Instant now) {
        return onset == null || !now.isBefore(onset);
    }

    /**
     * Parses the command line's form, e.g. {@code deadLetters=5,latencyMs=300,tail=0.05x20,migrationFailures=0.3,conflicts=2};
     * "none" or an empty text is no regression.
     */
    public static Regression parse(String text) {
        Regression regression = NONE;
        if (text == null || text.isBlank() || text.equalsIgnoreCase("none")) {
            return regression;
        }
        for (String part : text.split(",")) {
            String[] pair = part.split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("a regression is name=value pairs separated by commas, got '" + part + "'");
            }
            String value = pair[1].trim();
            try {
                regression = switch (pair[0].trim().toLowerCase(Locale.ROOT)) {
                    case "deadletters" -> regression.withDeadLetterMultiplier(Double.parseDouble(value));
                    case "latencyms" -> regression.withAddedSyncLatency(Double.parseDouble(value));
                    case "tail" -> {
                        String[] tail = value.split("x", 2);
                        if (tail.length != 2) {
                            throw new IllegalArgumentException("tail is <share>x<factor>, e.g. 0.05x20, got '" + value + "'");
                        }
                        yield regression.withLatencyTail(Double.parseDouble(tail[0]), Double.parseDouble(tail[1]));
                    }
                    case "migrationfailures" -> regression.withMigrationFailureRate(Double.parseDouble(value));
                    case "conflicts" -> regression.withConflictMultiplier(Double.parseDouble(value));
                    default -> throw new IllegalArgumentException("unknown regression '" + pair[0].trim()
                            + "': use deadLetters, latencyMs, tail, migrationFailures or conflicts");
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("regression " + pair[0].trim() + ": '" + value + "' is not a number");
            }
        }
        return regression;
    }
}

package dev.bellwether.journey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Maps a replay's mutation to the journey it belongs to. The most specific pattern wins: an exact name before any
 * wildcard, a longer prefix before a shorter one. A pattern belongs to one journey only ({@link #sharedPattern}), so
 * the answer never depends on the order journeys were declared in. A mutation no pattern matches, or none at all,
 * belongs to {@link #OTHER_ID}.
 *
 * <p>Costs one hash lookup for the exact names and one per distinct prefix length, whatever the number of patterns.
 */
public final class JourneyMatcher {

    /** The id of journey {@code other} in the rollups; no declared journey has it. */
    public static final long OTHER_ID = 0;
    public static final JourneyMatcher NONE = new JourneyMatcher(List.of());

    /** A declared journey's id, name and patterns. */
    public record Declared(long id, String name, List<String> patterns) {
    }

    private final Map<String, Long> exact = new HashMap<>();
    private final Map<String, Long> prefixes = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    /** Distinct prefix lengths, longest first. */
    private final int[] prefixLengths;

    /** @param journeys with no pattern in two of them; should one be, the first listed keeps it */
    public JourneyMatcher(Collection<Declared> journeys) {
        TreeSet<Integer> lengths = new TreeSet<>();
        for (Declared journey : journeys) {
            names.putIfAbsent(journey.id(), journey.name());
            for (String pattern : journey.patterns()) {
                if (JourneyPattern.isPrefix(pattern)) {
                    String prefix = JourneyPattern.prefix(pattern);
                    prefixes.putIfAbsent(prefix, journey.id());
                    lengths.add(prefix.length());
                } else {
                    exact.putIfAbsent(pattern, journey.id());
                }
            }
        }
        prefixLengths = lengths.descendingSet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** The journey of a replay of {@code mutation} (null when the event named none). */
    public long journeyOf(String mutation) {
        if (mutation == null) {
            return OTHER_ID;
        }
        Long id = exact.get(mutation);
        if (id != null) {
            return id;
        }
        for (int length : prefixLengths) {
            if (length <= mutation.length()) {
                id = prefixes.get(mutation.substring(0, length));
                if (id != null) {
                    return id;
                }
            }
        }
        return OTHER_ID;
    }

    /** The name of a journey {@link #journeyOf} answered: a declared one's, else {@code other}. */
    public String nameOf(long journeyId) {
        return names.getOrDefault(journeyId, JourneySpec.OTHER);
    }

    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty();
    }

    /** The first of {@code patterns} that one of {@code others} lists too, if any: two journeys may not share one. */
    public static Optional<String> sharedPattern(List<String> patterns, Collection<List<String>> others) {
        List<String> taken = new ArrayList<>();
        others.forEach(taken::addAll);
        return patterns.stream().filter(taken::contains).findFirst();
    }
}

package dev.bellwether.journey;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A journey as declared: its name, the mutation patterns that belong to it, and how critical it is. */
public record JourneySpec(String name, List<String> mutations, Criticality criticality) {

    public static final int MAX_JOURNEYS_PER_APP = 50;
    public static final int MAX_PATTERNS = 20;
    /** The journey of every replay whose mutation no declared journey matches; it cannot be declared. */
    public static final String OTHER = "other";
    private static final String NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,62}$";

    public static boolean isName(String name) {
        return name != null && name.matches(NAME_PATTERN);
    }

    /** @throws InvalidJourneyException naming the field and why */
    public JourneySpec validated() {
        if (!isName(name)) {
            throw new InvalidJourneyException("name", "must be 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        if (OTHER.equals(name)) {
            throw new InvalidJourneyException("name", "'other' is the journey of mutations no declared journey matches; "
                    + "choose another name");
        }
        if (mutations == null || mutations.isEmpty()) {
            throw new InvalidJourneyException("mutations", "is required: at least one mutation name or prefix pattern, "
                    + "e.g. [\"order.submit\", \"order.*\"]");
        }
        if (mutations.size() > MAX_PATTERNS) {
            throw new InvalidJourneyException("mutations", "may list at most " + MAX_PATTERNS + " patterns, got " + mutations.size());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < mutations.size(); i++) {
            String pattern = mutations.get(i);
            String problem = JourneyPattern.problem(pattern);
            if (problem != null) {
                throw new InvalidJourneyException("mutations[" + i + "]", problem);
            }
            if (!seen.add(pattern)) {
                throw new InvalidJourneyException("mutations[" + i + "]", "lists '" + pattern + "' twice");
            }
        }
        if (criticality == null) {
            throw new InvalidJourneyException("criticality", "is required: one of " + Criticality.wireNames());
        }
        return this;
    }
}

package dev.bellwether.journey;

import java.util.List;

/** A journey as written in the catalog or sent to the API; {@link #toSpec} validates it. */
public record JourneyDocument(List<String> mutations, String criticality) {

    /** @throws InvalidJourneyException naming the field at fault */
    public JourneySpec toSpec(String name) {
        Criticality level = null;
        if (criticality != null) {
            try {
                level = Criticality.fromWire(criticality);
            } catch (IllegalArgumentException e) {
                throw new InvalidJourneyException("criticality", "must be one of " + Criticality.wireNames()
                        + ", got '" + criticality + "'");
            }
        }
        return new JourneySpec(name, mutations, level).validated();
    }
}

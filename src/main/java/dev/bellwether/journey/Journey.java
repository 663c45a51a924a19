package dev.bellwether.journey;

import java.time.OffsetDateTime;
import java.util.List;

/** A journey as stored; a removed one keeps its id and name for the rollups already written under it. */
public record Journey(long id, String name, List<String> mutations, Criticality criticality, String source,
                      OffsetDateTime updatedAt, OffsetDateTime removedAt) {

    public boolean removed() {
        return removedAt != null;
    }

    public JourneySpec spec() {
        return new JourneySpec(name, mutations, criticality);
    }
}

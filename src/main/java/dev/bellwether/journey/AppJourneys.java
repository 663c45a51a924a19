package dev.bellwether.journey;

import java.util.List;
import java.util.Optional;

/** Every journey an app ever declared, removed ones included, and the matcher of those in force. */
public record AppJourneys(List<Journey> all, JourneyMatcher matcher) {

    /** A rollup journey id no row carries: what a journey the app never declared reads. */
    public static final long NO_ROLLUP_JOURNEY = -1;

    public static AppJourneys of(List<Journey> all) {
        return new AppJourneys(List.copyOf(all), new JourneyMatcher(all.stream().filter(j -> !j.removed())
                .map(j -> new JourneyMatcher.Declared(j.id(), j.name(), j.mutations())).toList()));
    }

    public List<Journey> current() {
        return all.stream().filter(j -> !j.removed()).toList();
    }

    public Optional<Journey> named(String name) {
        return all.stream().filter(j -> j.name().equals(name)).findFirst();
    }

    /** {@link #rollupId(String, Long)} with this app's journeys: what the SLI reports and the guards read. */
    public Long rollupIdOf(String journey) {
        return rollupId(journey, journey == null ? null : named(journey).map(Journey::id).orElse(null));
    }

    /**
     * Which rows of the rollups hold a journey's replays. SLOs, guards and the SLI reports all ask here, so that they
     * count the same rows.
     *
     * @param journey          a journey's name; null for the whole app
     * @param declaredId       the id of the app's journey of that name, removed or not (a removed one keeps the
     *                         replays counted under it); null when the app never declared one
     * @return null for the whole app (every journey's rows); {@link JourneyMatcher#OTHER_ID} for {@code other}, whose
     *         replays are those no journey matched; the declared journey's id; otherwise an id no row has, so nothing
     *         is counted rather than another journey's replays
     */
    public static Long rollupId(String journey, Long declaredId) {
        if (journey == null) {
            return null;
        }
        if (JourneySpec.OTHER.equals(journey)) {
            return JourneyMatcher.OTHER_ID;
        }
        return declaredId == null ? NO_ROLLUP_JOURNEY : declaredId;
    }
}

package dev.bellwether.journey;

import java.util.List;
import java.util.Optional;

/** Every journey an app ever declared, removed ones included, and the matcher of those in force. */
public record AppJourneys(List<Journey> all, JourneyMatcher matcher) {

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
}

package dev.bellwether.telemetry;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The flag states a client ran with. Flags are booleans or variant names; the canonical label
 * ({@code a=true,b=blue}, names sorted) identifies the cohort.
 */
public record Cohort(SortedMap<String, Object> flags) {

    public static final Cohort NONE = new Cohort(new TreeMap<>());

    public Cohort {
        flags = Collections.unmodifiableSortedMap(new TreeMap<>(flags));
    }

    public static Cohort of(Map<String, Object> flags) {
        return new Cohort(new TreeMap<>(flags));
    }

    public String label() {
        return flags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** A flag is on when it is {@code true} or names a variant; off when {@code false}; null when not reported. */
    public Boolean isOn(String flag) {
        Object value = flags.get(flag);
        if (value == null) {
            return null;
        }
        return !(value instanceof Boolean b) || b;
    }
}

package dev.bellwether.journey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much a journey matters to its users; wire names are the lower-case enum names. */
public enum Criticality {
    CRITICAL, IMPORTANT, NORMAL;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Criticality fromWire(String text) {
        for (Criticality criticality : values()) {
            if (criticality.wireName().equals(text)) {
                return criticality;
            }
        }
        throw new IllegalArgumentException("criticality must be one of " + wireNames() + ", got '" + text + "'");
    }

    public static String wireNames() {
        return Arrays.stream(values()).map(Criticality::wireName).collect(Collectors.joining(", "));
    }
}

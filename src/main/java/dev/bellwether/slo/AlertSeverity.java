package dev.bellwether.slo;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.bellwether.journey.Criticality;
import java.util.Locale;

/**
 * What an SLO's fast burn (state {@code PAGE}) raises: a page, or only a ticket. A steady burn ({@code TICKET}) always
 * tickets. Unless the SLO says, an app-wide SLO pages, a journey's SLO pages when the journey is critical and tickets
 * otherwise (journey {@code other} included): a fast burn of a minor action should not wake anyone.
 */
public enum AlertSeverity {
    PAGE, TICKET;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AlertSeverity fromWire(String text) {
        for (AlertSeverity severity : values()) {
            if (severity.wireName().equals(text)) {
                return severity;
            }
        }
        throw new IllegalArgumentException("severity must be page or ticket, got '" + text + "'");
    }

    /**
     * @param given the SLO's own severity, or null
     * @param journey the SLO's journey, or null for an app-wide SLO
     * @param criticality the journey's criticality, or null for {@code other} (or a journey no longer declared)
     */
    public static AlertSeverity ofFastBurn(AlertSeverity given, String journey, Criticality criticality) {
        if (given != null) {
            return given;
        }
        if (journey == null) {
            return PAGE;
        }
        return criticality == Criticality.CRITICAL ? PAGE : TICKET;
    }
}

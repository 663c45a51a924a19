package dev.bellwether.ingest;

import dev.bellwether.telemetry.Cohort;
import dev.bellwether.telemetry.TelemetryEvent;
import java.util.List;
import java.util.Locale;

/**
 * A beacon whose envelope is valid: who sent it, with which release and flags, and its events split into the
 * valid ones (with their index in the beacon) and the rejected ones.
 */
public record Beacon(String app, String release, String client, Cohort cohort,
                     List<IndexedEvent> events, List<Rejection> rejected) {

    public record IndexedEvent(int index, TelemetryEvent event) {
    }

    /** Why one event of a beacon was not stored; {@code code} is a bounded label for metrics. */
    public record Rejection(int index, RejectCode code, String reason) {
    }

    public enum RejectCode {
        NOT_AN_OBJECT, MISSING_FIELD, INVALID_FIELD, UNKNOWN_TYPE, FUTURE_TIMESTAMP, EXPIRED_TIMESTAMP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

package dev.bellwether.telemetry;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/** One event of a beacon, as the client SDK reported it. Wire names are the lower-case enum names. */
public sealed interface TelemetryEvent {

    String id();

    Instant at();

    /** The wire name of the event type. */
    String type();

    record Outbox(String id, Instant at, long depth, Double oldestAgeMs) implements TelemetryEvent {
        public String type() {
            return "outbox";
        }
    }

    record Replay(String id, Instant at, String mutation, ReplayOutcome outcome, Integer attempts, Double latencyMs)
            implements TelemetryEvent {
        public String type() {
            return "replay";
        }

        /** A mutation's first attempt: each mutation replayed reports one. False without {@code attempts}. */
        public boolean firstAttempt() {
            return attempts != null && attempts == 1;
        }

        /**
         * The mutation failed twice in a row: its second attempt failed, or it was dead-lettered at its first (no
         * retries). At most one per mutation, and long before the last retry of one that will be dead-lettered.
         */
        public boolean repeatFailure() {
            return attempts != null && (attempts == 1 && outcome == ReplayOutcome.DEAD_LETTERED
                    || attempts == 2 && (outcome == ReplayOutcome.RETRIED || outcome == ReplayOutcome.DEAD_LETTERED));
        }
    }

    record Sync(String id, Instant at, double latencyMs, Double stalenessMs) implements TelemetryEvent {
        public String type() {
            return "sync";
        }
    }

    record Conflict(String id, Instant at, String entity, ConflictResolution resolution) implements TelemetryEvent {
        public String type() {
            return "conflict";
        }
    }

    record Migration(String id, Instant at, int fromVersion, int toVersion, MigrationOutcome outcome, Double durationMs)
            implements TelemetryEvent {
        public String type() {
            return "migration";
        }

        public String versionStep() {
            return fromVersion + "->" + toVersion;
        }
    }

    enum ReplayOutcome {
        SUCCEEDED, RETRIED, DEAD_LETTERED, CONFLICTED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum ConflictResolution {
        AUTO_MERGED, USER_RESOLVED, SERVER_WINS, CLIENT_WINS, UNRESOLVED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum MigrationOutcome {
        SUCCEEDED, FAILED, ROLLED_BACK;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

package dev.bellwether.telemetry;

import java.time.Instant;

/** One series of one bucket: the unit rollups are stored and merged in. */
public record RollupKey(long appId, long releaseId, long cohortId, Instant bucket) {
}

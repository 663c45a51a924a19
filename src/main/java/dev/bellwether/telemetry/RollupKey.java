package dev.bellwether.telemetry;

import java.time.Instant;

/**
 * One series of one bucket: the unit rollups are stored and merged in. {@code journeyId} is the journey of the
 * replays in it; 0 holds every event that is not a replay and the replays of journey "other".
 */
public record RollupKey(long appId, long releaseId, long cohortId, long journeyId, Instant bucket) {
}

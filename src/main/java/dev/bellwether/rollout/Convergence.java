package dev.bellwether.rollout;

import dev.bellwether.telemetry.EventStore;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * After a kill, how fast clients stop running the flag: for each minute, the clients active in the preceding
 * {@code activeWindowMinutes} (any beacon received), and how many of them still reported the flag on. Offline clients
 * keep their stale flags until they come back and refresh, so the curve shows the tail a kill cannot cut at once.
 */
public record Convergence(long rolloutId, String flag, Instant since, @Schema(nullable = true) Instant killedAt, int activeWindowMinutes,
                          List<EventStore.FlagMinute> points) {

    /** A client counts as active in a minute when a beacon arrived in this many minutes before it. */
    public static final int DEFAULT_ACTIVE_WINDOW_MINUTES = 5;
}

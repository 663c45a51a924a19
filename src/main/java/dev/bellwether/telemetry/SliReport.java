package dev.bellwether.telemetry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The SLIs of one app over one event-time window, in total and per cohort. Beacons choose the flags, so
 * {@code cohorts} lists only those with the most events; {@code otherCohorts} sums the rest (null when there is none).
 */
public record SliReport(String app, Instant from, Instant to, @Schema(nullable = true) String release,
                        @Schema(nullable = true) String flag, SliSummary total, List<CohortSli> cohorts, @Schema(nullable = true) OtherCohorts otherCohorts) {

    /**
     * One cohort: without a flag filter, the exact flag states clients ran with; with {@code flag=name}, the
     * clients grouped by that flag's value, {@code arm} telling canary (on), control (off) or absent.
     */
    public record CohortSli(String cohort, Map<String, Object> flags, @Schema(nullable = true) String arm, SliSummary sli) {
    }

    /** The cohorts left out of {@code cohorts} (those with fewer events): how many, and their SLIs together. */
    public record OtherCohorts(int cohorts, SliSummary sli) {
    }
}

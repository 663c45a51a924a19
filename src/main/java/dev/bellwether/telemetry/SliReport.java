package dev.bellwether.telemetry;

import dev.bellwether.journey.Criticality;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The SLIs of one app over one event-time window, in total and per cohort. Beacons choose the flags, so
 * {@code cohorts} lists only those with the most events; {@code otherCohorts} sums the rest (null when there is none).
 * With {@code journey}, total and cohorts count that journey's replays alone. {@code journeys} has the replay SLIs of
 * each journey: every one declared, any removed one with replays in the window, and {@code other} last (with
 * {@code journey}, that journey alone).
 */
public record SliReport(String app, Instant from, Instant to, @Schema(nullable = true) String release,
                        @Schema(nullable = true) String flag, @Schema(nullable = true) String journey, SliSummary total,
                        List<CohortSli> cohorts, @Schema(nullable = true) OtherCohorts otherCohorts, List<JourneySli> journeys) {

    /**
     * One journey's replays. {@code criticality} is null for {@code other}; {@code removed} tells a journey removed
     * since, whose replays in the window were counted under it.
     */
    public record JourneySli(String journey, @Schema(nullable = true) Criticality criticality, boolean removed,
                             SliSummary.Replays replays) {
    }

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

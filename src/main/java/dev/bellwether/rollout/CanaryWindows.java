package dev.bellwether.rollout;

import dev.bellwether.journey.AppJourneys;
import dev.bellwether.journey.JourneyStore;
import dev.bellwether.judge.StepWindows;
import dev.bellwether.telemetry.SliService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The telemetry of a rollout's current step as the judge reads it: canary against control, window by window, for the
 * whole app and for each journey a guard names.
 */
@ApplicationScoped
public class CanaryWindows {

    private final SliService sli;
    private final JourneyStore journeys;

    public CanaryWindows(SliService sli, JourneyStore journeys) {
        this.sli = sli;
        this.journeys = journeys;
    }

    /** A step's windows: the whole app's, and each guarded journey's (its replays alone), by journey name. */
    public record Windows(List<StepWindows.Window> app, Map<String, List<StepWindows.Window>> journeys) {

        /** @param journey null: the whole app */
        public List<StepWindows.Window> of(String journey) {
            return journey == null ? app : Objects.requireNonNull(journeys.get(journey), journey);
        }
    }

    /** The windows of the rollout's current step, from its start to {@code now}. */
    Windows of(Rollout rollout, Instant now) {
        Instant stepStart = rollout.stepStartedAt.toInstant();
        Map<String, Long> guarded = journeyIds(rollout);
        SliService.CanaryBuckets buckets = sli.canaryAgainstControl(rollout.app.id, rollout.flag, stepStart, now,
                Set.copyOf(guarded.values()));
        // at 100 % control is only clients on stale flags: the canary is judged by its SLO bounds alone
        boolean withControl = !rollout.atOneHundredPercent();
        Map<String, List<StepWindows.Window>> byJourney = new HashMap<>();
        guarded.forEach((name, id) -> byJourney.put(name, windows(buckets.journeys().get(id), stepStart, withControl)));
        return new Windows(windows(buckets.app(), stepStart, withControl), byJourney);
    }

    private static List<StepWindows.Window> windows(NavigableMap<Instant, SliService.CanaryControl> buckets,
            Instant stepStart, boolean withControl) {
        // a window's weight goes by its minute of the step, counted from the minute the step started in
        Instant stepMinute = stepStart.truncatedTo(ChronoUnit.MINUTES);
        TreeMap<Long, StepWindows.Minute> byMinute = new TreeMap<>();
        buckets.forEach((bucket, cohorts) -> byMinute.put(Duration.between(stepMinute, bucket).toMinutes(),
                new StepWindows.Minute(cohorts.canary(), cohorts.control())));
        return StepWindows.of(byMinute, withControl);
    }

    /**
     * The id of each journey the rollout's guards name. A journey removed since the rollout was created keeps its id
     * and the replays counted under it; new ones go to the journey that now matches them, so its guard comes to hold.
     */
    public Map<String, Long> journeyIds(Rollout rollout) {
        Map<String, Long> ids = new HashMap<>();
        AppJourneys declared = null;
        for (GuardSpec guard : rollout.guards) {
            String name = guard.journey();
            if (name == null || ids.containsKey(name)) {
                continue;
            }
            if (declared == null) {
                declared = journeys.load(rollout.app.id);
            }
            // validated at creation and never deleted, only marked removed
            ids.put(name, declared.rollupIdOf(name));
        }
        return ids;
    }
}

package dev.bellwether.rollout;

import dev.bellwether.judge.CanaryJudge;
import dev.bellwether.judge.StepWindows;
import dev.bellwether.telemetry.SliService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/** The telemetry of a rollout's current step as the judge reads it: canary against control, window by window. */
@ApplicationScoped
public class CanaryWindows {

    private final SliService sli;

    public CanaryWindows(SliService sli) {
        this.sli = sli;
    }

    /** The windows of the rollout's current step, from its start to {@code now}. */
    List<StepWindows.Window> of(Rollout rollout, Instant now) {
        Instant stepStart = rollout.stepStartedAt.toInstant();
        NavigableMap<Instant, SliService.CanaryControl> buckets = sli.canaryAgainstControl(rollout.app.id, rollout.flag,
                stepStart, now);
        // a window's weight goes by its minute of the step, counted from the minute the step started in
        Instant stepMinute = stepStart.truncatedTo(ChronoUnit.MINUTES);
        TreeMap<Long, StepWindows.Minute> byMinute = new TreeMap<>();
        buckets.forEach((bucket, cohorts) -> byMinute.put(Duration.between(stepMinute, bucket).toMinutes(),
                new StepWindows.Minute(cohorts.canary(), cohorts.control())));
        // at 100 % control is only clients on stale flags: the canary is judged by its SLO bounds alone
        return StepWindows.of(byMinute, !rollout.atOneHundredPercent());
    }
}

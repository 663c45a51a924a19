package dev.bellwether.telemetry;

import java.util.HashMap;
import java.util.Map;

/** Newly stored events grouped into rollup deltas: one per series and minute, one per series and hour. */
final class RollupDeltas {

    private final Map<RollupKey, Rollup> minutes = new HashMap<>();
    private final Map<RollupKey, Rollup> hours = new HashMap<>();

    void add(long appId, long releaseId, long cohortId, long journeyId, TelemetryEvent event) {
        var at = event.at();
        minutes.computeIfAbsent(new RollupKey(appId, releaseId, cohortId, journeyId, Granularity.MINUTE.bucketOf(at)),
                k -> new Rollup()).add(event);
        hours.computeIfAbsent(new RollupKey(appId, releaseId, cohortId, journeyId, Granularity.HOUR.bucketOf(at)),
                k -> new Rollup()).add(event);
    }

    Map<RollupKey, Rollup> of(Granularity granularity) {
        return granularity == Granularity.MINUTE ? minutes : hours;
    }
}

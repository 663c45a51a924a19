package dev.bellwether.rollout;

import dev.bellwether.judge.Guard;
import dev.bellwether.slo.SloDefinition;
import java.util.List;

/**
 * A rollout's guards as the judge takes them: each bounded by the app's SLO on its indicator, when there is one. A
 * guard on a journey has no such bound: the app's SLO is on every replay, not on the journey's.
 */
public final class SloGuards {

    private SloGuards() {
    }

    public static List<Guard> of(Rollout rollout) {
        List<SloDefinition> slos = SloDefinition.ofApp(rollout.app);
        return rollout.guards.stream().map(spec -> {
            SloDefinition slo = spec.journey() != null ? null
                    : slos.stream().filter(s -> s.sli.equals(spec.sli().wireName())).findFirst().orElse(null);
            return new Guard(spec.sli(), spec.action(), slo == null ? null : 1 - slo.objective,
                    slo == null ? null : slo.threshold, spec.journey());
        }).toList();
    }
}

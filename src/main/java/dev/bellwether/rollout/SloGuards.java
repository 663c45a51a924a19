package dev.bellwether.rollout;

import dev.bellwether.judge.Guard;
import dev.bellwether.slo.SloDefinition;
import java.util.List;
import java.util.Objects;

/**
 * A rollout's guards as the judge takes them: each bounded by the app's SLO on its indicator and on the same replays,
 * when there is one: an app-wide guard by an app-wide SLO, a journey's guard by an SLO of that journey.
 */
public final class SloGuards {

    private SloGuards() {
    }

    public static List<Guard> of(Rollout rollout) {
        List<SloDefinition> slos = SloDefinition.ofApp(rollout.app);
        return rollout.guards.stream().map(spec -> {
            SloDefinition slo = slos.stream()
                    .filter(s -> s.sli.equals(spec.sli().wireName()) && Objects.equals(s.journey, spec.journey()))
                    .findFirst().orElse(null);
            return new Guard(spec.sli(), spec.action(), slo == null ? null : 1 - slo.objective,
                    slo == null ? null : slo.threshold, spec.journey());
        }).toList();
    }
}

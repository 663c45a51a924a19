package dev.bellwether.rollout;

import dev.bellwether.judge.GuardAction;
import dev.bellwether.slo.Sli;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** What a new rollout gets for each part of its plan the request leaves out ({@code bellwether.rollout.defaults.*}). */
@ConfigMapping(prefix = "bellwether.rollout.defaults")
public interface RolloutDefaults {

    /** The percentages of the steps, in increasing order. */
    @WithDefault("1,5,25,50,100")
    List<Integer> steps();

    /** How long each step must stay healthy before the next. */
    @WithDefault("5m")
    Duration bake();

    /** Below this many valid events in either cohort, a guard holds. */
    @WithDefault("200")
    long minSamplePerCohort();

    /** The Unleash project of the flag. */
    @WithDefault("default")
    String project();

    /** The Unleash environment whose flag is rolled out. */
    @WithDefault("development")
    String environment();

    /**
     * The indicator of the guard every rollout gets on each critical journey of its app ({@link CriticalJourneyGuards});
     * one of the replay indicators ({@link GuardSpec#JOURNEY_INDICATORS}).
     */
    @WithDefault("replay_repeat_failure_ratio")
    String criticalJourneyGuardSli();

    /** What that guard does when the journey regresses: kill, rollback or freeze. */
    @WithDefault("kill")
    String criticalJourneyGuardAction();

    /** The default critical-journey guard's indicator, read and checked. */
    default Sli criticalJourneyIndicator() {
        Sli sli = Sli.fromWireName(criticalJourneyGuardSli());
        if (!GuardSpec.JOURNEY_INDICATORS.contains(sli)) {
            throw new IllegalArgumentException("bellwether.rollout.defaults.critical-journey-guard-sli must be a replay"
                    + " indicator, got " + sli.wireName());
        }
        return sli;
    }

    default GuardAction criticalJourneyAction() {
        return GuardAction.fromWireName(criticalJourneyGuardAction());
    }
}

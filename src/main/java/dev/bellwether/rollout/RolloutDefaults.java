package dev.bellwether.rollout;

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
}

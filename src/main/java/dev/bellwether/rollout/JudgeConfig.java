package dev.bellwether.rollout;

import dev.bellwether.judge.JudgeSettings;
import io.smallrye.config.ConfigMapping;
import java.util.OptionalDouble;

/**
 * The judge's statistics ({@code bellwether.judge.*}), each overriding its default in {@link JudgeSettings#defaults},
 * which explains them; unset, the default holds.
 */
@ConfigMapping(prefix = "bellwether.judge")
public interface JudgeConfig {

    OptionalDouble alpha();

    OptionalDouble minAbsoluteEffect();

    OptionalDouble minRelativeEffect();

    OptionalDouble effectScale();

    /** The settings to judge a rollout with; its minimum sample per cohort is part of its plan. */
    default JudgeSettings settings(long minSamplePerCohort) {
        JudgeSettings defaults = JudgeSettings.defaults(minSamplePerCohort);
        return new JudgeSettings(alpha().orElse(defaults.alpha()),
                minAbsoluteEffect().orElse(defaults.minAbsoluteEffect()),
                minRelativeEffect().orElse(defaults.minRelativeEffect()),
                effectScale().orElse(defaults.effectScale()), minSamplePerCohort);
    }
}
